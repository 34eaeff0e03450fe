import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { type ByteSize, CacheError, type Codec, type CodecContext, parseBytes } from '@tierstack/core'
import { crc32 } from './crc32.js'

const gzipAsync = promisify(zlib.gzip)
const gunzipAsync = promisify(zlib.gunzip)

/** Options of `gzip()`. */
export interface GzipCodecOptions {
  /**
   * zlib compression level, 0 (store) to 9 (smallest). On JSON-like payloads level 1 is about 2.5× faster
   * than 6 for a 10–15 % larger output; prefer `@tierstack/codec-lz4` when speed matters more than size.
   * @default 6
   */
  level?: number
  /**
   * Payloads smaller than this are stored as they are (gzip's 20-byte framing and the CPU are not worth it).
   * Bytes, or a string such as `'1kb'`.
   * @default 1024
   */
  minBytes?: ByteSize
  /**
   * Decoding refuses to produce more than this many bytes (`E_DECODE`): a corrupted or hostile entry cannot
   * make the process allocate without bound (decompression bomb). Bytes, or a string such as `'512mb'`.
   * @default '512mb'
   */
  maxDecodedBytes?: ByteSize
  /**
   * Payloads of at least this size are (de)compressed on libuv's thread pool instead of the calling thread.
   * The pool costs throughput (about 0.5–0.8× on one stream) but keeps the event loop free: below 2 MiB the
   * synchronous call blocks for less than about 15 ms at level 6. `Infinity` keeps everything synchronous.
   * Bytes, or a string such as `'2mb'`.
   * @default '2mb'
   */
  asyncMinBytes?: ByteSize
}

const DEFAULT_MAX_DECODED = 512 * 1024 * 1024
const DEFAULT_ASYNC_MIN = 2 * 1024 * 1024
/** The smallest possible gzip member (10-byte header, empty deflate block, 8-byte trailer). */
const MIN_GZIP_BYTES = 20
/** First byte of every gzip member (RFC 1952 ID1). */
const GZIP_ID1 = 0x1f
/** First byte of a stored payload: anything but ID1 would do; 0 reads plainly in a hex dump. */
const STORED = 0x00
/** Marker byte and CRC-32 in front of a stored payload. */
const STORED_HEADER_BYTES = 5

/**
 * gzip codec (id `'gzip'`, kind `'compression'`) on node:zlib. A compressed payload is a standard gzip member,
 * so an entry can be inspected with `gunzip`; its CRC-32 catches corruption.
 *
 * The output describes itself, so `decode()` needs no context: a payload under `minBytes`, one that does not
 * shrink, or one above `maxDecodedBytes` is stored as a `0x00` byte, the payload's CRC-32 (little-endian) and
 * the payload as it is; a gzip member starts with `0x1f` instead. For those, encode also sets `ctx.skipped`,
 * so the engine keeps the payload itself and the envelope records no codec.
 */
export class GzipCodec implements Codec {
  readonly id = 'gzip'
  readonly kind = 'compression' as const
  /** The compression level in use. */
  readonly level: number
  /** Payloads below this many bytes are not compressed. */
  readonly minBytes: number
  /** Decoding never produces more than this many bytes. */
  readonly maxDecodedBytes: number
  /** Payloads of at least this many bytes go to the thread pool. */
  readonly asyncMinBytes: number
  readonly #deflateOptions: zlib.ZlibOptions
  readonly #inflateOptions: zlib.ZlibOptions

