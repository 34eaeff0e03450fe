import { describe, expect, it } from '@jest/globals'
import { type Codec, createCache, memoryTier } from '@tierstack/core'
import { bytesTier, chaosTier } from '@tierstack/test-suite'

function sharedClock() {
  let clock = 7_000_000
  return { now: () => clock, advance: (ms: number) => (clock += ms) }
}

/** A codec that answers asynchronously, so the one-step L2 path must wait for it. */
const asyncXor: Codec = {
  id: 'xor-async',
  encode: async (bytes) => bytes.map((b) => b ^ 0x5a),
  decode: async (bytes) => bytes.map((b) => b ^ 0x5a),
}

describe('get() on a [memory, remote] stack (the one-step L2 path)', () => {
  it('a remote hit is counted, backfilled and then served from memory', async () => {
    const remote = bytesTier({ name: 'remote' })
    await createCache({ tiers: [remote] }).set('k', { deep: [1, 2] })
    const mem = memoryTier()
    const cache = createCache({ tiers: [mem, remote] })
    expect(await cache.get('k')).toEqual({ deep: [1, 2] })
    expect(mem.getSync('default:k')?.value).toEqual({ deep: [1, 2] })
    expect(await cache.get('k')).toEqual({ deep: [1, 2] })
    const s = cache.stats()
    expect(s.namespaces.default!.hitsByTier).toEqual({ memory: 1, remote: 1 })
    expect(s.namespaces.default!.latency.get.count).toBeGreaterThanOrEqual(1)
    expect(s.tiers.memory!.misses).toBe(1)
    expect(await cache.get('absent')).toBeUndefined()
    expect(cache.stats().namespaces.default!.misses).toBe(1)
    expect(cache.stats().tiers.remote!.misses).toBe(1)
    await cache.close()
  })

  it('a remote entry past its TTL but within grace is a miss for get(), a hit with allowStale', async () => {
    const { now, advance } = sharedClock()
    const remote = bytesTier({ name: 'remote', now })
    await createCache({ tiers: [remote], now }).set('k', 'old', { ttl: 1000, grace: 5000 })
    advance(2000)
    const cache = createCache({ tiers: [memoryTier({ now }), remote], now })
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.get('k', { allowStale: true })).toBe('old')
    const s = cache.stats().namespaces.default!
    expect(s.misses).toBe(1)
    expect(s.staleHits).toBe(1)
    await cache.close()
  })

  it('bytes that cannot be decoded are a miss, counted as an error, and deleted from the remote tier', async () => {
    const remote = bytesTier({ name: 'remote' })
    await remote.set('default:bad', {
      value: new Uint8Array([0x54, 0x53, 1, 0, 9, 9, 9]),
      createdAt: 0,
      expiresAt: Date.now() + 60_000,
      staleUntil: Date.now() + 60_000,
      tags: [],
    })
    const cache = createCache({ tiers: [memoryTier(), remote] })
    expect(await cache.get('bad')).toBeUndefined()
    expect(cache.stats().namespaces.default!.errors).toBe(1)
    expect(cache.stats().tiers.remote!.errors).toBe(1)
    await new Promise((r) => setTimeout(r, 10))
    expect(await remote.get('default:bad')).toBeUndefined()
    await cache.close()
  })

  it('a failing remote tier is a miss with an error counted, or a rejection under onTierError: throw', async () => {
    const remote = chaosTier(bytesTier({ name: 'remote' }))
    const cache = createCache({ tiers: [memoryTier(), remote] })
    await cache.set('k', 'v')
    await cache.clear()
    remote.fail(new Error('down'))
    expect(await cache.get('k')).toBeUndefined()
    expect(cache.stats().namespaces.default!.errors).toBe(1)
    const strict = createCache({ tiers: [memoryTier(), remote], onTierError: 'throw' })
    await expect(strict.get('k')).rejects.toMatchObject({ code: 'E_TIER_ERROR' })
    await cache.close()
    await strict.close()
  })

  it('waits for an asynchronous codec', async () => {
    const remote = bytesTier({ name: 'remote' })
    await createCache({ tiers: [remote], codecs: [asyncXor] }).set('k', 'secret')
    const cache = createCache({ tiers: [memoryTier(), remote], codecs: [asyncXor] })
    expect(await cache.get('k')).toBe('secret')
    expect(cache.stats().namespaces.default!.hitsByTier.remote).toBe(1)
    await cache.close()
  })
})
