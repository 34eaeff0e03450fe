import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  type Bus,
  type CacheOptions,
  createCache,
  type Lock,
  memoryTier,
  type TieredCache,
  type Tier,
} from '@tierstack/core'
import { lz4 } from '@tierstack/codec-lz4'
import { msgpack } from '@tierstack/codec-msgpack'
import { tinyLfu } from '@tierstack/strategy-lfu'
import { lru } from '@tierstack/strategy-lru'
import { redisBus, redisLock, redisTier } from '@tierstack/tier-redis'
import { sqliteTier } from '@tierstack/tier-sqlite'
import type { DemoConfig } from './config.js'
import { FORECAST_COST_PER_CALL, LLM_COST_PER_CALL, STATS_COST_PER_CALL } from './upstreams.js'

/** The cache of the demo and how it was built. */
export interface DemoStack {
  cache: TieredCache
  /** `'embedded'`: memory → SQLite. `'redis'`: memory → Redis → SQLite with the Redis bus and lock. */
  mode: 'embedded' | 'redis'
  /** Tier names in read order. */
  tiers: string[]
  /** Path of the SQLite file. */
  sqlitePath: string
}

/**
 * Builds the demo's stack. Each upstream gets its own namespace and policy:
 * - `llm`: answers are expensive and stable → 7 days, one day of grace, lz4-compressed (answers are text).
 * - `stats`: a public API refreshed hourly → 1 hour, 10 minutes of grace, not compressed (small).
 * - `forecast`: CPU-heavy and skewed (a few products dominate) → TinyLFU in its own 500-entry memory store so a
 *   scan of rarely viewed products cannot flush the popular ones; tagged `product:<sku>` for invalidation.
 */
export function buildStack(config: Pick<DemoConfig, 'redisUrl' | 'dataDir'>, instanceId?: string): DemoStack {
  mkdirSync(config.dataDir, { recursive: true })
  const sqlitePath = join(config.dataDir, 'demo-cache.db')
  const tiers: Tier[] = [memoryTier({ strategy: lru(), maxBytes: '64mb' })]
  let bus: Bus | undefined
  let lock: Lock | undefined
  if (config.redisUrl !== undefined) {
    tiers.push(redisTier({ url: config.redisUrl, prefix: 'tierstack-demo:' }))
    bus = redisBus({ url: config.redisUrl, prefix: 'tierstack-demo:' })
    lock = redisLock({ url: config.redisUrl, prefix: 'tierstack-demo:lock:' })
  }
  tiers.push(sqliteTier({ path: sqlitePath }))
  const options: CacheOptions = {
    tiers,
    serializer: msgpack(),
    codecs: [lz4({ minBytes: 512 })],
    defaults: { ttl: '1h', compress: false },
    namespaces: {
      llm: { ttl: '7d', grace: '1d', compress: true, costPerMiss: LLM_COST_PER_CALL },
      stats: { ttl: '1h', grace: '10m', costPerMiss: STATS_COST_PER_CALL },
      forecast: { ttl: '6h', strategy: tinyLfu(), maxEntries: 500, costPerMiss: FORECAST_COST_PER_CALL },
    },
    // A demo should show failover quickly: short remote timeout, breaker probing every 2 s.
    tierTimeout: '300ms',
    breaker: { failureThreshold: 3, resetAfter: '2s' },
    ...(bus !== undefined ? { bus } : {}),
    ...(lock !== undefined ? { lock } : {}),
    ...(instanceId !== undefined ? { instanceId } : {}),
  }
  return {
    cache: createCache(options),
    mode: config.redisUrl !== undefined ? 'redis' : 'embedded',
    tiers: tiers.map((t) => t.name),
    sqlitePath,
  }
}
