import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { BytesTier, bytesTier, makeEntry } from '../src/index.js'

// The compliance suite runs on bytesTier in compliance.test.ts; these are its own behaviours.
describe('bytesTier', () => {
  it('bytesTier() reports a remote, non-persistent, non-shared tier with tags and batch', () => {
    const tier = bytesTier()
    expect(tier).toBeInstanceOf(BytesTier)
    expect(tier.name).toBe('bytes')
    expect(tier.kind).toBe('remote')
    expect(tier.capabilities).toEqual({
      ttlPrecisionMs: 1,
      tags: true,
      batch: true,
      persistent: false,
      shared: false,
    })
    expect(bytesTier({ name: 'l2' }).name).toBe('l2')
  })

  it('bytesTier() rejects invalid options with E_INVALID_OPTION', () => {
    for (const bad of [{ name: '' }, { now: 5 as unknown as () => number }, null as unknown as object]) {
      let err: unknown
      try {
        bytesTier(bad)
      } catch (e) {
        err = e
      }
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
    }
  })

  it('set() refuses a live value with E_INVALID_VALUE: a remote tier stores bytes', async () => {
    const tier = bytesTier()
    await expect(tier.set('k', makeEntry('local', { a: 1 }))).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    })
  })

  it('get() honours the injected clock: an entry is gone at staleUntil, and swept from memory', async () => {
    let now = 1000
    const tier = bytesTier({ now: () => now })
    await tier.set('k', makeEntry('remote', 'v', { createdAt: 1000, expiresAt: 1500, staleUntil: 2000 }))
    now = 1999
    expect((await tier.get('k'))?.expiresAt).toBe(1500)
    now = 2000
    expect(await tier.get('k')).toBeUndefined()
    expect(tier.size).toBe(0)
  })

  it('set() sweeps expired entries that are never read again', async () => {
    let now = 0
    const tier = bytesTier({ now: () => now })
    for (let i = 0; i < 1000; i++)
      await tier.set(`old${i}`, makeEntry('remote', 'v', { createdAt: 0, expiresAt: 10 }))
    now = 20
    for (let i = 0; i < 100; i++) await tier.set(`new${i}`, makeEntry('remote', 'v', { createdAt: 20 }))
    expect(tier.size).toBeLessThan(1100)
  })

  it('get() after close() rejects with E_CLOSED and health() reports not ok', async () => {
    const tier = bytesTier()
    await tier.close()
    await expect(tier.get('k')).rejects.toMatchObject({ code: 'E_CLOSED' })
    expect((await tier.health()).ok).toBe(false)
  })
})
