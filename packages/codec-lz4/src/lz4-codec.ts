import { type ByteSize, CacheError, type Codec, type CodecContext, parseBytes } from '@tierstack/core'
import { compressSync, uncompressSync } from 'lz4-napi'

/** Options of `lz4()`. */
export interface Lz4CodecOptions {
  /**
   * Payloads smaller than this are stored as they are. Bytes, or a string such as `'1kb'`.
   * @default 1024
   */
  minBytes?: ByteSize
  /**
   * Decoding refuses entries that declare more than this many decoded bytes (`E_DECODE`), before
   * allocating anything (decompression-bomb guard). Bytes, or a string such as `'512mb'`.
   * @default '512mb'
   */
  maxDecodedBytes?: ByteSize
}

const DEFAULT_MAX_DECODED = 512 * 1024 * 1024
/** lz4-napi's block format: the decoded length as a little-endian u32, then one LZ4 block. */
const HEADER_BYTES = 4
/**
 * A stored payload: a header declaring 0 decoded bytes, then the payload. No compressed block declares 0 (an
 * empty payload never shrinks), so the header alone tells the two apart and compressed output stays a plain
 * lz4-napi block.
 */
const STORED = 0
/**
 * An LZ4 block cannot expand by more than 255× (each extra byte of a match length adds at most 255 output
 * bytes). A declared length above this bound is corruption, refused before lz4-napi allocates the output.
 */
const MAX_RATIO = 256
const MAX_RATIO_SLACK = 64

/**
 * LZ4 codec (id `'lz4'`, kind `'compression'`) on lz4-napi (LZ4 block format with the decoded size
 * prepended). Several times faster than gzip for a somewhat larger output.
 *
 * The output describes itself, so `decode()` needs no context: a compressed payload is an lz4-napi block (its
 * header declares at least one decoded byte), and a payload under `minBytes`, one that does not shrink, or one
 * above `maxDecodedBytes` is stored as a header declaring 0 followed by the payload as it is. For those, encode
 * also sets `ctx.skipped`, so the engine keeps the payload itself and the envelope records no codec.
 *
 * LZ4 blocks carry no checksum: corruption is caught by the length checks here, by the decoder's bounds
 * checks, and finally by the serializer; put `aesGcm()` after it when entries must be tamper-evident.
 */
export class Lz4Codec implements Codec {
  readonly id = 'lz4'
  readonly kind = 'compression' as const
  /** Payloads below this many bytes are not compressed. */
  readonly minBytes: number
  /** Decoding never produces more than this many bytes. */
  readonly maxDecodedBytes: number

  constructor(options: Lz4CodecOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError('E_INVALID_OPTION', `codec-lz4: options must be an object, got ${String(options)}`)
    }
    const { minBytes = 1024, maxDecodedBytes = DEFAULT_MAX_DECODED } = options
    this.minBytes = parseBytes(minBytes, 'codec-lz4: option minBytes')
    this.maxDecodedBytes = parseBytes(maxDecodedBytes, 'codec-lz4: option maxDecodedBytes')
    if (this.maxDecodedBytes < 1 || this.maxDecodedBytes > 0xffffffff) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `codec-lz4: option maxDecodedBytes must be from 1 to 4294967295 (the format's limit), got ${String(maxDecodedBytes)}`,
      )
    }
  }

  /**
   * Compresses `bytes`, or stores them framed (see the class) and sets `ctx.skipped`. The context is optional:
   * lz4 does not use the key.
   */
  encode(bytes: Uint8Array, ctx?: CodecContext): Uint8Array {
    // Above maxDecodedBytes our own decoder would refuse a compressed block: store the payload instead.
    if (bytes.length < this.minBytes || bytes.length > this.maxDecodedBytes) return store(bytes, ctx)
    const out = compressSync(asBuffer(bytes))
    return out.length < bytes.length ? out : store(bytes, ctx)
  }

  /** Decodes what `encode()` produced from the bytes alone; the context is not needed. */
  decode(bytes: Uint8Array, _ctx?: CodecContext): Uint8Array {
    if (!(bytes instanceof Uint8Array) || bytes.length < HEADER_BYTES) {
      throw new CacheError('E_DECODE', `codec-lz4: input is not an lz4 block (${bytes?.length ?? 0} bytes)`)
    }
    // Read the declared length ourselves: lz4-napi allocates it up front, even for a 5-byte input.
    const declared = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
    // A view, not a copy: a stored payload can be as large as the entry, and the caller's bytes stay untouched.
    if (declared === STORED) return bytes.subarray(HEADER_BYTES)
    if (bytes.length === HEADER_BYTES) {
      throw new CacheError('E_DECODE', `codec-lz4: entry declares ${declared} bytes but holds no block`)
    }
    if (declared > this.maxDecodedBytes) {
      throw new CacheError(
        'E_DECODE',
        `codec-lz4: entry declares ${declared} decoded bytes, more than maxDecodedBytes (${this.maxDecodedBytes})`,
      )
    }
    if (declared > (bytes.length - HEADER_BYTES) * MAX_RATIO + MAX_RATIO_SLACK) {
      throw new CacheError(
        'E_DECODE',
        `codec-lz4: entry declares ${declared} bytes from ${bytes.length}: not an lz4 block`,
      )
    }
    let out: Buffer
    try {
      out = uncompressSync(bytes)
    } catch (err) {
      throw new CacheError('E_DECODE', `codec-lz4 cannot decompress the entry: ${(err as Error)?.message}`, {
        cause: err,
      })
    }
    // lz4-napi returns a short buffer when the block ends early instead of failing.
    if (out.length !== declared) {
      throw new CacheError(
        'E_DECODE',
        `codec-lz4: entry decoded to ${out.length} bytes, its header says ${declared}`,
      )
    }
    return out
  }
}

/**
 * Frames `bytes` as stored. `ctx.skipped` tells the engine it may keep the payload itself (no codec recorded, no
 * decode on read); the framed output is what any other caller keeps, and it decodes without a context.
 */
function store(bytes: Uint8Array, ctx: CodecContext | undefined): Uint8Array {
  if (ctx != null) ctx.skipped = true
  const out = Buffer.allocUnsafe(HEADER_BYTES + bytes.length)
  out.writeUInt32LE(STORED, 0)
  out.set(bytes, HEADER_BYTES)
  return out
}

/** lz4-napi's typings ask for a Buffer; a view over the same memory costs no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Creates an LZ4 codec (id `'lz4'`, kind `'compression'`).
 *
 * @example
 * const cache = createCache({ tiers, codecs: [lz4({ minBytes: '1kb' })] })
 */
export function lz4(options?: Lz4CodecOptions): Lz4Codec {
  return new Lz4Codec(options)
}
