import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import type { Codec, CodecContext, Serializer } from '@tierstack/core'
import { defineCommand, formatRatio, markdownTable, note, output } from '../command.js'
import { flag } from '../flags.js'
import { interleave } from '../workloads/interleave.js'
import { type BenchClock, measureOps, median } from '../workloads/measure.js'
import { seededRandom } from '../workloads/random.js'

/** One row of the JSON output: our codec against the library it wraps, on one payload size. */
export interface CodecRow {
  /** What is measured, e.g. `'lz4 vs lz4-napi'`. */
  pair: string
  /** Payload size in bytes (the JSON text of the payload). */
  bytes: number
  /** encode + decode throughput of our codec, in MB of payload (10^6 bytes) per second of the clock. Median of the rounds. */
  oursMBps: number
  /** The same for the baseline. */
  baselineMBps: number
  /** oursMBps / baselineMBps. The target is at least 0.85 against the raw library. */
  relative: number
  /** Payload bytes / encoded bytes of our codec (compression ratio; below 1 for encryption overhead). */
  sizeRatio: number
}

/** A round trip that returns the encoded size (so the work cannot be optimized away). */
type RoundTrip = () => number | Promise<number>

interface Pair {
  name: string
  ours: (payload: Payload) => RoundTrip
  baseline: (payload: Payload) => RoundTrip
  /** Encoded size of our codec for the payload. */
  encodedSize: (payload: Payload) => Promise<number>
}

interface Payload {
  value: unknown
  bytes: Buffer
}

const WORDS =
  'the quick brown fox jumps over lazy dog cache tier stack value entry redis sqlite memory order user'.split(
    ' ',
  )

/**
 * A JSON-like API response of about `size` bytes: records with ids, hex tokens, names, numbers, booleans,
 * ISO dates, a nested object and a short sentence — repetitive keys like real JSON, values less so.
 */
export function jsonLikePayload(size: number, seed = 42): Payload {
  const rand = seededRandom(seed) // the same payload on every run
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('')
  const items: unknown[] = []
  let length = 2
  for (let i = 0; length < size; i++) {
    const item = {
      id: i,
      uuid: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      name: `${pick()} ${pick()}`,
      email: `${pick()}.${i}@example.com`,
      active: rand() < 0.7,
      score: Math.round(rand() * 100_000) / 100,
      createdAt: new Date(1_700_000_000_000 + Math.floor(rand() * 1e10)).toISOString(),
      address: { city: pick(), zip: String(10_000 + Math.floor(rand() * 89_999)), country: 'FR' },
      tags: [pick(), pick()],
      note: Array.from({ length: 4 + Math.floor(rand() * 8) }, pick).join(' '),
    }
    items.push(item)
    length += JSON.stringify(item).length + 1
  }
  // Trim to the exact size is not possible for a value; the byte count reported is the real one.
  const value = { page: 1, total: items.length, items }
  return { value, bytes: Buffer.from(JSON.stringify(value)) }
}

function ctx(key: string): CodecContext {
  return { key, param: '', skipped: false }
}

/** Encode then decode with a tierstack codec, awaiting only when the codec went async. */
function codecRoundTrip(codec: Codec, input: Uint8Array): RoundTrip {
  return () => {
    const c = ctx('bench:key')
    const encoded = codec.encode(input, c)
    if (encoded instanceof Uint8Array) {
      const decoded = c.skipped
        ? encoded
        : codec.decode(encoded, { key: 'bench:key', param: c.param, skipped: false })
      if (decoded instanceof Uint8Array) return encoded.length + decoded.length
      return Promise.resolve(decoded).then((d) => encoded.length + d.length)
    }
    return encoded.then(
      async (e) =>
        e.length +
        (c.skipped ? e : await codec.decode(e, { key: 'bench:key', param: c.param, skipped: false })).length,
    )
  }
}

async function codecEncodedSize(codec: Codec, input: Uint8Array): Promise<number> {
  return (await codec.encode(input, ctx('bench:key'))).length
}

function serializerRoundTrip(s: Serializer, value: unknown): RoundTrip {
  return () => {
    const bytes = s.serialize(value)
    s.deserialize(bytes)
    return bytes.length
  }
}

