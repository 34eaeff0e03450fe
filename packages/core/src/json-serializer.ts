import type { Serializer } from './contracts.js'
import { CacheError } from './errors.js'

/**
 * JSON with a small tagged extension so the types people actually cache round-trip instead of silently
 * degrading (`JSON.stringify` turns a Map into `{}` and a Date into a string):
 * `Date`, `Buffer`/`Uint8Array` (read back as `Buffer`), `BigInt`, `Map`, `Set`, `NaN`/`±Infinity`, `undefined`
 * inside arrays and objects are encoded as `{ "$t": type, "v": … }`. A plain object that itself has a `$t`
 * key is escaped, so no user value is ever mistaken for a tag. Functions, symbols and circular structures are
 * refused with `E_SERIALIZE`.
 */
const TAG = '$t'

function encodeValue(v: unknown, seen: Set<object>): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v
    case 'number':
      return Number.isFinite(v) ? v : { [TAG]: 'num', v: String(v) }
    case 'bigint':
      return { [TAG]: 'big', v: v.toString() }
    case 'undefined':
      return { [TAG]: 'undef' }
    case 'function':
    case 'symbol':
      throw new CacheError('E_SERIALIZE', `json serializer cannot store a ${typeof v}`)
  }
  if (v === null) return null
  const o = v as object
  if (seen.has(o)) throw new CacheError('E_SERIALIZE', 'json serializer cannot store a circular structure')
  seen.add(o)
  try {
    if (Array.isArray(o)) return o.map((x) => encodeValue(x, seen))
    if (o instanceof Date) return { [TAG]: 'date', v: Number.isNaN(o.getTime()) ? null : o.toISOString() }
    if (o instanceof Uint8Array)
      return { [TAG]: 'bin', v: Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64') }
    if (o instanceof Map)
      return { [TAG]: 'map', v: [...o].map(([k, x]) => [encodeValue(k, seen), encodeValue(x, seen)]) }
    if (o instanceof Set) return { [TAG]: 'set', v: [...o].map((x) => encodeValue(x, seen)) }
    if (
      ArrayBuffer.isView(o) ||
      o instanceof ArrayBuffer ||
      o instanceof WeakMap ||
      o instanceof WeakSet ||
      o instanceof Promise
    ) {
      throw new CacheError('E_SERIALIZE', `json serializer cannot store a ${o.constructor.name}`)
    }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(o)) {
      const x = (o as Record<string, unknown>)[k]
      if (typeof x === 'function' || typeof x === 'symbol') {
        throw new CacheError('E_SERIALIZE', `json serializer cannot store a ${typeof x} (property '${k}')`)
      }
      out[k] = encodeValue(x, seen)
    }
    return TAG in out ? { [TAG]: 'obj', v: out } : out
  } finally {
    seen.delete(o)
  }
}

function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(decodeValue)
  const o = v as Record<string, unknown>
  const tag = o[TAG]
  if (tag === undefined) {
    for (const k of Object.keys(o)) o[k] = decodeValue(o[k])
    return o
  }
  switch (tag) {
    case 'num':
      return Number(o.v)
    case 'big':
      if (typeof o.v !== 'string') break
      return BigInt(o.v)
    case 'undef':
      return undefined
    case 'date':
      return new Date(o.v === null ? Number.NaN : (o.v as string))
    case 'bin':
      if (typeof o.v !== 'string') break
      return Buffer.from(o.v, 'base64')
    case 'map':
      if (!Array.isArray(o.v)) break
      return new Map(
        o.v.map((pair) => [decodeValue((pair as unknown[])[0]), decodeValue((pair as unknown[])[1])]),
      )
    case 'set':
      if (!Array.isArray(o.v)) break
      return new Set(o.v.map(decodeValue))
    case 'obj': {
      const inner = o.v as Record<string, unknown>
      for (const k of Object.keys(inner)) inner[k] = decodeValue(inner[k])
      return inner
    }
  }
  throw new CacheError('E_DECODE', `json serializer: unknown or malformed tag '${String(tag)}'`)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Node's UTF-8 slice of a byte range. It needs no view of the range (`TextDecoder` does, and making one
 * costs as much as the decode of a small payload) but does not validate: invalid bytes become U+FFFD.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (start: number, end: number) => string })
  .utf8Slice

/** The text of `bytes[start..]`; invalid UTF-8 throws, exactly as the fatal `TextDecoder` does. */
function utf8Text(bytes: Uint8Array, start: number): string {
  if (utf8Slice === undefined) return decoder.decode(start === 0 ? bytes : bytes.subarray(start))
  const text = utf8Slice.call(bytes, start, bytes.length)
  // U+FFFD in the output is either a replaced invalid sequence or a real one: the strict decoder tells which.
  // A leading BOM is dropped by TextDecoder, so it is dropped here too.
  if (text.includes('\uFFFD')) return decoder.decode(bytes.subarray(start))
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** The built-in serializer (id `'json'`). See the module comment for the types it round-trips. */
export class JsonSerializer implements Serializer {
  readonly id = 'json'

  serialize(value: unknown): Uint8Array {
    // Fast path: plain JSON-safe primitives need no tree walk.
    if (typeof value === 'string') return encoder.encode(JSON.stringify(value))
    try {
      return encoder.encode(JSON.stringify(encodeValue(value, new Set())))
    } catch (err) {
      if (err instanceof CacheError) throw err
      throw new CacheError('E_SERIALIZE', `json serializer failed: ${(err as Error).message}`, { cause: err })
    }
  }

  deserialize(bytes: Uint8Array): unknown {
    return this.deserializeAt(bytes, 0)
  }

  /**
   * `deserialize(bytes.subarray(start))` without making that view: the engine reads the payload where it
   * sits in the envelope.
   * @internal
   */
  deserializeAt(bytes: Uint8Array, start: number): unknown {
    try {
      const text = utf8Text(bytes, start)
      // Tags are only ever written as the key "$t"; text without it holds plain JSON and needs no tree walk
      // (an escaped quote inside a string cannot form the sequence, so no tag is ever missed).
      return text.includes('"$t"') ? decodeValue(JSON.parse(text)) : JSON.parse(text)
    } catch (err) {
      if (err instanceof CacheError) throw err
      throw new CacheError('E_DECODE', `json serializer cannot read the payload: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
}

/** The built-in JSON serializer (id `'json'`): round-trips Date, Buffer/Uint8Array, BigInt, Map, Set, NaN/Infinity. */
export function jsonSerializer(): JsonSerializer {
  return new JsonSerializer()
}
