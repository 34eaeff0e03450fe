import { describe, expect, it } from '@jest/globals'
import {
  type Bus,
  type BusMessage,
  createCache,
  type Lock,
  type LockHandle,
  memoryTier,
} from '@tierstack/core'
import { bytesTier } from '@tierstack/test-suite'

function sharedClock() {
  let clock = 5_000_000
  return { now: () => clock, advance: (ms: number) => (clock += ms) }
}

describe('read path and write path', () => {
  it('get() backfills a lower-tier hit into memory with the remaining TTL', async () => {
    const { now, advance } = sharedClock()
    const remote = bytesTier({ name: 'remote', now })
    const writer = createCache({ tiers: [memoryTier({ now }), remote], now })
    await writer.set('k', 'v', { ttl: '10s' })
    advance(4000)
    const mem = memoryTier({ now })
    const reader = createCache({ tiers: [mem, remote], now })
    expect(await reader.get('k')).toBe('v')
    const entry = mem.getSync('default:k')!
    expect(entry.value).toBe('v')
    expect(entry.expiresAt - now()).toBe(6000)
    expect(reader.stats().namespaces.default!.hitsByTier).toEqual({ memory: 0, remote: 1 })
    // The next read is an L1 hit.
    expect(await reader.get('k')).toBe('v')
    advance(6001)
    expect(await reader.get('k')).toBeUndefined()
    await writer.close()
    await reader.close()
  })

  it('set() writes through every tier of the namespace and tiers: [...] restricts the stack', async () => {
    const remote = bytesTier({ name: 'remote' })
    const cache = createCache({ tiers: [memoryTier(), remote], namespaces: { local: { tiers: ['memory'] } } })
    await cache.set('a', 1)
    await cache.namespace('local').set('b', 2)
    expect(await remote.get('default:a')).toBeDefined()
    expect(await remote.get('local:b')).toBeUndefined()
    expect(() => createCache({ tiers: [memoryTier()], namespaces: { x: { tiers: ['nope'] } } })).toThrow(
      /no tier named 'nope'/,
    )
    await cache.close()
  })

  it('getMany() returns values in key order with one batch per tier, and backfills', async () => {
    const remote = bytesTier({ name: 'remote' })
    const writer = createCache({ tiers: [remote] })
    await writer.setMany([
      ['a', 1],
      ['c', 3],
    ])
    const mem = memoryTier()
    const cache = createCache({ tiers: [mem, remote] })
    await cache.set('b', 2)
    expect(await cache.getMany(['a', 'b', 'c', 'd', 'a'])).toEqual([1, 2, 3, undefined, 1])
    expect(mem.getSync('default:a')?.value).toBe(1)
    await writer.close()
    await cache.close()
  })

  it('clear() on a namespace touches only that namespace, in every tier', async () => {
    const remote = bytesTier({ name: 'remote' })
    const cache = createCache({ tiers: [memoryTier(), remote] })
    await cache.namespace('a').set('k', 1)
    await cache.namespace('ab').set('k', 2)
    await cache.set('k', 3)
    await cache.namespace('a').clear()
    expect(await cache.namespace('a').get('k')).toBeUndefined()
    expect(await cache.namespace('ab').get('k')).toBe(2)
    expect(await cache.get('k')).toBe(3)
    expect(await remote.get('ab:k')).toBeDefined()
    await cache.clear()
    expect(await cache.namespace('ab').get('k')).toBeUndefined()
    expect(await remote.get('ab:k')).toBeUndefined()
    await cache.close()
  })

  it('delete() and deleteMany() remove from every tier and report what existed', async () => {
    const remote = bytesTier({ name: 'remote' })
    const cache = createCache({ tiers: [memoryTier(), remote] })
    await cache.setMany([
      ['a', 1],
      ['b', 2],
    ])
    expect(await cache.delete('a')).toBe(true)
    expect(await cache.delete('a')).toBe(false)
    expect(await cache.deleteMany(['b', 'zz'])).toBe(1)
    expect(await remote.get('default:b')).toBeUndefined()
    expect(await cache.has('b')).toBe(false)
    await cache.close()
  })

  it('deleteByTag() invalidates across memory and a remote tier, and namespaces scope it', async () => {
    const remote = bytesTier({ name: 'remote' })
    const cache = createCache({ tiers: [memoryTier(), remote] })
    const llm = cache.namespace('llm')
    const other = cache.namespace('other')
    await llm.set('q1', 'a1', { tags: ['model:x'] })
    await llm.set('q2', 'a2', { tags: ['model:y'] })
    await other.set('q3', 'a3', { tags: ['model:x'] })
    expect(await other.deleteByTag('model:x')).toBe(1)
    expect(await llm.get('q1')).toBe('a1')
    expect(await cache.deleteByTag('model:x')).toBe(1)
    expect(await llm.get('q1')).toBeUndefined()
    expect(await remote.get('llm:q1')).toBeUndefined()
    expect(await llm.get('q2')).toBe('a2')
    // A fresh instance reading the remote tier does not see the invalidated entry either.
    const again = createCache({ tiers: [memoryTier(), remote] })
    expect(await again.namespace('llm').get('q1')).toBeUndefined()
    expect(await again.namespace('llm').get('q2')).toBe('a2')
    await cache.close()
  })

  it('a namespace with its own strategy and budget gets its own memory store', async () => {
    const cache = createCache({
      tiers: [memoryTier({ maxEntries: 1000 })],
      namespaces: { small: { maxEntries: 2 } },
    })
    const small = cache.namespace('small')
    await small.set('a', 1)
    await small.set('b', 2)
    await small.set('c', 3)
    expect(await small.get('a')).toBeUndefined()
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i)
    expect(await cache.get('k0')).toBe(0)
    const stats = cache.stats()
    expect(stats.namespaces.small!.evictions).toBe(1)
    expect(stats.tiers.memory!.entries).toBe(12)
    await cache.close()
  })
})