/** The pairs measured; packages are imported here, lazily, so other commands never need them built. */
async function loadPairs(): Promise<Pair[]> {
  const [{ lz4 }, { gzip }, { aesGcm }, { msgpack }, lz4napi, { Packr }] = await Promise.all([
    import('@tierstack/codec-lz4'),
    import('@tierstack/codec-gzip'),
    import('@tierstack/codec-aes'),
    import('@tierstack/codec-msgpack'),
    import('lz4-napi'),
    import('msgpackr'),
  ])
  const key = randomBytes(32)
  const ourLz4 = lz4({ minBytes: 0 })
  const ourGzip = gzip({ minBytes: 0 })
  const ourAes = aesGcm({ keys: { k1: key } })
  const ourMsgpack = msgpack()
  const rawPackr = new Packr({ useRecords: false })
  return [
    {
      name: 'lz4 vs lz4-napi',
      ours: (p) => codecRoundTrip(ourLz4, p.bytes),
      baseline: (p) => () => {
        const c = lz4napi.compressSync(p.bytes)
        return c.length + lz4napi.uncompressSync(c).length
      },
      encodedSize: (p) => codecEncodedSize(ourLz4, p.bytes),
    },
    {
      name: 'gzip vs zlib',
      ours: (p) => codecRoundTrip(ourGzip, p.bytes),
      baseline: (p) => () => {
        const c = zlib.gzipSync(p.bytes, { level: 6 })
        return c.length + zlib.gunzipSync(c).length
      },
      encodedSize: (p) => codecEncodedSize(ourGzip, p.bytes),
    },
    {
      name: 'aes-256-gcm vs node:crypto',
      ours: (p) => codecRoundTrip(ourAes, p.bytes),
      baseline: (p) => () => {
        // What a careful hand-written version does: random nonce, cache key as AAD, nonce|ct|tag.
        const aad = Buffer.from('bench:key')
        const nonce = randomBytes(12)
        const cipher = createCipheriv('aes-256-gcm', key, nonce)
        cipher.setAAD(aad)
        const sealed = Buffer.concat([nonce, cipher.update(p.bytes), cipher.final(), cipher.getAuthTag()])
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
        decipher.setAuthTag(sealed.subarray(sealed.length - 16))
        decipher.setAAD(Buffer.from('bench:key'))
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(12, sealed.length - 16)),
          decipher.final(),
        ])
        return sealed.length + plain.length
      },
      encodedSize: (p) => codecEncodedSize(ourAes, p.bytes),
    },
    {
      name: 'msgpack vs msgpackr',
      ours: (p) => serializerRoundTrip(ourMsgpack, p.value),
      baseline: (p) => () => {
        const bytes = rawPackr.pack(p.value)
        rawPackr.unpack(bytes)
        return bytes.length
      },
      encodedSize: async (p) => ourMsgpack.serialize(p.value).length,
    },
    {
      name: 'msgpack vs JSON',
      ours: (p) => serializerRoundTrip(ourMsgpack, p.value),
      baseline: (p) => () => {
        const bytes = Buffer.from(JSON.stringify(p.value))
        JSON.parse(bytes.toString('utf8'))
        return bytes.length
      },
      encodedSize: async (p) => ourMsgpack.serialize(p.value).length,
    },
  ]
}

/**
 * MB/s of `bytes` per call of `fn`, run for at least `ms` of the clock and at least 3 times, reading the clock
 * after every call (one call may take milliseconds). Results are awaited only when they are promises, and
 * summed so the work cannot be optimized away.
 */
async function throughput(fn: RoundTrip, bytes: number, ms: number, clock: BenchClock): Promise<number> {
  let sink = 0
  const { opsPerSec } = await measureOps(
    () => {
      const r = fn()
      if (typeof r === 'number') sink += r
      else
        return r.then((n) => {
          sink += n
        })
    },
    { timeMs: ms, clock, checkEvery: 1, minCalls: 3, awaitResults: 'promises' },
  )
  if (sink < 0) note('impossible') // keeps `sink` observable
  return (bytes * opsPerSec) / 1e6
}

/**
 * Measures every pair on every size. Ours and the baseline alternate round by round (after a warm-up of
 * each), so a noisy neighbour on a shared machine slows both alike; the median round is reported.
 */
export async function measureCodecs(
  sizes: number[],
  rounds: number,
  ms: number,
  clock: BenchClock,
  only?: string,
): Promise<CodecRow[]> {
  const rows: CodecRow[] = []
  const pairs = (await loadPairs()).filter(
    (p) => only === undefined || p.name.toLowerCase().includes(only.toLowerCase()),
  )
  if (pairs.length === 0) throw new Error(`--only '${only}' matches no pair`)
  for (const size of sizes) {
    const payload = jsonLikePayload(size)
    const bytes = payload.bytes.length
    for (const pair of pairs) {
      note(`codecs: ${pair.name}, ${bytes} bytes`)
      const ours = pair.ours(payload)
      const baseline = pair.baseline(payload)
      await throughput(ours, bytes, ms, clock)
      await throughput(baseline, bytes, ms, clock)
      // Interleaved rounds: which side goes first alternates, so neither always runs right after a GC of the other.
      const [o, b] = await interleave([ours, baseline], rounds, (fn) => throughput(fn, bytes, ms, clock))
      const oursMBps = median(o!)
      const baselineMBps = median(b!)
      rows.push({
        pair: pair.name,
        bytes,
        oursMBps,
        baselineMBps,
        relative: oursMBps / baselineMBps,
        sizeRatio: bytes / (await pair.encodedSize(payload)),
      })
    }
  }
  return rows
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

export default defineCommand({
  name: 'codecs',
  description: 'encode+decode MB/s of lz4, gzip, aes-256-gcm and msgpack against their raw libraries',
  flags: {
    sizes: flag.ints([1024, 65_536, 1_048_576], 'payload sizes, bytes of JSON'),
    rounds: flag.int(9, 'alternating rounds per pair and size (the median is reported)'),
    ms: flag.int(100, 'time per round and side, ms'),
    clock: flag.clock(),
    only: flag.string('measure only the pairs whose name contains this (e.g. lz4)'),
  },
  async run({ sizes, rounds, ms, clock, only, json }) {
    const rows = await measureCodecs(sizes, rounds, ms, clock, only)
    output(json, { node: process.version, clock, rounds, ms, rows }, () =>
      [
        `Codecs, encode + decode, MB/s of JSON payload per ${clock === 'cpu' ? 'CPU second' : 'second'} (median of ${rounds} alternating rounds of ${ms} ms; node ${process.version}).`,
        '',
        markdownTable(
          ['pair', 'payload', 'ours MB/s', 'baseline MB/s', 'ours / baseline', 'size ratio'],
          rows.map((r) => [
            r.pair,
            formatBytes(r.bytes),
            r.oursMBps.toFixed(1),
            r.baselineMBps.toFixed(1),
            formatRatio(r.relative),
            formatRatio(r.sizeRatio),
          ]),
        ),
        '',
        'size ratio = payload bytes / our encoded bytes (compression ratio; AES adds 28 bytes; msgpack vs JSON text).',
      ].join('\n'),
    )
  },
})
