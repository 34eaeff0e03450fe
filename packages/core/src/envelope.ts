import type { StoredEntry } from './contracts.js'
import { CacheError } from './errors.js'

/**
 * The remote-tier wire format. Self-describing so that changing the serializer or codecs in config never
 * crashes a reader: an entry it cannot decode becomes a miss.
 *
 * Layout (little-endian):
 *   'T' 'S' | version u8 | flags u8 | createdAt f64 | expiresAt f64 | staleUntil f64
 *   | serializer id (u8 len + utf8) | codec count u8, each: id (u8 len + utf8), param (u8 len + utf8)
 *   | tag count u16, each: u16 len + utf8 | payload (rest)
 */
export const ENVELOPE_VERSION = 1
const MAGIC_0 = 0x54
const MAGIC_1 = 0x53
const FIXED = 28

/** A codec that was applied to an entry, with its per-entry parameter (e.g. the AES key id). */
export interface AppliedCodec {
  id: string
  param: string
}

/** Everything in an envelope except the payload. */
export interface EnvelopeHeader {
  createdAt: number
  expiresAt: number
  staleUntil: number
  tags: string[]
  /** Id of the serializer that produced the payload. */
  serializer: string
  /** Codecs applied after serialization, in the order they were applied. */
  codecs: AppliedCodec[]
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

function decodeError(why: string, cause?: unknown): CacheError {
  return new CacheError('E_DECODE', `entry is not a valid tierstack envelope: ${why}`, { cause })
}

/** Builds envelope bytes from a header and a payload. */
export function encodeEnvelope(header: EnvelopeHeader, payload: Uint8Array): Uint8Array {
  const serializer = utf8.encode(header.serializer)
  const codecs = header.codecs.map((c) => [utf8.encode(c.id), utf8.encode(c.param)] as const)
  const tags = header.tags.map((t) => utf8.encode(t))
  if (serializer.length > 255)
    throw new CacheError('E_INVALID_OPTION', 'serializer id is longer than 255 bytes')
  if (codecs.length > 255) throw new CacheError('E_INVALID_OPTION', 'more than 255 codecs')
  if (tags.length > 65535) throw new CacheError('E_INVALID_OPTION', 'more than 65535 tags on one entry')
  let size = FIXED + 1 + serializer.length + 1 + 2 + payload.length
  for (const [id, param] of codecs) {
    if (id.length > 255 || param.length > 255)
      throw new CacheError('E_INVALID_OPTION', 'codec id or param longer than 255 bytes')
    size += 2 + id.length + param.length
  }
  for (const t of tags) {
    if (t.length > 65535) throw new CacheError('E_INVALID_OPTION', 'tag longer than 65535 bytes')
    size += 2 + t.length
  }
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  out[0] = MAGIC_0
  out[1] = MAGIC_1
  out[2] = ENVELOPE_VERSION
  out[3] = 0
  view.setFloat64(4, header.createdAt, true)
  view.setFloat64(12, header.expiresAt, true)
  view.setFloat64(20, header.staleUntil, true)
  let o = FIXED
  out[o++] = serializer.length
  out.set(serializer, o)
  o += serializer.length
  out[o++] = codecs.length
  for (const [id, param] of codecs) {
    out[o++] = id.length
    out.set(id, o)
    o += id.length
    out[o++] = param.length
    out.set(param, o)
    o += param.length
  }
  view.setUint16(o, tags.length, true)
  o += 2
  for (const t of tags) {
    view.setUint16(o, t.length, true)
    o += 2
    out.set(t, o)
    o += t.length
  }
  out.set(payload, o)
  return out
}

// Reading f64 through a shared scratch array avoids a DataView allocation per decode (remote hits decode
// one envelope each). Envelopes are little-endian; big-endian hosts go through DataView.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const scratch = new Float64Array(1)
const scratchBytes = new Uint8Array(scratch.buffer)

/** Reads the little-endian f64 at `o` (no bounds check: callers check the length first). */
export function readF64(bytes: Uint8Array, o: number): number {
  if (!LITTLE_ENDIAN)
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(o, true)
  for (let i = 0; i < 8; i++) scratchBytes[i] = bytes[o + i]!
  return scratch[0]!
}

/** Reads a string of `len` bytes at `start`; short ASCII (ids, most tags) skips TextDecoder's per-call cost. */
function readString(bytes: Uint8Array, start: number, len: number): string {
  const end = start + len
  if (end > bytes.length) throw decodeError('truncated')
  if (len <= 32) {
    let ascii = ''
    let i = start
    for (; i < end; i++) {
      const c = bytes[i]!
      if (c > 0x7f) break
      ascii += String.fromCharCode(c)
    }
    if (i === end) return ascii
  }
  try {
    return fromUtf8.decode(bytes.subarray(start, end))
  } catch (err) {
    throw decodeError('bad utf-8', err)
  }
}

/**
 * Where the payload of `bytes` starts when it is a well-formed envelope of the common shape: written by the
 * serializer whose UTF-8 id is `serializerId`, with no codec and no tag; -1 for anything else (which then
 * goes through `decodeEnvelope`). It checks what `decodeEnvelope` checks for that shape, allocates nothing
 * and reads the header once, so a remote hit need not build a header object, a codec list and a tag list.
 */
export function plainPayloadOffset(bytes: Uint8Array, serializerId: Uint8Array): number {
  const idLength = serializerId.length
  const o = FIXED + 1 + idLength
  if (
    bytes.length < o + 3 ||
    bytes[0] !== MAGIC_0 ||
    bytes[1] !== MAGIC_1 ||
    bytes[2] !== ENVELOPE_VERSION ||
    bytes[FIXED] !== idLength ||
    bytes[o] !== 0 ||
    bytes[o + 1] !== 0 ||
    bytes[o + 2] !== 0
  ) {
    return -1
  }
  for (let i = 0; i < idLength; i++) if (bytes[FIXED + 1 + i] !== serializerId[i]) return -1
  return o + 3
}

/** Parses envelope bytes. Throws `CacheError` `E_DECODE` for anything that is not a well-formed envelope. */
export function decodeEnvelope(bytes: Uint8Array): { header: EnvelopeHeader; payload: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw decodeError('not bytes')
  const n = bytes.length
  if (n < FIXED + 4) throw decodeError(`too short (${n} bytes)`)
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) throw decodeError('bad magic')
  if (bytes[2] !== ENVELOPE_VERSION) throw decodeError(`unknown format version ${bytes[2]}`)
  const createdAt = readF64(bytes, 4)
  const expiresAt = readF64(bytes, 12)
  const staleUntil = readF64(bytes, 20)
  if (
    Number.isNaN(createdAt) ||
    Number.isNaN(expiresAt) ||
    Number.isNaN(staleUntil) ||
    staleUntil < expiresAt
  ) {
    throw decodeError('bad timestamps')
  }
  let o = FIXED
  let len = bytes[o++]!
  const serializer = readString(bytes, o, len)
  o += len
  if (o >= n) throw decodeError('truncated')
  const codecCount = bytes[o++]!
  const codecs: AppliedCodec[] = []
  for (let i = 0; i < codecCount; i++) {
    if (o >= n) throw decodeError('truncated')
    len = bytes[o++]!
    const id = readString(bytes, o, len)
    o += len
    if (o >= n) throw decodeError('truncated')
    len = bytes[o++]!
    const param = readString(bytes, o, len)
    o += len
    codecs.push({ id, param })
  }
  if (o + 2 > n) throw decodeError('truncated')
  const tagCount = bytes[o]! | (bytes[o + 1]! << 8)
  o += 2
  const tags: string[] = []
  for (let i = 0; i < tagCount; i++) {
    if (o + 2 > n) throw decodeError('truncated')
    len = bytes[o]! | (bytes[o + 1]! << 8)
    o += 2
    tags.push(readString(bytes, o, len))
    o += len
  }
  return {
    header: { createdAt, expiresAt, staleUntil, tags, serializer, codecs },
    payload: bytes.subarray(o),
  }
}