/** An in-process bus connecting cache instances, standing in for Redis pub/sub. */
function memoryBusNetwork() {
  const handlers = new Set<(m: BusMessage) => void>()
  return {
    bus(): Bus & { deliver(m: BusMessage): void } {
      let mine: ((m: BusMessage) => void) | undefined
      return {
        async publish(m) {
          for (const h of handlers) if (h !== mine) queueMicrotask(() => h(structuredClone(m)))
        },
        async subscribe(fn) {
          mine = fn
          handlers.add(fn)
        },
        async close() {
          if (mine) handlers.delete(mine)
        },
        deliver(m) {
          mine?.(m)
        },
      }
    },
  }
}

describe('bus', () => {
  it('set(), delete(), clear() and deleteByTag() on one instance drop the other instance’s local copies', async () => {
    const net = memoryBusNetwork()
    const remote = bytesTier({ name: 'remote' })
    const a = createCache({ tiers: [memoryTier(), remote], bus: net.bus() })
    const bMem = memoryTier()
    const b = createCache({ tiers: [bMem, remote], bus: net.bus() })
    await a.set('k', 'v1')
    expect(await b.get('k')).toBe('v1')
    await a.set('k', 'v2')
    await new Promise((r) => setTimeout(r, 5))
    expect(bMem.getSync('default:k')).toBeUndefined()
    expect(await b.get('k')).toBe('v2')
    await a.delete('k')
    await new Promise((r) => setTimeout(r, 5))
    expect(await b.get('k')).toBeUndefined()
    await a.set('t', 'x', { tags: ['tag'] })
    expect(await b.get('t')).toBe('x')
    await a.deleteByTag('tag')
    await new Promise((r) => setTimeout(r, 5))
    expect(bMem.getSync('default:t')).toBeUndefined()
    await a.set('c', 'x')
    expect(await b.get('c')).toBe('x')
    await a.clear()
    await new Promise((r) => setTimeout(r, 5))
    expect(bMem.stats().entries).toBe(0)
    await a.close()
    await b.close()
  })

  it('a reset message (bus reconnected) flushes local tiers', async () => {
    const net = memoryBusNetwork()
    const bus = net.bus()
    const mem = memoryTier()
    const cache = createCache({ tiers: [mem, bytesTier({ name: 'remote' })], bus })
    await cache.set('k', 'v')
    bus.deliver({ type: 'reset', source: 'bus' })
    await new Promise((r) => setTimeout(r, 5))
    expect(mem.stats().entries).toBe(0)
    expect(await cache.get('k')).toBe('v')
    await cache.close()
  })
})

/** A lock shared by cache instances in one process, standing in for the Redis lock. */
function memoryLock(): Lock {
  const held = new Set<string>()
  return {
    async acquire(key, _ttl, waitMs): Promise<LockHandle | undefined> {
      const deadline = Date.now() + waitMs
      while (held.has(key)) {
        if (Date.now() > deadline) return undefined
        await new Promise((r) => setTimeout(r, 2))
      }
      held.add(key)
      return {
        release: async () => {
          held.delete(key)
        },
        extend: async () => held.has(key),
      }
    },
  }
}

describe("getOrSet() with lock: 'distributed'", () => {
  it('runs the loader once across instances sharing a remote tier', async () => {
    const remote = bytesTier({ name: 'remote' })
    const lock = memoryLock()
    const a = createCache({ tiers: [memoryTier(), remote], lock })
    const b = createCache({ tiers: [memoryTier(), remote], lock })
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 30))
      return 'v'
    }
    const all = await Promise.all([
      ...Array.from({ length: 50 }, () => a.getOrSet('cold', loader, { lock: 'distributed' })),
      ...Array.from({ length: 50 }, () => b.getOrSet('cold', loader, { lock: 'distributed' })),
    ])
    expect(calls).toBe(1)
    expect(new Set(all)).toEqual(new Set(['v']))
  })

  it('getOrSet() refuses lock: distributed without a lock, at the call', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    await expect(cache.getOrSet('k', () => 1, { lock: 'distributed' })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
    })
  })
})
