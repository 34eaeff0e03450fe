import { afterEach, describe, expect, it } from '@jest/globals'
import { CacheError, createCache, memoryTier, type TieredCache } from '@tierstack/core'
import { bytesTier, chaosTier } from '@tierstack/test-suite'

let cache: TieredCache | undefined
afterEach(async () => {
  await cache?.close().catch(() => {})
  cache = undefined
})

describe('per-tier errors count timeouts, like the namespace counters', () => {
  it('three engine timeouts: tier errors 3 and timeouts 3, matching the namespace', async () => {
    const remote = chaosTier(bytesTier({ name: 'remote' }))
    // A high threshold keeps the breaker closed, so every get reaches the hanging tier and times out.
    cache = createCache({
      tiers: [memoryTier(), remote],
      tierTimeout: 20,
      breaker: { failureThreshold: 100 },
    })
    remote.hang()
    for (const k of ['a', 'b', 'c']) expect(await cache.get(k)).toBeUndefined()
    const stats = cache.stats()
    expect(stats.tiers.remote).toMatchObject({ errors: 3, timeouts: 3 })
    expect(stats.namespaces.default).toMatchObject({ errors: 3, timeouts: 3 })
    remote.heal()
  })

  it("a tier's own E_TIER_TIMEOUT (capabilities.timeouts) counts in errors and timeouts", async () => {
    const inner = bytesTier({ name: 'own' })
    const ownDeadline = Object.assign(Object.create(inner), {
      capabilities: { ...inner.capabilities, timeouts: true },
      get: () => Promise.reject(new CacheError('E_TIER_TIMEOUT', 'own deadline')),
    }) as typeof inner
    cache = createCache({ tiers: [memoryTier(), ownDeadline], breaker: { failureThreshold: 100 } })
    await cache.get('x')
    await cache.get('y')
    const stats = cache.stats()
    expect(stats.tiers.own).toMatchObject({ errors: 2, timeouts: 2 })
    expect(stats.namespaces.default).toMatchObject({ errors: 2, timeouts: 2 })
  })

  it('a plain failure counts in errors only', async () => {
    const remote = chaosTier(bytesTier({ name: 'remote' }))
    cache = createCache({ tiers: [memoryTier(), remote], breaker: { failureThreshold: 100 } })
    remote.fail()
    await cache.get('x')
    const stats = cache.stats()
    expect(stats.tiers.remote).toMatchObject({ errors: 1, timeouts: 0 })
    expect(stats.namespaces.default).toMatchObject({ errors: 1, timeouts: 0 })
  })
})
