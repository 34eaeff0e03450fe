import {
  type KeyObject,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomFillSync,
} from 'node:crypto'
import { CacheError, type Codec, type CodecContext } from '@tierstack/core'
import { type AesKey, keyIdProblem, parseKey } from './keys.js'

/** Options of `aesGcm()`. */
export interface AesGcmOptions {
  /**
   * Keys by key id. Each key is 32 raw bytes (Buffer / Uint8Array), or a string of 64 hex characters or of
   * base64 for 32 bytes. Entries are written with `current` and read with whichever key id their envelope
   * names, so keep an old key listed for as long as entries written with it should stay readable.
   * Key ids: 1–64 characters among `A-Z a-z 0-9 . _ -`.
   */
  keys: Readonly<Record<string, AesKey>>
  /**
   * Id of the key new entries are encrypted with; must be one of `keys`.
   * @default the last key listed in `keys` (list the newest last: rotating is appending a key)
   */
  current?: string
}

const NONCE_BYTES = 12
const TAG_BYTES = 16
const ALGORITHM = 'aes-256-gcm'

/**
 * AES-256-GCM codec (id `'aes-256-gcm'`, kind `'encryption'`) on node:crypto.
 *
 * Output: `nonce (12 bytes) | ciphertext | tag (16 bytes)`. The nonce is random per entry, the key id goes
 * into the envelope (`ctx.param`), and the full cache key (`namespace:key`) is authenticated as associated
 * data, so an entry copied under another key does not decrypt. Any tampering, a wrong or removed key, or a
 * moved entry fails with `E_DECODE`, which the engine turns into a miss.
 */
export class AesGcmCodec implements Codec {
  readonly id = 'aes-256-gcm'
  readonly kind = 'encryption' as const
  /** Id of the key new entries are encrypted with. */
  readonly current: string
  /** Ids of every key that can decrypt. */
  readonly keyIds: readonly string[]
  readonly #keys: Map<string, KeyObject>
  readonly #currentKey: KeyObject

  constructor(options: AesGcmOptions) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-aes: options must be an object with keys and current, got ${String(options)}`,
      )
    }
    const { keys, current } = options
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys) || keys instanceof Uint8Array) {
      throw new CacheError('E_INVALID_OPTION', 'codec-aes: option keys must be an object of { [keyId]: key }')
    }
    this.#keys = new Map()
    for (const [id, material] of Object.entries(keys)) {
      const idProblem = keyIdProblem(id)
      if (idProblem)
        throw new CacheError('E_INVALID_OPTION', `codec-aes: key id '${id}' is invalid: ${idProblem}`)
      const key = parseKey(material)
      if (typeof key === 'string')
        throw new CacheError('E_INVALID_OPTION', `codec-aes: keys['${id}']: ${key}`)
      this.#keys.set(id, createSecretKey(key))
      key.fill(0)
    }
    if (this.#keys.size === 0) throw new CacheError('E_INVALID_OPTION', 'codec-aes: option keys is empty')
    // As with TIERSTACK_AES_KEYS: the last key listed is the newest, so rotating is appending a key.
    const currentId = current ?? [...this.#keys.keys()].at(-1)!
    const currentKey = this.#keys.get(currentId)
    if (!currentKey) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-aes: option current '${String(currentId)}' is not one of keys (${[...this.#keys.keys()].join(', ')})`,
      )
    }
    this.current = currentId
    this.#currentKey = currentKey
    this.keyIds = Object.freeze([...this.#keys.keys()])
  }

  encode(bytes: Uint8Array, ctx: CodecContext): Uint8Array {
    if (typeof ctx?.key !== 'string') {
      // The key is bound as associated data: without it there is nothing to bind, and decode could not check.
      throw new CacheError(
        'E_INVALID_OPTION',
        'codec-aes: encode needs ctx.key (the cache key bound as associated data)',
      )
    }
    const n = bytes.length
    const out = Buffer.allocUnsafe(NONCE_BYTES + n + TAG_BYTES)
    const nonce = out.subarray(0, NONCE_BYTES)
    randomFillSync(nonce)
    const cipher = createCipheriv(ALGORITHM, this.#currentKey, nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(Buffer.from(ctx.key, 'utf8'))
    // GCM is a stream mode: update() returns exactly n bytes (final() none), copied once into place.
    out.set(cipher.update(bytes), NONCE_BYTES)
    cipher.final()
    out.set(cipher.getAuthTag(), NONCE_BYTES + n)
    ctx.param = this.current
    return out
  }

  /**
   * Decrypts with the key named by `ctx.param` (the engine records it in the envelope). A caller that has
   * no key id (a bare `{ key }` context) gets each listed key tried, current first: GCM's tag tells which
   * one is right, so a wrong key can never produce plaintext.
   */
  decode(bytes: Uint8Array, ctx: CodecContext): Uint8Array {
    if (!(bytes instanceof Uint8Array) || bytes.length < NONCE_BYTES + TAG_BYTES) {
      throw new CacheError(
        'E_DECODE',
        `codec-aes: entry is too short to be AES-GCM output (${bytes?.length ?? 0} bytes)`,
      )
    }
    if (typeof ctx?.key !== 'string') {
      throw new CacheError(
        'E_DECODE',
        'codec-aes: decode needs ctx.key (the cache key bound as associated data)',
      )
    }
    const param = ctx.param
    if (param === undefined || param === '') {
      const ids = [this.current, ...this.keyIds.filter((id) => id !== this.current)]
      let last: unknown
      for (const id of ids) {
        try {
          return this.#decrypt(bytes, ctx.key, id)
        } catch (err) {
          last = err
        }
      }
      throw last
    }
    return this.#decrypt(bytes, ctx.key, param)
  }

  #decrypt(bytes: Uint8Array, cacheKey: string, keyId: string): Uint8Array {
    const key = this.#keys.get(keyId)
    if (!key) {
      throw new CacheError(
        'E_DECODE',
        `codec-aes: entry was encrypted with key id '${keyId}', which is not in keys (${this.keyIds.join(', ')})`,
      )
    }
    const tagAt = bytes.length - TAG_BYTES
    try {
      const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, NONCE_BYTES), {
        authTagLength: TAG_BYTES,
      })
      decipher.setAuthTag(bytes.subarray(tagAt))
      decipher.setAAD(Buffer.from(cacheKey, 'utf8'))
      const plain = decipher.update(bytes.subarray(NONCE_BYTES, tagAt))
      decipher.final() // throws when the tag does not match: tampered, wrong key, or another cache key
      return plain
    } catch (err) {
      throw new CacheError(
        'E_DECODE',
        `codec-aes: entry failed authentication with key id '${keyId}' (tampered, copied from another key, or a different key under the same id)`,
        { cause: err },
      )
    }
  }
}

/**
 * Creates an AES-256-GCM codec (id `'aes-256-gcm'`, kind `'encryption'`).
 *
 * @example
 * const cache = createCache({ tiers, codecs: [aesGcm({ keys: { k2: process.env.KEY_2!, k1: process.env.KEY_1! }, current: 'k2' })] })
 */
export function aesGcm(options: AesGcmOptions): AesGcmCodec {
  return new AesGcmCodec(options)
}
