import diagnostics from 'node:diagnostics_channel'
import {
  CacheError,
  type CacheStats,
  channelNames,
  type LoaderEvent,
  type NamespaceStats,
  type TierOperationEvent,
  type TierStats,
} from '@tierstack/core'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { StatsSnapshot } from './snapshot.js'
import type { MetricsSource } from './source.js'

/** Options of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Registry the metrics are registered in. Pass `register` from prom-client to share the global one. @default a new `Registry` */
  registry?: Registry
  /** Prepended to every metric name. Use a different prefix per cache when two caches share one registry. @default 'tierstack_' */
  prefix?: string
  /** Histogram buckets for tier operations, in seconds. @default 0.1 ms … 2.5 s */
  tierBuckets?: number[]
  /** Histogram buckets for loaders, in seconds. @default 1 ms … 30 s */
  loaderBuckets?: number[]
}

/** What a scrape answers: ready to send as an HTTP response (fits `@tierstack/admin`'s `metrics` option). */
export interface MetricsScrape {
  /** The `Content-Type` header value. */
  contentType: string
  /** The exposition text. */
  body: string
}

/** Default tier-operation buckets (seconds): a local hit is microseconds, a remote round trip milliseconds. */
export const defaultTierBuckets: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]
/** Default loader buckets (seconds): loaders are the slow upstream the cache exists for. */
export const defaultLoaderBuckets: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]

const TIER_OPERATION_CHANNEL = channelNames.tierOperation
const LOADER_CHANNEL = channelNames.loader

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const

type NamespaceCounterField = Exclude<keyof NamespaceStats, 'hitRatio' | 'hitsByTier' | 'latency'>
type TierCounterField = 'hits' | 'misses' | 'sets' | 'deletes' | 'errors' | 'timeouts' | 'evictions'

const NAMESPACE_COUNTERS: [name: string, field: NamespaceCounterField, help: string][] = [
  ['hits_total', 'hits', 'Reads answered from any tier (stale hits included), per namespace.'],
  ['misses_total', 'misses', 'Reads no tier could answer, per namespace.'],
  ['stale_hits_total', 'staleHits', 'Reads answered with a stale value in grace, per namespace.'],
  ['sets_total', 'sets', 'Entries written, per namespace.'],
  ['deletes_total', 'deletes', 'Entries deleted, per namespace.'],
  ['evictions_total', 'evictions', 'Entries evicted from local tiers, per namespace.'],
  ['errors_total', 'errors', 'Errors reported (tier failures, undecodable entries), per namespace.'],
  ['timeouts_total', 'timeouts', 'Tier and loader timeouts, per namespace.'],
  ['loader_calls_total', 'loaderCalls', 'Loader runs (upstream calls), per namespace.'],
  ['loader_errors_total', 'loaderErrors', 'Loader runs that failed, per namespace.'],
  ['cost_saved_total', 'costSaved', 'Estimated cost saved: hits x costPerMiss, per namespace.'],
]

const TIER_COUNTERS: [name: string, field: TierCounterField, help: string][] = [
  ['tier_hits_total', 'hits', 'Reads that found an entry, per tier.'],
  ['tier_misses_total', 'misses', 'Reads that found nothing, per tier.'],
  ['tier_sets_total', 'sets', 'Writes, per tier.'],
  ['tier_deletes_total', 'deletes', 'Deletes, per tier.'],
  ['tier_errors_total', 'errors', 'Failed operations, per tier.'],
  ['tier_timeouts_total', 'timeouts', 'Operations that passed the tier timeout, per tier.'],
  ['tier_evictions_total', 'evictions', 'Entries evicted for lack of room, per tier.'],
]

/** Per-tier gauges: a tier for which `value` is `undefined` gets no sample. */
const TIER_GAUGES: [name: string, help: string, value: (t: TierStats) => number | undefined][] = [
  ['tier_entries', 'Entries held by each local tier.', (t) => t.entries],
  ['tier_bytes', 'Bytes held by each local tier (as measured by its size function).', (t) => t.bytes],
  [
    'tier_breaker_state',
    'Circuit breaker of each remote tier: 0 closed, 1 half-open, 2 open.',
    (t) => (t.kind === 'remote' ? (BREAKER_VALUE[t.breaker] ?? 0) : undefined),
  ],
]

