import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { type ByteSize, CacheError, type Codec, type CodecContext, parseBytes } from '@tierstack/core'

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

/**
 * gzip codec (id `'gzip'`, kind `'compression'`) on node:zlib. The output is a standard gzip member, so an
 * entry can be inspected with `gunzip`; its CRC-32 catches corruption. Payloads under `minBytes`, and
 * payloads that do not shrink, are left as they are (`ctx.skipped`), so the envelope records no codec.
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

  encode(bytes: Uint8Array, ctx: CodecContext): Uint8Array | Promise<Uint8Array> {
    // Above maxDecodedBytes our own decoder would refuse the entry: store it as it is instead.
    if (bytes.length < this.minBytes || bytes.length > this.maxDecodedBytes) return skip(bytes, ctx)
    if (bytes.length >= this.asyncMinBytes) {
      return gzipAsync(bytes, this.#deflateOptions).then((out) =>
        out.length < bytes.length ? out : skip(bytes, ctx),
      )
    }
    const out = zlib.gzipSync(bytes, this.#deflateOptions)
    return out.length < bytes.length ? out : skip(bytes, ctx)
  }

  decode(bytes: Uint8Array, ctx?: CodecContext): Uint8Array | Promise<Uint8Array> {
    // A caller holding the context of a skipped encode (payload left as it was) gets it back as it is.
    if (ctx?.skipped === true) return bytes
    if (!(bytes instanceof Uint8Array) || bytes.length < MIN_GZIP_BYTES) {
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

function skip(bytes: Uint8Array, ctx: CodecContext): Uint8Array {
  ctx.skipped = true
  return bytes
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
