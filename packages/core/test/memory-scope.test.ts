import { describe, expect, it } from '@jest/globals'
import {
  type BoundedStore,
  type BoundedStoreOptions,
  createCache,
  type EvictionStrategy,
  memoryTier,
  referenceStrategy,
} from '@tierstack/core'

/** A reference store that remembers what the memory tier handed it, to check how entries are kept. */
function recording(): { strategy: EvictionStrategy; stored: Map<string, unknown> } {
  const stored = new Map<string, unknown>()
  const strategy: EvictionStrategy = {
    name: 'recording',
    create<V>(options: BoundedStoreOptions<V>): BoundedStore<V> {
      const inner = referenceStrategy().create<V>(options)
      const set = inner.set.bind(inner)
      inner.set = (key, value, expiresAt) => {
        stored.set(key, value)
        return set(key, value, expiresAt)
      }
      return inner
    },
  }
  return { strategy, stored }
}

/** A manual clock shared by the cache and its memory tier (the same function, so plain values are allowed). */
function manualClock(start = 1_000_000) {
  let t = start
  const now = () => t
  return {
    now,
    advance: (ms: number) => {
      t += ms
    },
  }
}

describe('memory tier scopes (how the engine stores entries)', () => {
  it('keeps an untagged entry of the first namespace as its bare value under the bare key', async () => {
    const { strategy, stored } = recording()
    const cache = createCache({ tiers: [memoryTier({ strategy })] })
    await cache.set('a', 42)
    await cache.namespace('users').set('a', 'user-a')
    await cache.set('t', 'tagged', { tags: ['x'] })
    expect(stored.get('a')).toBe(42)
    // Other namespaces are kept under a NUL-marked full key, still as bare values.
    expect(stored.get('\u0000users:a')).toBe('user-a')
    // Tagged entries need their tags: an entry object.
    expect(stored.get('t')).toMatchObject({ value: 'tagged', tags: ['x'] })
    expect(await cache.get('a')).toBe(42)
    expect(await cache.namespace('users').get('a')).toBe('user-a')
    await cache.close()
  })

  it('the full-key methods see entries written through the engine, with their times', async () => {
    const clock = manualClock()
    const tier = memoryTier({ now: clock.now })
    const cache = createCache({ tiers: [tier], now: clock.now, defaults: { ttl: 5000 } })
    await cache.set('a', { n: 1 })
    await cache.namespace('users').set('b', 'bee')
    expect(tier.getSync('default:a')).toEqual({
      value: { n: 1 },
      createdAt: 1_000_000,
      expiresAt: 1_005_000,
      staleUntil: 1_005_000,
      tags: [],
    })
    expect(tier.getSync('users:b')).toMatchObject({ value: 'bee', expiresAt: 1_005_000 })
    expect(tier.getSync('a')).toBeUndefined()
    // And the other way round.
    tier.setSync('default:c', {
      value: 'cee',
      createdAt: 1,
      expiresAt: 2_000_000,
      staleUntil: 2_000_000,
      tags: [],
    })
    expect(await cache.get('c')).toBe('cee')
    expect(await tier.delete(['default:a'])).toBe(1)
    expect(await cache.get('a')).toBeUndefined()
    clock.advance(5000)
    expect(await cache.namespace('users').get('b')).toBeUndefined()
    expect(tier.getSync('users:b')).toBeUndefined()
    await cache.close()
  })

  it('an entry written with a TTL other than the namespace TTL, or with grace, keeps its own times', async () => {
    const clock = manualClock()
    const tier = memoryTier({ now: clock.now })
    const cache = createCache({ tiers: [tier], now: clock.now, defaults: { ttl: 5000 } })
    await cache.set('short', 1, { ttl: 100 })
    await cache.set('graceful', 2, { grace: 1000 })
    expect(tier.getSync('default:short')).toMatchObject({ createdAt: 1_000_000, expiresAt: 1_000_100 })
    expect(tier.getSync('default:graceful')).toMatchObject({ expiresAt: 1_005_000, staleUntil: 1_006_000 })
    clock.advance(100)
    expect(await cache.get('short')).toBeUndefined()
    clock.advance(4900)
    expect(await cache.get('graceful')).toBeUndefined()
    expect(await cache.get('graceful', { allowStale: true })).toBe(2)
    await cache.close()
  })

  it('keys that start with NUL cannot collide with another namespace', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const users = cache.namespace('users')
    await cache.set('x', 'default-x')
    await users.set('x', 'users-x')
    await cache.set('\u0000users:x', 'default-nul-key')
    expect(await cache.get('\u0000users:x')).toBe('default-nul-key')
    expect(await users.get('x')).toBe('users-x')
    expect(await cache.get('x')).toBe('default-x')
    await users.clear()
    expect(await users.get('x')).toBeUndefined()
    expect(await cache.get('\u0000users:x')).toBe('default-nul-key')
    await cache.clear()
    expect(await cache.get('\u0000users:x')).toBeUndefined()
    await cache.close()
  })

  it('clear() and deleteByTag() of one namespace leave the others alone, whichever stores keys bare', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const a = cache.namespace('a')
    const b = cache.namespace('b')
    await a.set('k', 'a1', { tags: ['t'] })
    await b.set('k', 'b1', { tags: ['t'] })
    await a.set('plain', 'a2')
    await b.set('plain', 'b2')
    expect(await b.deleteByTag('t')).toBe(1)
    expect(await b.get('k')).toBeUndefined()
    expect(await a.get('k')).toBe('a1')
    await a.clear()
    expect(await a.get('plain')).toBeUndefined()
    expect(await b.get('plain')).toBe('b2')
    expect(await a.deleteByTag('t')).toBe(0)
    await cache.close()
  })

  it('a cache whose clock is not the tier clock still expires entries on the cache clock', async () => {
    const clock = manualClock(Date.now())
    const { strategy, stored } = recording()
    const cache = createCache({ tiers: [memoryTier({ strategy })], now: clock.now, defaults: { ttl: 1000 } })
    await cache.set('a', 'v')
    expect(stored.get('a')).toMatchObject({ value: 'v' })
    clock.advance(1000)
    expect(await cache.get('a')).toBeUndefined()
    await cache.close()
  })

  it('entries that never expire report createdAt 0 through the full-key methods', async () => {
    const tier = memoryTier()
    const cache = createCache({ tiers: [tier], defaults: { ttl: 'infinite' } })
    await cache.set('a', 'forever')
    expect(tier.getSync('default:a')).toMatchObject({
      value: 'forever',
      createdAt: 0,
      expiresAt: Number.POSITIVE_INFINITY,
    })
    expect(await cache.get('a')).toBe('forever')
    await cache.close()
  })

  it('early refresh still sees the times of a bare entry', async () => {
    const clock = manualClock()
    const cache = createCache({ tiers: [memoryTier({ now: clock.now })], now: clock.now })
    let loads = 0
    const loader = async () => ++loads
    expect(await cache.getOrSet('k', loader, { ttl: 1000, earlyRefresh: 0.5 })).toBe(1)
    clock.advance(400)
    expect(await cache.getOrSet('k', loader, { ttl: 1000, earlyRefresh: 0.5 })).toBe(1)
    expect(loads).toBe(1)
    clock.advance(200)
    expect(await cache.getOrSet('k', loader, { ttl: 1000, earlyRefresh: 0.5 })).toBe(1)
    await new Promise((r) => setTimeout(r, 0))
    expect(loads).toBe(2)
    await cache.close()
  })

  it('two caches sharing one tier share a namespace', async () => {
    const tier = memoryTier()
    const one = createCache({ tiers: [tier] })
    const two = createCache({ tiers: [tier] })
    await one.namespace('s').set('k', 'from-one')
    expect(await two.namespace('s').get('k')).toBe('from-one')
    await two.set('d', 'from-two')
    expect(await one.get('d')).toBe('from-two')
    await one.close()
    await two.close()
  })

  it('capacity evictions are counted per namespace', async () => {
    const cache = createCache({ tiers: [memoryTier({ maxEntries: 2 })] })
    const other = cache.namespace('other')
    await cache.set('a', 1)
    await cache.set('b', 2)
    await other.set('c', 3)
    await other.set('d', 4)
    expect(cache.stats().namespaces.default!.evictions).toBe(2)
    expect(other.stats().evictions).toBe(0)
    await cache.close()
  })
})
