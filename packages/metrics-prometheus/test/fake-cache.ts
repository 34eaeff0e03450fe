import diagnostics from 'node:diagnostics_channel'
import type { CacheStats, LatencySummary, NamespaceStats } from '@tierstack/core'

const zero: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }

function ns(partial: Partial<NamespaceStats>): NamespaceStats {
  return {
    hits: 0, misses: 0, staleHits: 0, sets: 0, deletes: 0, evictions: 0, errors: 0, timeouts: 0,
    loaderCalls: 0, loaderErrors: 0, hitRatio: 0, costSaved: 0, hitsByTier: {},
    latency: { get: zero, loader: zero }, ...partial,
  }
}

/** A stand-in with the shapes of `TieredCache.stats()` and its events, used until the engine lands. */
export function fakeCache(id = `fake-${Math.random().toString(36).slice(2)}`) {
  let calls = 0
  const stats: CacheStats = {
    totals: ns({ hits: 10, misses: 4 }),
    namespaces: {
      llm: ns({ hits: 7, misses: 3, staleHits: 1, sets: 3, loaderCalls: 3, costSaved: 0.014, hitsByTier: { memory: 5, redis: 2 } }),
      stats: ns({ hits: 3, misses: 1, errors: 2, timeouts: 1, hitsByTier: { memory: 3 } }),
    },
    tiers: {
      memory: { name: 'memory', kind: 'local', hits: 8, misses: 6, sets: 4, deletes: 0, errors: 0, timeouts: 0, evictions: 2, entries: 12, bytes: 3456, breaker: 'closed', latency: { get: zero, set: zero, delete: zero } },
      redis: { name: 'redis', kind: 'remote', hits: 2, misses: 4, sets: 4, deletes: 1, errors: 3, timeouts: 1, evictions: 0, breaker: 'open', latency: { get: zero, set: zero, delete: zero } },
    },
  }
  return {
    id,
    stats(): CacheStats {
      calls++
      return stats
    },
    get statsCalls() {
      return calls
    },
    raw: stats,
    tierOp(tier: string, op: string, durationMs: number, ok = true, timedOut = false, cacheId = id) {
      diagnostics.channel('tierstack:tier-operation').publish({ cacheId, tier, op, durationMs, ok, timedOut })
    },
    loader(namespace: string, durationMs: number, ok = true, cacheId = id) {
      diagnostics.channel('tierstack:loader').publish({ cacheId, namespace, key: 'secret-key', durationMs, ok })
    },
  }
}
