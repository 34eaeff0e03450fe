import type { CacheHealth, CacheStats, LoaderContext } from '@tierstack/core'
import type { AdminCache, AdminNamespace } from '@tierstack/admin'

/** A Map-backed stand-in with the shapes of TieredCache (used until the engine lands). */
export function fakeCache(namespaces: string[]): AdminCache & { data: Map<string, { value: unknown; tags: string[] }>; down: Set<string> } {
  const data = new Map<string, { value: unknown; tags: string[] }>()
  const down = new Set<string>()
  const zero = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }
  const ns = (name: string): AdminNamespace => ({
    async clear() {
      for (const k of [...data.keys()]) if (k.startsWith(`${name}:`)) data.delete(k)
    },
    async getOrSet(key: string, loader: (ctx: LoaderContext) => unknown) {
      const full = `${name}:${key}`
      const hit = data.get(full)
      if (hit) return hit.value as never
      let tags: string[] = []
      const value = await loader({ key, stale: undefined, signal: new AbortController().signal, setTtl() {}, setTags(t) { tags = t } })
      data.set(full, { value, tags })
      return value as never
    },
  })
  return {
    id: 'fake',
    data,
    down,
    stats(): CacheStats {
      const s = { hits: 0, misses: 0, staleHits: 0, sets: 0, deletes: 0, evictions: 0, errors: 0, timeouts: 0, loaderCalls: 0, loaderErrors: 0, hitRatio: 0, costSaved: 0, hitsByTier: {}, latency: { get: zero, loader: zero } }
      return {
        totals: s,
        namespaces: Object.fromEntries(namespaces.map((n) => [n, s])),
        tiers: {
          memory: { name: 'memory', kind: 'local', hits: 0, misses: 0, sets: 0, deletes: 0, errors: 0, timeouts: 0, evictions: 0, entries: data.size, bytes: 0, breaker: 'closed', latency: { get: zero, set: zero, delete: zero } },
          redis: { name: 'redis', kind: 'remote', hits: 0, misses: 0, sets: 0, deletes: 0, errors: 0, timeouts: 0, evictions: 0, breaker: down.has('redis') ? 'open' : 'closed', latency: { get: zero, set: zero, delete: zero } },
        },
      }
    },
    async health(): Promise<CacheHealth> {
      const tiers: CacheHealth['tiers'] = {
        memory: { ok: !down.has('memory'), latencyMs: 0, kind: 'local', breaker: 'closed' },
        redis: { ok: !down.has('redis'), latencyMs: 1, kind: 'remote', breaker: down.has('redis') ? 'open' : 'closed' },
      }
      return { ok: Object.values(tiers).every((t) => t.ok), tiers }
    },
    async clear() {
      data.clear()
    },
    namespace: ns,
    async deleteByTag(tag: string) {
      let n = 0
      for (const [k, v] of [...data]) if (v.tags.includes(tag)) {
        data.delete(k)
        n++
      }
      return n
    },
  }
}
