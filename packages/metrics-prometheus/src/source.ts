import type { CacheStats } from '@tierstack/core'

/**
 * What the exporter needs from a cache: its id (to filter diagnostics events) and `stats()`.
 * A `TieredCache` satisfies it; so does anything shaped like one.
 */
export interface MetricsSource {
  /** Id carried by every event the cache publishes (`cacheId`). */
  readonly id: string
  /** A snapshot of counters, read at scrape time only. */
  stats(): CacheStats
}
