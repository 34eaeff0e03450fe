import { describe, expect, it } from '@jest/globals'
import { CacheError, createCache, memoryTier } from '@tierstack/core'

describe('createCache()', () => {
  it('get() returns what set() stored, in the default namespace and in named ones', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    await cache.set('a', { n: 1 })
    await cache.namespace('users').set('a', 'user-a')
    expect(await cache.get('a')).toEqual({ n: 1 })
    expect(await cache.namespace('users').get('a')).toBe('user-a')
    expect(await cache.get('missing')).toBeUndefined()
    await cache.close()
  })

  it('getOrSet() runs the loader once for 1000 concurrent callers on one cold key', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 20))
      return 'v'
    }
    const results = await Promise.all(Array.from({ length: 1000 }, () => cache.getOrSet('cold', loader)))
    expect(calls).toBe(1)
    expect(new Set(results)).toEqual(new Set(['v']))
    const s = cache.stats().namespaces.default!
    expect(s.loaderCalls).toBe(1)
    expect(s.coalesced).toBe(999)
    expect(s.hits + s.misses).toBe(1000)
    expect(s.latency.get.count).toBe(1000)
    await cache.close()
  })

  it('get() rejects an empty key with E_INVALID_KEY', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    await expect(cache.get('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(cache.get('')).rejects.toBeInstanceOf(CacheError)
    await cache.close()
  })
})