const EXTRA_NAMES = [
  'hits_by_tier_total',
  ...TIER_GAUGES.map(([name]) => name),
  'tier_operation_duration_seconds',
  'loader_duration_seconds',
]

const PREFIX_PATTERN = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/

function invalid(message: string): CacheError {
  return new CacheError('E_INVALID_OPTION', `tierstack/metrics-prometheus: ${message}`)
}

function checkBuckets(name: string, buckets: unknown): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0)
    throw invalid(`${name} must be a non-empty array of seconds, got ${String(buckets)}`)
  let previous = 0
  for (const b of buckets) {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= previous) {
      throw invalid(
        `${name} must hold positive, finite, strictly increasing numbers (seconds), got ${JSON.stringify(buckets)}`,
      )
    }
    previous = b
  }
  return [...buckets]
}

function resultOf(e: { ok: boolean; timedOut?: boolean }): 'ok' | 'timeout' | 'error' {
  return e.ok ? 'ok' : e.timedOut ? 'timeout' : 'error'
}

/**
 * Prometheus exporter for one cache.
 *
 * Counters and gauges are read from `cache.stats()` inside prom-client `collect()` callbacks, so they cost
 * nothing between scrapes. Latency histograms are fed by the cache's `diagnostics_channel` events
 * (tier operations and loaders), filtered on `cacheId`; `stop()` unsubscribes. Labels are bounded:
 * `namespace`, `tier`, `op`, `result` — never a key.
 */
export class PrometheusMetrics {
  /** The registry holding this exporter's metrics. */
  readonly registry: Registry
  /** `Content-Type` of {@link metrics}'s output. */
  readonly contentType: string
  readonly #cacheId: string
  readonly #names: string[] = []
  readonly #tierHistogram: Histogram<'tier' | 'op' | 'result'>
  readonly #loaderHistogram: Histogram<'namespace' | 'result'>
  // Labelled children cached by label values: observing then costs one Map lookup, no label hashing.
  readonly #tierChildren = new Map<string, Histogram.Internal<'tier' | 'op' | 'result'>>()
  readonly #loaderChildren = new Map<string, Histogram.Internal<'namespace' | 'result'>>()
  #stopped = false

  readonly #onTierOperation = (message: unknown): void => {
    const e = message as TierOperationEvent
    if (e.cacheId !== this.#cacheId) return
    const result = resultOf(e)
    const id = `${e.tier}\u0000${e.op}\u0000${result}`
    let child = this.#tierChildren.get(id)
    if (child === undefined) {
      child = this.#tierHistogram.labels({ tier: e.tier, op: e.op, result })
      this.#tierChildren.set(id, child)
    }
    child.observe(e.durationMs / 1000)
  }

  readonly #onLoader = (message: unknown): void => {
    const e = message as LoaderEvent
    if (e.cacheId !== this.#cacheId) return
    const result = e.ok ? 'ok' : 'error'
    const id = `${e.namespace}\u0000${result}`
    let child = this.#loaderChildren.get(id)
    if (child === undefined) {
      child = this.#loaderHistogram.labels({ namespace: e.namespace, result })
      this.#loaderChildren.set(id, child)
    }
    child.observe(e.durationMs / 1000)
  }

  constructor(cache: MetricsSource, options: PrometheusMetricsOptions = {}) {
    if (
      cache === null ||
      typeof cache !== 'object' ||
      typeof cache.stats !== 'function' ||
      typeof cache.id !== 'string'
    ) {
      throw invalid('cache must be a TieredCache (an object with an `id` string and a `stats()` method)')
    }
    const prefix = options.prefix ?? 'tierstack_'
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw invalid(`prefix must match [a-zA-Z_:][a-zA-Z0-9_:]*, got ${JSON.stringify(prefix)}`)
    }
    const registry = options.registry ?? new Registry()
    if (typeof registry !== 'object' || registry === null || typeof registry.registerMetric !== 'function') {
      throw invalid('registry must be a prom-client Registry')
    }
    const tierBuckets = checkBuckets('tierBuckets', options.tierBuckets ?? defaultTierBuckets)
    const loaderBuckets = checkBuckets('loaderBuckets', options.loaderBuckets ?? defaultLoaderBuckets)
    const ownNames = [...NAMESPACE_COUNTERS, ...TIER_COUNTERS].map(([name]) => name).concat(EXTRA_NAMES)
    for (const name of ownNames) {
      if (registry.getSingleMetric(prefix + name) !== undefined) {
        throw invalid(
          `registry already holds ${prefix + name}: use another prefix or registry for a second cache`,
        )
      }
    }

