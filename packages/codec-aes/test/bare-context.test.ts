import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { aesGcm } from '../src/index.js'

describe('aesGcm() with a bare { key } context (DESIGN.md §2 callers)', () => {
  it('decode() finds the key without ctx.param, trying the current key first', () => {
    const old = randomBytes(32)
    const codec1 = aesGcm({ keys: { k1: old }, current: 'k1' })
    const codec2 = aesGcm({ keys: { k1: old, k2: randomBytes(32) }, current: 'k2' })
    const plain = new TextEncoder().encode('secret value')
    const written = codec1.encode(plain, { key: 'ns:a' } as never)
    expect(Buffer.from(codec2.decode(written, { key: 'ns:a' } as never))).toEqual(Buffer.from(plain))
    const fresh = codec2.encode(plain, { key: 'ns:a' } as never)
    expect(Buffer.from(codec2.decode(fresh, { key: 'ns:a' } as never))).toEqual(Buffer.from(plain))
  })

  it('decode() without ctx.param still refuses another cache key and tampering with E_DECODE', () => {
    const codec = aesGcm({ keys: { k1: randomBytes(32), k2: randomBytes(32) }, current: 'k1' })
    const out = codec.encode(new Uint8Array([1, 2, 3]), { key: 'ns:a' } as never)
    for (const [bytes, key] of [
      [out, 'ns:b'],
      [Uint8Array.from(out, (b: number, i: number) => (i === 13 ? b ^ 1 : b)), 'ns:a'],
    ] as const) {
      let err: unknown
      try {
        codec.decode(bytes, { key } as never)
      } catch (e) {
        err = e
      }
      expect(isCacheError(err, 'E_DECODE')).toBe(true)
    }
  })

  it('encode() without a context (or without ctx.key) throws a CacheError naming ctx.key, not a TypeError', () => {
    const codec = aesGcm({ keys: { k1: randomBytes(32) }, current: 'k1' })
    for (const ctx of [undefined, {}]) {
      let err: unknown
      try {
        codec.encode(new Uint8Array([1, 2, 3]), ctx as never)
      } catch (e) {
        err = e
      }
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
      expect((err as Error).message).toMatch(/ctx\.key/)
    }
  })
})
