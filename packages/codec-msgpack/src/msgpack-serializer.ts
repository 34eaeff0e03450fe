import { CacheError, type Serializer } from '@tierstack/core'
import { C1, Packr } from 'msgpackr'
import { DepthError, registerMapExtension, tagMaps } from './map-extension.js'

/** Options of `msgpack()`. */
export interface MsgpackSerializerOptions {
  /**
   * Round-trip JavaScript `Map`s (written as MessagePack extension type 77). Costs one walk over the value
   * before packing; with `false`, Maps are written as MessagePack maps and read back as plain objects.
   * @default true
   */
  preserveMaps?: boolean
}

/**
 * MessagePack serializer (id `'msgpack'`) on msgpackr.
 *
 * Portable settings: records and shared structures are off, so every payload is self-contained and any
 * process or version can read it. Round-trips `Date`, `Buffer` (read back as `Buffer`), `Uint8Array` and the
 * other typed arrays, `Map`, `Set`, `BigInt` (any size), `undefined`, `NaN`/`±Infinity`, `RegExp`, `Error`.
 * Functions, symbols and circular structures are refused with `E_SERIALIZE`.
 */
export class MsgpackSerializer implements Serializer {
  readonly id = 'msgpack'
  readonly #packr: Packr
  readonly #preserveMaps: boolean

  constructor(options: MsgpackSerializerOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-msgpack: options must be an object, got ${String(options)}`,
      )
    }
    const { preserveMaps = true } = options
    if (typeof preserveMaps !== 'boolean') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-msgpack: preserveMaps must be a boolean, got ${String(preserveMaps)}`,
      )
    }
    this.#preserveMaps = preserveMaps
    if (preserveMaps) registerMapExtension()
    this.#packr = new Packr({
      // No records, no structures: a payload never depends on state shared between processes or versions.
      useRecords: false,
      // Plain objects are MessagePack maps and read back as objects; Maps go through the extension.
      mapsAsObjects: true,
      // Set, typed arrays, RegExp, Error and BigInt beyond 64 bits as msgpackr extensions.
      moreTypes: true,
      useBigIntExtension: true,
      largeBigIntToFloat: false,
      int64AsType: 'bigint',
      // Objects with more than 65535 keys stay legal (and small objects get a 1-byte header).
      variableMapSize: true,
      // A decoded Buffer must not pin (or alias) the whole entry it came from.
      copyBuffers: true,
      writeFunction: () => {
        throw new TypeError('cannot serialize a function')
      },
    })
  }

  serialize(value: unknown): Uint8Array {
    try {
      return this.#packr.pack(this.#preserveMaps ? tagMaps(value) : value)
    } catch (err) {
      // DepthError: our pre-walk; RangeError: msgpackr's own recursion on a cycle (when preserveMaps is off).
      const why = err instanceof DepthError ? err.message : String((err as Error)?.message ?? err)
      throw new CacheError('E_SERIALIZE', `codec-msgpack cannot serialize the value: ${why}`, { cause: err })
    }
  }

  deserialize(bytes: Uint8Array): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new CacheError('E_DECODE', 'codec-msgpack: payload is not a Uint8Array')
    }
    let value: unknown
    try {
      value = this.#packr.unpack(bytes)
    } catch (err) {
      throw new CacheError('E_DECODE', `codec-msgpack cannot read the payload: ${(err as Error)?.message}`, {
        cause: err,
      })
    }
    // 0xc1 is "never used" in MessagePack; msgpackr returns a marker object for it instead of failing. We never
    // write it, so a payload that is only that byte is garbage. (Nested ones are left alone: finding them would
    // cost a walk over every decoded value.)
    if (value === C1)
      throw new CacheError(
        'E_DECODE',
        'codec-msgpack cannot read the payload: 0xc1 is not a MessagePack value',
      )
    return value
  }
}

/**
 * Creates the MessagePack serializer (id `'msgpack'`).
 *
 * @example
 * const cache = createCache({ tiers: [memoryTier(), redisTier({ url })], serializer: msgpack() })
 */
export function msgpack(options?: MsgpackSerializerOptions): MsgpackSerializer {
  return new MsgpackSerializer(options)
}
