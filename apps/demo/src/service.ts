import { type CacheHealth, LatencyHistogram, type LatencySummary, type TieredCache } from '@tierstack/core'
import { datasets, horizons, products, questions } from './catalog.js'
import type { Forecast, LlmAnswer, Meter, StatsSeries, Upstreams } from './upstreams.js'
import { zipf } from './zipf.js'

/** What an API call answered and where from. */
export interface Served<TValue> {
  value: TValue
  /**
   * `'hit'`: the cache answered; `'miss'`: this call ran the upstream; `'coalesced'`: this call waited for a load
   * of the same key started by a concurrent call (single-flight: no extra upstream call); `'bypass'`: cache off.
   */
  cache: 'hit' | 'miss' | 'coalesced' | 'bypass'
  ms: number
}

/** Options of one API call. */
export interface CallOptions {
  /** Skip the cache and call the upstream (the "without cache" baseline of `demo:load`). */
  bypass?: boolean
}

/** Result of a burst of traffic. */
export interface BurstResult {
  requests: number
  hits: number
  misses: number
  /** Calls that joined a load already in flight for their key. */
  coalesced: number
  durationMs: number
  p50Ms: number
  p99Ms: number
}

/** The dashboard's view of the cache, refreshed every second by the page. */
export interface DashboardSnapshot {
  time: number
  mode: 'embedded' | 'redis'
  instanceId: string
  tierOrder: string[]
  namespaces: Record<
    string,
    {
      hits: number
      misses: number
      staleHits: number
      hitRatio: number
      loaderCalls: number
      costSaved: number
      /** Caller-observed latency of answers served by the cache (measured by the demo around `getOrSet`). */
      hit: LatencySummary
      /** Caller-observed latency of answers that ran the upstream. */
      miss: LatencySummary
      /** Loader latency from `stats()`. */
      loader: LatencySummary
    }
  >
  totals: {
    hits: number
    misses: number
    hitRatio: number
    requestsSaved: number
    costSaved: number
    upstreamCalls: number
    upstreamCost: number
  }
  tiers: Record<
    string,
    {
      kind: 'local' | 'remote'
      /** Where `get` comes from: `'engine'` (tier calls timed by the engine) or `'hits'` (a local tier, which the engine does not time on its synchronous hit path: caller-observed latency of cache hits instead). */
      latencySource: 'engine' | 'hits'
      ok: boolean
      breaker: string
      healthMs: number
      detail?: Record<string, unknown>
      get: LatencySummary
      set: LatencySummary
      hits: number
      errors: number
      timeouts: number
      entries?: number
      bytes?: number
    }
  >
  upstreams: Record<string, Meter>
}

/** Namespaces shown by the dashboard, in order. */
export const NAMESPACES = ['llm', 'stats', 'forecast'] as const

const HEALTH_MEMO_MS = 500

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}

/** The demo's business logic: three slow upstreams, each cached in its own namespace. */
export class DemoService {
  readonly #cache: TieredCache
  readonly #upstreams: Upstreams
  readonly #mode: 'embedded' | 'redis'
  readonly #tierOrder: string[]
  #health: { at: number; value: Promise<CacheHealth> } | undefined
  readonly #latency: Record<string, { hit: LatencyHistogram; miss: LatencyHistogram }> = {}
  readonly #hitLatency = new LatencyHistogram()
  /** When the last load of each key finished (performance.now()), to recognise calls that joined it. */
  readonly #loadedAt = new Map<string, number>()

  constructor(cache: TieredCache, upstreams: Upstreams, mode: 'embedded' | 'redis', tierOrder: string[]) {
    this.#cache = cache
    this.#upstreams = upstreams
    this.#mode = mode
    this.#tierOrder = tierOrder
    for (const name of NAMESPACES)
      this.#latency[name] = { hit: new LatencyHistogram(), miss: new LatencyHistogram() }
  }

  /** An "LLM" answer, cached 7 days. With Redis, one instance computes a given answer at a time (distributed lock). */
  llm(question: string, options: CallOptions = {}): Promise<Served<LlmAnswer>> {
    // The cache key is the question with its whitespace normalized (warm-up keys use the same form).
    const key = question.trim().replace(/\s+/g, ' ')
    return this.#serve(
      `llm:${key}`,
      'llm',
      options,
      () => this.#upstreams.llmAnswer(key),
      (load) =>
        this.#cache
          .namespace('llm')
          .getOrSet(key, load, this.#mode === 'redis' ? { lock: 'distributed' } : undefined),
    )
  }