/** Serializer id of an envelope that wraps bytes a caller stored directly in a tier (see `envelopeOf`). */
export const RAW_SERIALIZER_ID = 'raw'

/** Whether `bytes` starts like an envelope of this format version (cheap: three bytes). */
export function looksLikeEnvelope(bytes: Uint8Array): boolean {
  return (
    bytes.length >= FIXED + 4 && bytes[0] === MAGIC_0 && bytes[1] === MAGIC_1 && bytes[2] === ENVELOPE_VERSION
  )
}

/**
 * The bytes a tier that keeps only bytes (Redis, Keyv) should store for `entry`. The engine always hands tiers
 * envelopes, which are stored as they are. A caller using the tier directly with arbitrary bytes gets them
 * wrapped in a `'raw'` envelope carrying the entry's times and tags, so `entryFromEnvelope` can give back the
 * very bytes with their TTL.
 */
export function envelopeOf(entry: StoredEntry): Uint8Array {
  const value = entry.value
  if (!(value instanceof Uint8Array)) {
    throw new CacheError(
      'E_INVALID_VALUE',
      `a remote tier stores bytes (Uint8Array), got ${value === null ? 'null' : typeof value}`,
    )
  }
  if (looksLikeEnvelope(value)) return value
  return encodeEnvelope(
    {
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
      staleUntil: entry.staleUntil,
      tags: entry.tags,
      serializer: RAW_SERIALIZER_ID,
      codecs: [],
    },
    value,
  )
}

/**
 * For remote tiers that store only the bytes (Redis): rebuilds the `StoredEntry` from an envelope (for a
 * `'raw'` envelope made by `envelopeOf`, `value` is the caller's original bytes).
 * Throws `CacheError` `E_DECODE` for bytes that are not an envelope.
 */
export function entryFromEnvelope(bytes: Uint8Array): StoredEntry<Uint8Array> {
  const { header, payload } = decodeEnvelope(bytes)
  return {
    value: header.serializer === RAW_SERIALIZER_ID && header.codecs.length === 0 ? payload : bytes,
    createdAt: header.createdAt,
    expiresAt: header.expiresAt,
    staleUntil: header.staleUntil,
    tags: header.tags,
  }
}
