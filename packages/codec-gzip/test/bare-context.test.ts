import { describe, expect, it } from '@jest/globals'
import { gzip } from '../src/index.js'

describe('gzip() with a DESIGN.md §2 caller that reuses one context for encode and decode', () => {
  it('decode() returns a skipped (small) payload as it is, and round-trips a compressed one', async () => {
    const codec = gzip({ minBytes: 1024 })
    const small = new TextEncoder().encode('tiny')
    const ctx = { key: 'ns:k' } as { key: string; param: string; skipped: boolean }
    const enc = await codec.encode(small, ctx)
    expect(ctx.skipped).toBe(true)
    expect(Buffer.from(await codec.decode(enc, ctx))).toEqual(Buffer.from(small))
    const big = new TextEncoder().encode('abc'.repeat(5000))
    const ctx2 = { key: 'ns:k' } as { key: string; param: string; skipped: boolean }
    const enc2 = await codec.encode(big, ctx2)
    expect(enc2.length).toBeLessThan(big.length / 4)
    expect(Buffer.from(await codec.decode(enc2, ctx2))).toEqual(Buffer.from(big))
  })
})
