import { describe, expect, it } from '@jest/globals'
import { keyvTier } from '../src/index.js'

describe('keyvTier() used directly with arbitrary bytes (DESIGN.md §2 callers)', () => {
  it('set() then get() returns the very bytes with their times and tags', async () => {
    const tier = keyvTier({ store: new Map() })
    const now = Date.now()
    const bytes = new Uint8Array([7, 0, 255])
    await tier.set('ns:a', {
      value: bytes,
      createdAt: now,
      expiresAt: now + 60_000,
      staleUntil: now + 60_000,
      tags: ['t'],
    })
    const got = await tier.get('ns:a')
    expect([...(got!.value as Uint8Array)]).toEqual([7, 0, 255])
    expect(got).toMatchObject({ createdAt: now, expiresAt: now + 60_000, tags: ['t'] })
    expect(await tier.deleteByTag(['t'], 'ns:')).toBe(1)
    await tier.close()
  })
})
