import { describe, expect, it } from '@jest/globals'
import { type Bus, type BusMessage, createCache, memoryTier, type StoredEntry, type Tier } from '@tierstack/core'

/** A remote tier written from DESIGN.md §2 alone: no capabilities object, no deleteByTag. */
function plainRemote(map = new Map<string, StoredEntry>()): Tier {
  const tier = {
    name: 'plain',
    kind: 'remote' as const,
    async get(k: string) {
      return map.get(k)
    },
    async getMany(ks: string[]) {
      return ks.map((k) => map.get(k))
    },
    async set(k: string, e: StoredEntry) {
      map.set(k, e)
    },
    async setMany(items: [string, StoredEntry][]) {
      for (const [k, e] of items) map.set(k, e)
    },
    async delete(ks: string[]) {
      let n = 0
      for (const k of ks) if (map.delete(k)) n++
      return n
    },
    async clear(prefix: string) {
      for (const k of [...map.keys()]) if (k.startsWith(prefix)) map.delete(k)
    },
    async health() {
      return { ok: true, latencyMs: 0 }
    },
    async close() {},
  }
  return tier as unknown as Tier
}

/** A local tier written from DESIGN.md §2 alone: getSync/setSync/deleteSync, no scope(), no deleteByTag. */
function plainLocal(): Tier {
  const map = new Map<string, StoredEntry>()
  const remote = plainRemote(map) as unknown as Record<string, unknown>
  return {
    ...remote,
    name: 'plain-local',
    kind: 'local' as const,
    getSync: (k: string) => map.get(k),
    setSync: (k: string, e: StoredEntry) => void map.set(k, e),
    deleteSync: (ks: string[]) => ks.filter((k) => map.delete(k)).length,
  } as unknown as Tier
}

/** Buses of one process wired to each other (what redisBus does across processes). */
function pairedBuses(): [Bus, Bus] {
  const handlers: ((m: BusMessage) => void)[][] = [[], []]
  const bus = (me: number): Bus => ({
    publish: async (m) => {
      for (const fn of handlers[1 - me]!) fn(m)
    },
    subscribe: async (fn) => {
      handlers[me]!.push(fn)
    },
    close: async () => {},
  })
  return [bus(0), bus(1)]
}

describe('a third-party tier with only the DESIGN.md §2 methods', () => {
  it('get()/set()/getMany()/clear() work through it, and deleteByTag() does not count as a tier error', async () => {
    const remote = plainRemote()
    const cache = createCache({ tiers: [memoryTier(), remote] })
    await cache.set('a', { x: 1 }, { tags: ['t'] })
    const other = createCache({ tiers: [memoryTier(), remote] })
    expect(await other.get('a')).toEqual({ x: 1 })
    expect(await other.getMany(['a', 'b'])).toEqual([{ x: 1 }, undefined])
    expect(await cache.deleteByTag('t')).toBe(1)
    expect(cache.stats().tiers.plain!.errors).toBe(0)
    await cache.clear()
    expect(await other.namespace('default').get('zzz')).toBeUndefined()
    expect((await cache.health()).ok).toBe(true)
  })

  it('deleteByTag() holds for its entries: a tagged entry in the remote tier is gone, others stay', async () => {
    const map = new Map<string, StoredEntry>()
    const cache = createCache({ tiers: [memoryTier(), plainRemote(map)] })
    await cache.set('a', 1, { tags: ['t'] })
    await cache.set('b', 2, { tags: ['u'] })
    await cache.set('c', 3)
    expect(await cache.deleteByTag('t')).toBe(1)
    expect(await cache.get('a')).toBeUndefined()
    expect(map.has('default:a')).toBe(false) // the read that found it deleted it
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, 2, 3])
    // A new value under the same tag, written in the same millisecond, is not taken for an invalidated one.
    await cache.set('a', 'new', { tags: ['t'] })
    expect(await cache.get('a')).toBe('new')
    await cache.close()
  })

  it('a namespace’s deleteByTag() leaves other namespaces alone; the cache-wide one reaches all', async () => {
    let clock = 1_000_000
    const now = () => clock
    const cache = createCache({ tiers: [plainRemote()], now })
    const x = cache.namespace('x')
    const y = cache.namespace('y')
    await x.set('k', 'x', { tags: ['t'] })
    await y.set('k', 'y', { tags: ['t'] })
    clock++
    await x.deleteByTag('t')
    expect(await x.get('k')).toBeUndefined()
    expect(await y.get('k')).toBe('y')
    await cache.deleteByTag('t')
    expect(await y.get('k')).toBeUndefined()
    await cache.close()
  })

  it('a local tier without deleteByTag: the tagged entry is gone at the call (L1 path included)', async () => {
    const cache = createCache({ tiers: [plainLocal()] })
    await cache.set('a', 1, { tags: ['t'] })
    await cache.set('b', 2, { tags: ['u'] })
    expect(await cache.get('a')).toBe(1)
    await cache.deleteByTag(['t'])
    expect(await cache.get('a')).toBeUndefined()
    expect(await cache.getOrSet('a', async () => 'loaded')).toBe('loaded')
    expect(await cache.get('b')).toBe(2)
    await cache.close()
  })

  it('another instance learns the invalidation through the bus and stops serving the entry', async () => {
    const map = new Map<string, StoredEntry>()
    const [busA, busB] = pairedBuses()
    const a = createCache({ tiers: [memoryTier(), plainRemote(map)], bus: busA })
    const b = createCache({ tiers: [memoryTier(), plainRemote(map)], bus: busB })
    await a.set('k', 'v', { tags: ['t'] })
    expect(await b.get('k')).toBe('v') // now in b's memory too
    await a.deleteByTag('t')
    expect(await b.get('k')).toBeUndefined()
    await a.close()
    await b.close()
  })
})