  constructor(options: GzipCodecOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-gzip: options must be an object, got ${String(options)}`,
      )
    }
    const {
      level = 6,
      minBytes = 1024,
      maxDecodedBytes = DEFAULT_MAX_DECODED,
      asyncMinBytes = DEFAULT_ASYNC_MIN,
    } = options
    if (!Number.isInteger(level) || level < 0 || level > 9) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-gzip: option level must be an integer from 0 to 9, got ${String(level)}`,
      )
    }
    this.level = level
    this.minBytes = parseBytes(minBytes, 'codec-gzip: option minBytes')
    this.maxDecodedBytes = parseBytes(maxDecodedBytes, 'codec-gzip: option maxDecodedBytes')
    if (this.maxDecodedBytes < 1) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-gzip: option maxDecodedBytes must be at least 1, got ${String(maxDecodedBytes)}`,
      )
    }
    this.asyncMinBytes =
      asyncMinBytes === Number.POSITIVE_INFINITY
        ? asyncMinBytes
        : parseBytes(asyncMinBytes, 'codec-gzip: option asyncMinBytes')
    this.#deflateOptions = { level }
    this.#inflateOptions = { maxOutputLength: this.maxDecodedBytes }
  }

  /**
   * Compresses `bytes` into a gzip member, or stores them framed (see the class) and sets `ctx.skipped`. The
   * context is optional: gzip does not use the key.
   */
  encode(bytes: Uint8Array, ctx?: CodecContext): Uint8Array | Promise<Uint8Array> {
    // Above maxDecodedBytes our own decoder would refuse a gzip member: store the payload instead.
    if (bytes.length < this.minBytes || bytes.length > this.maxDecodedBytes) return store(bytes, ctx)
    if (bytes.length >= this.asyncMinBytes) {
      return gzipAsync(bytes, this.#deflateOptions).then((out) =>
        out.length < bytes.length ? out : store(bytes, ctx),
      )
    }
    const out = zlib.gzipSync(bytes, this.#deflateOptions)
    return out.length < bytes.length ? out : store(bytes, ctx)
  }

  /** Decodes what `encode()` produced from the bytes alone; the context is not needed. */
  decode(bytes: Uint8Array, _ctx?: CodecContext): Uint8Array | Promise<Uint8Array> {
    if (bytes instanceof Uint8Array && bytes[0] === STORED) return unstore(bytes)
    if (!(bytes instanceof Uint8Array) || bytes.length < MIN_GZIP_BYTES || bytes[0] !== GZIP_ID1) {
      throw new CacheError('E_DECODE', `codec-gzip: input is not gzip data (${bytes?.length ?? 0} bytes)`)
    }
    if (bytes.length >= this.asyncMinBytes) {
      return gunzipAsync(bytes, this.#inflateOptions).catch((err: unknown) => {
        throw this.#decodeError(err)
      })
    }
    try {
      return zlib.gunzipSync(bytes, this.#inflateOptions)
    } catch (err) {
      throw this.#decodeError(err)
    }
  }

  #decodeError(err: unknown): CacheError {
    const tooLarge = (err as { code?: string })?.code === 'ERR_BUFFER_TOO_LARGE'
    const why = tooLarge
      ? `output exceeds maxDecodedBytes (${this.maxDecodedBytes})`
      : (err as Error)?.message
    return new CacheError('E_DECODE', `codec-gzip cannot decompress the entry: ${why}`, { cause: err })
  }
}

/**
 * Frames `bytes` as stored. `ctx.skipped` tells the engine it may keep the payload itself (no codec recorded, no
 * decode on read); the framed output is what any other caller keeps, and it decodes without a context. The
 * CRC-32 keeps corruption an `E_DECODE` here too, as it is for a gzip member.
 */
function store(bytes: Uint8Array, ctx: CodecContext | undefined): Uint8Array {
  if (ctx != null) ctx.skipped = true
  const out = Buffer.allocUnsafe(STORED_HEADER_BYTES + bytes.length)
  out[0] = STORED
  out.writeUInt32LE(crc32(bytes), 1)
  out.set(bytes, STORED_HEADER_BYTES)
  return out
}

/** The payload of a stored frame: a view, not a copy (it can be as large as the entry). */
function unstore(bytes: Uint8Array): Uint8Array {
  if (bytes.length < STORED_HEADER_BYTES) {
    throw new CacheError('E_DECODE', `codec-gzip: stored entry is truncated (${bytes.length} bytes)`)
  }
  const payload = bytes.subarray(STORED_HEADER_BYTES)
  const want = (bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24)) >>> 0
  if (crc32(payload) !== want) {
    throw new CacheError('E_DECODE', 'codec-gzip: stored entry fails its CRC-32 (corrupted)')
  }
  return payload
}

/**
 * Creates a gzip codec (id `'gzip'`, kind `'compression'`).
 *
 * @example
 * const cache = createCache({ tiers, codecs: [gzip({ level: 6, minBytes: '1kb' })] })
 */
export function gzip(options?: GzipCodecOptions): GzipCodec {
  return new GzipCodec(options)
}