  /** A public statistics series, cached 1 hour. */
  stats(dataset: string, options: CallOptions = {}): Promise<Served<StatsSeries>> {
    return this.#serve(
      `stats:${dataset}`,
      'stats',
      options,
      () => this.#upstreams.publicStats(dataset),
      (load) => this.#cache.namespace('stats').getOrSet(dataset, load),
    )
  }

  /** A sales forecast, cached 6 hours and tagged `product:<sku>`. */
  forecast(product: string, horizonDays: number, options: CallOptions = {}): Promise<Served<Forecast>> {
    return this.#serve(
      `forecast:${product}:${horizonDays}`,
      'forecast',
      options,
      async () => this.#upstreams.salesForecast(product, horizonDays),
      (load) =>
        this.#cache.namespace('forecast').getOrSet(`${product}:${horizonDays}`, (ctx) => {
          ctx.setTags([`product:${product}`])
          return load()
        }),
    )
  }

  async #serve<TValue>(
    id: string,
    namespace: (typeof NAMESPACES)[number],
    options: CallOptions,
    upstream: () => Promise<TValue>,
    cached: (load: () => Promise<TValue>) => Promise<TValue>,
  ): Promise<Served<TValue>> {
    const started = performance.now()
    if (options.bypass === true) {
      const value = await upstream()
      return { value, cache: 'bypass', ms: performance.now() - started }
    }
    let ran = false
    const value = await cached(async () => {
      ran = true
      try {
        return await upstream()
      } finally {
        this.#loadedAt.set(id, performance.now())
        if (this.#loadedAt.size > 10_000) this.#loadedAt.clear()
      }
    })
    const ms = performance.now() - started
    const latency = this.#latency[namespace] as { hit: LatencyHistogram; miss: LatencyHistogram }
    if (ran) {
      latency.miss.record(ms)
      return { value, cache: 'miss', ms }
    }
    if ((this.#loadedAt.get(id) ?? Number.NEGATIVE_INFINITY) >= started)
      return { value, cache: 'coalesced', ms }
    latency.hit.record(ms)
    this.#hitLatency.record(ms)
    return { value, cache: 'hit', ms }
  }

  /**
   * Drives `requests` Zipf-distributed calls (50 % LLM, 30 % statistics, 20 % forecasts) through the cache,
   * `concurrency` at a time — what the dashboard's burst button runs.
   */
  async burst(requests: number, concurrency: number, options: CallOptions = {}): Promise<BurstResult> {
    const pickQuestion = zipf(questions.length)
    const pickDataset = zipf(datasets.length)
    const pickProduct = zipf(products.length)
    const latencies: number[] = []
    let hits = 0
    let misses = 0
    let coalesced = 0
    let next = 0
    const started = performance.now()
    const one = (): Promise<Served<unknown>> => {
      const r = Math.random()
      if (r < 0.5) return this.llm(questions[pickQuestion()] as string, options)
      if (r < 0.8) return this.stats(datasets[pickDataset()] as string, options)
      return this.forecast(
        products[pickProduct()] as string,
        horizons[Math.floor(Math.random() * horizons.length)] as number,
        options,
      )
    }
    const worker = async (): Promise<void> => {
      while (next < requests) {
        next++
        const served = await one()
        latencies.push(served.ms)
        if (served.cache === 'hit') hits++
        else if (served.cache === 'coalesced') coalesced++
        else misses++
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))
    latencies.sort((a, b) => a - b)
    return {
      requests,
      hits,
      misses,
      coalesced,
      durationMs: Math.round(performance.now() - started),
      p50Ms: Math.round(percentile(latencies, 0.5) * 100) / 100,
      p99Ms: Math.round(percentile(latencies, 0.99) * 100) / 100,
    }
  }

  /** Stats, tier health and upstream meters for the dashboard (health probes are memoized for 500 ms). */
  async dashboard(): Promise<DashboardSnapshot> {
    const now = Date.now()
    if (this.#health === undefined || now - this.#health.at > HEALTH_MEMO_MS) {
      this.#health = { at: now, value: this.#cache.health() }
    }
    const health = await this.#health.value
    const stats = this.#cache.stats()
    const namespaces: DashboardSnapshot['namespaces'] = {}
    for (const name of NAMESPACES) {
      const s = stats.namespaces[name]
      if (s === undefined) continue
      namespaces[name] = {
        hits: s.hits,
        misses: s.misses,
        staleHits: s.staleHits,
        hitRatio: s.hitRatio,
        loaderCalls: s.loaderCalls,
        costSaved: s.costSaved,
        hit: this.#latency[name]?.hit.summary() ?? s.latency.get,
        miss: this.#latency[name]?.miss.summary() ?? s.latency.get,
        loader: s.latency.loader,
      }
    }
    const tiers: DashboardSnapshot['tiers'] = {}
    for (const name of this.#tierOrder) {
      const t = stats.tiers[name]
      const h = health.tiers[name]
      if (t === undefined) continue
      const timed = t.latency.get.count > 0 || t.kind === 'remote'
      tiers[name] = {
        kind: t.kind,
        latencySource: timed ? 'engine' : 'hits',
        ok: h?.ok ?? false,
        breaker: t.breaker,
        healthMs: Math.round((h?.latencyMs ?? 0) * 100) / 100,
        ...(h?.detail !== undefined ? { detail: h.detail } : {}),
        get: timed ? t.latency.get : this.#hitLatency.summary(),
        set: t.latency.set,
        hits: t.hits,
        errors: t.errors,
        timeouts: t.timeouts,
        ...(t.entries !== undefined ? { entries: t.entries } : {}),
        ...(t.bytes !== undefined ? { bytes: t.bytes } : {}),
      }
    }
    const meters = this.#upstreams.meters
    const upstreamCalls = meters.llm.calls + meters.stats.calls + meters.forecast.calls
    const upstreamCost = meters.llm.cost + meters.stats.cost + meters.forecast.cost
    let hits = 0
    let misses = 0
    let costSaved = 0
    for (const ns of Object.values(namespaces)) {
      hits += ns.hits
      misses += ns.misses
      costSaved += ns.costSaved
    }
    return {
      time: now,
      mode: this.#mode,
      instanceId: this.#cache.id,
      tierOrder: this.#tierOrder,
      namespaces,
      totals: {
        hits,
        misses,
        hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
        requestsSaved: hits,
        costSaved,
        upstreamCalls,
        upstreamCost,
      },
      tiers,
      upstreams: meters,
    }
  }
}
