import zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { type CodecContext, isCacheError } from '@tierstack/core'
import { gzip } from '../src/index.js'

/** mulberry32: a seeded PRNG, so a failing input can be reproduced from the seed in the test name. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEED = 0x677a6970

/** 10,000 inputs: random bytes (a third behind a valid gzip header), and valid entries with bytes flipped or cut off. */
function* inputs(valid: Uint8Array[]): Generator<Uint8Array> {
  const rand = prng(SEED)
  const byte = () => Math.floor(rand() * 256)
  for (let i = 0; i < 10_000; i++) {
    if (i % 2 === 0) {
      const out = new Uint8Array(Math.floor(rand() ** 2 * 512))
      for (let j = 0; j < out.length; j++) out[j] = byte()
      if (i % 3 === 0 && out.length >= 10) out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])
      yield out
    } else {
      const base = valid[i % valid.length]!
      const out = Uint8Array.from(base)
      const flips = 1 + Math.floor(rand() * 4)
      for (let f = 0; f < flips; f++) out[Math.floor(rand() * out.length)] = byte()
      yield rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out
    }
  }
}

describe('gzip() fuzz', () => {
  it(`decode() on 10,000 random and mutated inputs (seed ${SEED}) returns bytes or throws E_DECODE, nothing else`, () => {
    const codec = gzip({ maxDecodedBytes: '1mb' })
    const ctx: CodecContext = { key: 'ns:k', param: '', skipped: false }
    const valid = [
      zlib.gzipSync(Buffer.from('{"a":1,"b":[1,2,3]}'.repeat(100))),
      zlib.gzipSync(Buffer.alloc(100_000)),
      zlib.gzipSync(Buffer.from('tiny')),
    ]
    let decoded = 0
    let rejected = 0
    for (const input of inputs(valid)) {
      try {
        const out = codec.decode(input, ctx)
        expect(out).toBeInstanceOf(Uint8Array)
        decoded++
      } catch (err) {
        if (!isCacheError(err, 'E_DECODE'))
          throw new Error(`unexpected error for ${Buffer.from(input).toString('hex')}: ${String(err)}`)
        rejected++
      }
    }
    expect(decoded + rejected).toBe(10_000)
    expect(rejected).toBeGreaterThan(9000)
  })
})
