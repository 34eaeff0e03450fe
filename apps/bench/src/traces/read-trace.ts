import { closeSync, createReadStream, openSync, readSync } from 'node:fs'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/** Trace formats the hit-ratio benchmark reads (see /work/shared/traces/README.md). */
export const traceFormats = ['arc', 'lirs', 'cache2k', 'corda', 'oracleGeneral'] as const
/** One of `traceFormats`. */
export type TraceFormat = (typeof traceFormats)[number]

/**
 * Guesses a trace's format from its file name (`.gz` ignored): `.lis` → arc; a name mentioning cache2k,
 * corda or oracleGeneral (or ending in `.bin`) → that format; anything else → lirs.
 */
export function detectFormat(file: string): TraceFormat {
  const name = basename(file)
    .replace(/\.(gz|gzip)$/i, '')
    .toLowerCase()
  if (name.endsWith('.lis')) return 'arc'
  if (name.includes('cache2k')) return 'cache2k'
  if (name.includes('corda')) return 'corda'
  if (name.includes('oraclegeneral') || name.endsWith('.bin')) return 'oracleGeneral'
  return 'lirs'
}

/** Turns a stream of trace bytes into keys; `push` appends the keys of a chunk to `out`. */
export interface TraceDecoder {
  push(chunk: Buffer, out: string[]): void
  /** Called once at end of input; throws on a truncated record. */
  end(out: string[]): void
}

const ZERO = 48
const NINE = 57
const MINUS = 45
const NEWLINE = 10

/**
 * Text traces, parsed byte by byte (no string per line): integers separated by spaces or tabs, one record
 * per line. A line that does not start with a digit or `-` (blank, `*`, a comment) is skipped. `onLine`
 * receives the integers of one line; a number split across two chunks is carried over.
 */
class TextDecoder implements TraceDecoder {
  readonly #fields: number[] = []
  readonly #onLine: (fields: number[], out: string[]) => void
  #value = 0
  #negative = false
  #inNumber = false
  #skipLine = false
  #lineStart = true
  #line = 1

  constructor(onLine: (fields: number[], out: string[]) => void) {
    this.#onLine = onLine
  }

