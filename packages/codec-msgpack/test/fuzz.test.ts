import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { msgpack } from '../src/index.js'

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

const SEED = 0x6d736770

/** 10,000 inputs: half random bytes, half valid payloads with bytes flipped, inserted or cut off. */
function* inputs(valid: Uint8Array[]): Generator<Uint8Array> {
  const rand = prng(SEED)
  const byte = () => Math.floor(rand() * 256)
  for (let i = 0; i < 10_000; i++) {
    if (i % 2 === 0) {
      const out = new Uint8Array(Math.floor(rand() ** 2 * 512))
      for (let j = 0; j < out.length; j++) out[j] = byte()
      yield out
    } else {
      const base = valid[i % valid.length]!
      const out = Uint8Array.from(base)
      const flips = 1 + Math.floor(rand() * 4)
      for (let f = 0; f < flips && out.length > 0; f++) out[Math.floor(rand() * out.length)] = byte()
      yield rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out
    }
  }
}

describe('msgpack() fuzz', () => {
  it(`deserialize() on 10,000 random and mutated inputs (seed ${SEED}) returns a value or throws E_DECODE, nothing else`, () => {
    const s = msgpack()
    const valid = [
      { id: 1, name: 'x', list: [1, 2, 3], nested: { d: new Date(0) } },
      new Map<unknown, unknown>([
        ['a', new Set([1, 2])],
        [2, { b: 3n ** 50n }],
      ]),
      [Buffer.from('abc'), new Uint8Array([1, 2]), 'text', 1.5, null, undefined],
    ].map((v) => s.serialize(v))
    let decoded = 0
    let rejected = 0
    for (const input of inputs(valid)) {
      try {
        s.deserialize(input)
        decoded++
      } catch (err) {
        if (!isCacheError(err, 'E_DECODE'))
          throw new Error(`unexpected error for ${Buffer.from(input).toString('hex')}: ${String(err)}`)
        rejected++
      }
    }
    expect(decoded + rejected).toBe(10_000)
    expect(rejected).toBeGreaterThan(1000)
    // Still healthy afterwards.
    expect(s.deserialize(s.serialize({ ok: true }))).toEqual({ ok: true })
  })
})
