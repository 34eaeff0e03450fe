import { CacheError } from '@tierstack/core'
import type { AesGcmOptions } from './aes-gcm-codec.js'
import { keyIdProblem, parseKey } from './keys.js'

/** The variable `aesKeysFromEnv()` reads the keys from: `id1:key1,id2:key2` (base64 or hex keys). */
export const AES_KEYS_ENV = 'TIERSTACK_AES_KEYS'
/** The variable that picks the current key id; without it, the last key of `TIERSTACK_AES_KEYS` is current. */
export const AES_CURRENT_ENV = 'TIERSTACK_AES_CURRENT'

/**
 * Reads AES keys from the environment, for `aesGcm(aesKeysFromEnv())`.
 *
 * - `TIERSTACK_AES_KEYS` = `id1:key1,id2:key2,…`: each key is 32 bytes as base64 (standard or URL-safe)
 *   or as 64 hex characters; whitespace around entries is ignored. Generate a key with `openssl rand -base64 32`.
 * - `TIERSTACK_AES_CURRENT` (optional) = the id new entries are encrypted with. Without it the LAST key listed
 *   is current, so rotating is: append a new key, deploy; drop the old one once its entries have expired.
 *
 * Throws `CacheError` `E_INVALID_ENV` naming the variable (never the key material) when a variable is
 * missing or malformed.
 */
export function aesKeysFromEnv(
  env: Record<string, string | undefined> = process.env,
): Required<AesGcmOptions> {
  const raw = env[AES_KEYS_ENV]
  if (raw === undefined || raw.trim() === '') {
    throw new CacheError(
      'E_INVALID_ENV',
      `codec-aes: ${AES_KEYS_ENV} is not set (expected 'id1:base64key,id2:hexkey')`,
    )
  }
  const keys: Record<string, Buffer> = {}
  let last: string | undefined
  const entries = raw.split(',')
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!.trim()
    if (entry === '') continue // tolerate a trailing comma
    const colon = entry.indexOf(':')
    if (colon < 0) {
      throw new CacheError(
        'E_INVALID_ENV',
        `codec-aes: ${AES_KEYS_ENV} entry ${i + 1} has no ':' (expected 'id:key')`,
      )
    }
    const id = entry.slice(0, colon).trim()
    const idProblem = keyIdProblem(id)
    if (idProblem) {
      throw new CacheError(
        'E_INVALID_ENV',
        `codec-aes: ${AES_KEYS_ENV} entry ${i + 1} has an invalid key id '${id}': ${idProblem}`,
      )
    }
    if (Object.hasOwn(keys, id)) {
      throw new CacheError('E_INVALID_ENV', `codec-aes: ${AES_KEYS_ENV} lists key id '${id}' twice`)
    }
    const key = parseKey(entry.slice(colon + 1))
    if (typeof key === 'string') {
      throw new CacheError('E_INVALID_ENV', `codec-aes: ${AES_KEYS_ENV} key '${id}': ${key}`)
    }
    keys[id] = key
    last = id
  }
  if (last === undefined) {
    throw new CacheError(
      'E_INVALID_ENV',
      `codec-aes: ${AES_KEYS_ENV} lists no key (expected 'id1:base64key,id2:hexkey')`,
    )
  }
  const chosen = env[AES_CURRENT_ENV]?.trim()
  if (chosen !== undefined && chosen !== '' && !Object.hasOwn(keys, chosen)) {
    throw new CacheError(
      'E_INVALID_ENV',
      `codec-aes: ${AES_CURRENT_ENV} '${chosen}' is not a key id of ${AES_KEYS_ENV} (${Object.keys(keys).join(', ')})`,
    )
  }
  return { keys, current: chosen || last }
}