  push(chunk: Buffer, out: string[]): void {
    const fields = this.#fields
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!
      if (c === NEWLINE) {
        this.#endNumber()
        if (!this.#skipLine && fields.length > 0) this.#onLine(fields, out)
        fields.length = 0
        this.#skipLine = false
        this.#lineStart = true
        this.#line++
        continue
      }
      if (this.#skipLine) continue
      if (c >= ZERO && c <= NINE) {
        this.#value = this.#inNumber ? this.#value * 10 + (c - ZERO) : c - ZERO
        this.#inNumber = true
      } else if (c === MINUS && !this.#inNumber) {
        this.#negative = true
        this.#inNumber = true
        this.#value = 0
      } else if (c === 32 || c === 9 || c === 13 || c === 44) {
        this.#endNumber()
      } else if (this.#lineStart) {
        this.#skipLine = true
        continue
      } else {
        throw new Error(`trace line ${this.#line}: unexpected character '${String.fromCharCode(c)}'`)
      }
      this.#lineStart = false
    }
  }

  end(out: string[]): void {
    this.#endNumber()
    if (!this.#skipLine && this.#fields.length > 0) this.#onLine(this.#fields, out)
    this.#fields.length = 0
  }

  #endNumber(): void {
    if (!this.#inNumber) return
    this.#fields.push(this.#negative ? -this.#value : this.#value)
    this.#inNumber = false
    this.#negative = false
    this.#value = 0
  }
}

/**
 * Fixed-size binary records. Records split across chunks are reassembled in a small carry buffer;
 * `key` reads one record at `offset`.
 */
class BinaryDecoder implements TraceDecoder {
  readonly #size: number
  readonly #key: (buf: Buffer, offset: number) => string
  readonly #carry: Buffer
  #carried = 0

  constructor(recordSize: number, key: (buf: Buffer, offset: number) => string) {
    this.#size = recordSize
    this.#key = key
    this.#carry = Buffer.alloc(recordSize)
  }

  push(chunk: Buffer, out: string[]): void {
    let i = 0
    const size = this.#size
    if (this.#carried > 0) {
      const take = Math.min(size - this.#carried, chunk.length)
      chunk.copy(this.#carry, this.#carried, 0, take)
      this.#carried += take
      i = take
      if (this.#carried < size) return
      out.push(this.#key(this.#carry, 0))
      this.#carried = 0
    }
    const key = this.#key
    const last = chunk.length - size
    for (; i <= last; i += size) out.push(key(chunk, i))
    if (i < chunk.length) {
      chunk.copy(this.#carry, 0, i)
      this.#carried = chunk.length - i
    }
  }

  end(): void {
    if (this.#carried !== 0) {
      throw new Error(`trace ends inside a record: ${this.#carried} of ${this.#size} bytes`)
    }
  }
}

const TWO_32 = 4294967296
/** |value| < 2^53 exactly when the signed high word is in [-2^21, 2^21). */
const SAFE_HIGH = 0x200000

/** A signed 64-bit big-endian integer as its decimal string (exact beyond 2^53). */
function int64BE(buf: Buffer, offset: number): string {
  const hi = buf.readInt32BE(offset)
  if (hi >= -SAFE_HIGH && hi < SAFE_HIGH) return String(hi * TWO_32 + buf.readUInt32BE(offset + 4))
  return buf.readBigInt64BE(offset).toString()
}

/** An unsigned 64-bit little-endian integer as its decimal string (exact beyond 2^53). */
function uint64LE(buf: Buffer, offset: number): string {
  const hi = buf.readUInt32LE(offset + 4)
  if (hi < SAFE_HIGH) return String(hi * TWO_32 + buf.readUInt32LE(offset))
  return buf.readBigUInt64LE(offset).toString()
}

/** A decoder for `format`. */
export function createDecoder(format: TraceFormat): TraceDecoder {
  switch (format) {
    case 'arc':
      // `startBlock count ignore requestNo`: `count` requests for startBlock … startBlock+count−1.
      return new TextDecoder((f, out) => {
        const start = f[0]!
        const count = f.length > 1 ? f[1]! : 1
        for (let k = 0; k < count; k++) out.push(String(start + k))
      })
    case 'lirs':
      return new TextDecoder((f, out) => {
        out.push(String(f[0]!))
      })
    case 'cache2k':
      return new BinaryDecoder(4, (b, o) => String(b.readInt32BE(o)))
    case 'corda':
      return new BinaryDecoder(8, int64BE)
    case 'oracleGeneral':
      // { u32 timestamp, u64 objId, u32 objSize, i64 nextAccessVtime }, little-endian: the key is objId.
      return new BinaryDecoder(24, (b, o) => uint64LE(b, o + 4))
    default:
      throw new Error(`unknown trace format '${String(format)}' (known: ${traceFormats.join(', ')})`)
  }
}

/** Options of `readTrace`. */
export interface ReadTraceOptions {
  /** @default detected from the file name */
  format?: TraceFormat
  /** Keys per yielded batch (a batch may be larger when one arc line expands past it). @default 65536 */
  batchSize?: number
}

/**
 * Streams the requests of a trace file as batches of string keys. Gzip is detected by its magic bytes and
 * decompressed as a stream, so a trace is never held in memory whole (only one batch of keys is).
 */
export async function* readTrace(file: string, options: ReadTraceOptions = {}): AsyncGenerator<string[]> {
  const format = options.format ?? detectFormat(file)
  const batchSize = options.batchSize ?? 65536
  const decoder = createDecoder(format)
  const input = openTrace(file)
  let out: string[] = []
  for await (const chunk of input) {
    decoder.push(chunk as Buffer, out)
    if (out.length >= batchSize) {
      yield out
      out = []
    }
  }
  decoder.end(out)
  if (out.length > 0) yield out
}

/** `true` when the file starts with the gzip magic bytes (1f 8b). */
function isGzip(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(2)
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    closeSync(fd)
  }
}

/** The file's bytes, gunzipped as a stream when compressed; read errors surface on the returned stream. */
function openTrace(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 })
  if (!isGzip(file)) return raw
  const gunzip = createGunzip({ chunkSize: 1 << 18 })
  raw.on('error', (error) => gunzip.destroy(error))
  return raw.pipe(gunzip)
}
