import { describe, expect, it } from '@jest/globals'
import { createCache, memoryTier, type StoredEntry, type Tier } from '@tierstack/core'

/** A remote tier written from DESIGN.md §2 alone: no capabilities object, no deleteByTag. */
function plainRemote(): Tier {
  const map = new Map<string, StoredEntry>()
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

describe('a third-party tier with only the DESIGN.md §2 methods', () => {
  it('get()/set()/getMany()/clear() work through it, and deleteByTag() reports instead of crashing', async () => {
    const remote = plainRemote()
    const cache = createCache({ tiers: [memoryTier(), remote] })
    await cache.set('a', { x: 1 }, { tags: ['t'] })
    const other = createCache({ tiers: [memoryTier(), remote] })
    expect(await other.get('a')).toEqual({ x: 1 })
    expect(await other.getMany(['a', 'b'])).toEqual([{ x: 1 }, undefined])
    expect(await cache.deleteByTag('t')).toBe(1)
    expect(cache.stats().tiers.plain!.errors).toBe(1)
    await cache.clear()
    expect(await other.namespace('default').get('zzz')).toBeUndefined()
    expect((await cache.health()).ok).toBe(true)
  })
})
