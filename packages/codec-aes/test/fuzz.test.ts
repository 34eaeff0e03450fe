import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { type CodecContext, isCacheError } from '@tierstack/core'
import { aesGcm } from '../src/index.js'

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

const SEED = 0x616573

describe('aesGcm() fuzz', () => {
  it(`decode() on 10,000 random and mutated inputs (seed ${SEED}) throws E_DECODE every time`, () => {
    const codec = aesGcm({ keys: { k1: randomBytes(32), k2: randomBytes(32) }, current: 'k2' })
    const rand = prng(SEED)
    const byte = () => Math.floor(rand() * 256)
    const sealCtx: CodecContext = { key: 'ns:k', param: '', skipped: false }
    const valid = codec.encode(Buffer.from('{"secret":true}'), sealCtx)
    const params = ['k1', 'k2', '', 'k3']
    for (let i = 0; i < 10_000; i++) {
      let input: Uint8Array
      if (i % 2 === 0) {
        input = new Uint8Array(Math.floor(rand() ** 2 * 512))
        for (let j = 0; j < input.length; j++) input[j] = byte()
      } else {
        const copy = Uint8Array.from(valid)
        copy[Math.floor(rand() * copy.length)]! ^= 1 + Math.floor(rand() * 255)
        input = rand() < 0.3 ? copy.subarray(0, Math.floor(rand() * copy.length)) : copy
      }
      const ctx: CodecContext = { key: 'ns:k', param: params[i % params.length]!, skipped: false }
      let error: unknown
      try {
        codec.decode(input, ctx)
      } catch (err) {
        error = err
      }
      if (!isCacheError(error, 'E_DECODE'))
        throw new Error(`input ${i} was not refused with E_DECODE: ${String(error)}`)
    }
    expect(codec.decode(valid, { key: 'ns:k', param: sealCtx.param, skipped: false }).toString()).toBe(
      '{"secret":true}',
    )
  })
})
