import { LatencyHistogram } from './histogram.js'
import type { NamespaceStats } from './options.js'

/**
 * Mutable counters of one namespace. Plain number fields (not a Map) so that counting a hit on the hot path
 * is one property increment.
 */
export class NamespaceCounters {
  hits = 0
  misses = 0
  staleHits = 0
  sets = 0
  deletes = 0
  evictions = 0
  errors = 0
  timeouts = 0
  loaderCalls = 0
  loaderErrors = 0
  coalesced = 0
  /** Hits per tier position in the namespace's stack. */
  readonly tierHits: Float64Array
  readonly getLatency = new LatencyHistogram()
  readonly loaderLatency = new LatencyHistogram()

  constructor(
    readonly tierNames: string[],
    readonly costPerMiss: number,
  ) {
    this.tierHits = new Float64Array(tierNames.length)
  }

  snapshot(): NamespaceStats {
    const hitsByTier: Record<string, number> = {}
    this.tierNames.forEach((name, i) => {
      hitsByTier[name] = (hitsByTier[name] ?? 0) + this.tierHits[i]!
    })
    const reads = this.hits + this.misses
    return {
      hits: this.hits,
      misses: this.misses,
      staleHits: this.staleHits,
      sets: this.sets,
      deletes: this.deletes,
      evictions: this.evictions,
      errors: this.errors,
      timeouts: this.timeouts,
      loaderCalls: this.loaderCalls,
      loaderErrors: this.loaderErrors,
      coalesced: this.coalesced,
      hitRatio: reads === 0 ? 0 : this.hits / reads,
      costSaved: this.hits * this.costPerMiss,
      hitsByTier,
      latency: { get: this.getLatency.summary(), loader: this.loaderLatency.summary() },
    }
  }
}

const SUMMED = [
  'hits',
  'misses',
  'staleHits',
  'sets',
  'deletes',
  'evictions',
  'errors',
  'timeouts',
  'loaderCalls',
  'loaderErrors',
  'coalesced',
  'costSaved',
] as const

/** Adds namespace snapshots into one total (latency of the busiest namespace stands in for the total). */
export function sumStats(all: NamespaceStats[]): NamespaceStats {
  const total: NamespaceStats = {
    hits: 0,
    misses: 0,
    staleHits: 0,
    sets: 0,
    deletes: 0,
    evictions: 0,
    errors: 0,
    timeouts: 0,
    loaderCalls: 0,
    loaderErrors: 0,
    coalesced: 0,
    hitRatio: 0,
    costSaved: 0,
    hitsByTier: {},
    latency: { get: new LatencyHistogram().summary(), loader: new LatencyHistogram().summary() },
  }
  let busiest = -1
  for (const s of all) {
    for (const k of SUMMED) total[k] += s[k]
    for (const [tier, n] of Object.entries(s.hitsByTier))
      total.hitsByTier[tier] = (total.hitsByTier[tier] ?? 0) + n
    if (s.latency.get.count > busiest) {
      busiest = s.latency.get.count
      total.latency = s.latency
    }
  }
  const reads = total.hits + total.misses
  total.hitRatio = reads === 0 ? 0 : total.hits / reads
  return total
}