    this.registry = registry
    this.contentType = registry.contentType
    this.#cacheId = cache.id
    const snapshot = new StatsSnapshot(cache)
    const registers = [registry]
    for (const name of ownNames) this.#names.push(prefix + name)

    for (const [name, field, help] of NAMESPACE_COUNTERS) {
      new Counter({
        name: prefix + name,
        help,
        labelNames: ['namespace'],
        registers,
        collect() {
          this.reset()
          for (const [namespace, s] of Object.entries(snapshot.get().namespaces))
            this.inc({ namespace }, s[field])
        },
      })
    }
    new Counter({
      name: `${prefix}hits_by_tier_total`,
      help: 'Reads answered by each tier, per namespace.',
      labelNames: ['namespace', 'tier'],
      registers,
      collect() {
        this.reset()
        for (const [namespace, s] of Object.entries(snapshot.get().namespaces)) {
          for (const [tier, hits] of Object.entries(s.hitsByTier)) this.inc({ namespace, tier }, hits)
        }
      },
    })
    for (const [name, field, help] of TIER_COUNTERS) {
      new Counter({
        name: prefix + name,
        help,
        labelNames: ['tier'],
        registers,
        collect() {
          this.reset()
          for (const t of tiersOf(snapshot.get())) this.inc({ tier: t.name }, t[field])
        },
      })
    }
    for (const [name, help, sample] of TIER_GAUGES) {
      new Gauge({
        name: prefix + name,
        help,
        labelNames: ['tier'],
        registers,
        collect() {
          this.reset()
          for (const t of tiersOf(snapshot.get())) {
            const value = sample(t)
            if (value !== undefined) this.set({ tier: t.name }, value)
          }
        },
      })
    }
    this.#tierHistogram = new Histogram({
      name: `${prefix}tier_operation_duration_seconds`,
      help: 'Duration of each tier call (get, set, delete, …), by result: ok, error or timeout.',
      labelNames: ['tier', 'op', 'result'],
      buckets: tierBuckets,
      registers,
    })
    this.#loaderHistogram = new Histogram({
      name: `${prefix}loader_duration_seconds`,
      help: 'Duration of each loader run (the upstream call behind getOrSet), by result: ok or error.',
      labelNames: ['namespace', 'result'],
      buckets: loaderBuckets,
      registers,
    })
    diagnostics.subscribe(TIER_OPERATION_CHANNEL, this.#onTierOperation)
    diagnostics.subscribe(LOADER_CHANNEL, this.#onLoader)
  }

  /** The exposition text of the registry (every metric in it, not only this cache's). */
  metrics(): Promise<string> {
    return this.registry.metrics()
  }

  /** The exposition text with its content type, ready for an HTTP response or `@tierstack/admin`'s `metrics` option. */
  async scrape(): Promise<MetricsScrape> {
    return { contentType: this.contentType, body: await this.registry.metrics() }
  }

  /** Unsubscribes from the cache's events and removes this exporter's metrics from the registry. Idempotent. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    diagnostics.unsubscribe(TIER_OPERATION_CHANNEL, this.#onTierOperation)
    diagnostics.unsubscribe(LOADER_CHANNEL, this.#onLoader)
    for (const name of this.#names) this.registry.removeSingleMetric(name)
    this.#tierChildren.clear()
    this.#loaderChildren.clear()
  }
}

function tiersOf(stats: CacheStats): TierStats[] {
  return Object.values(stats.tiers)
}

/**
 * Exports a cache's counters, gauges and latency histograms to Prometheus.
 *
 * ```ts
 * const exporter = prometheusMetrics(cache)
 * http.createServer(async (req, res) => {
 *   res.setHeader('Content-Type', exporter.contentType)
 *   res.end(await exporter.metrics())
 * })
 * ```
 */
export function prometheusMetrics(
  cache: MetricsSource,
  options?: PrometheusMetricsOptions,
): PrometheusMetrics {
  return new PrometheusMetrics(cache, options)
}
