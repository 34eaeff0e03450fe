import { afterEach, describe, expect, it } from '@jest/globals'
import { createCache, memoryTier, type TieredCache } from '@tierstack/core'
import { bytesTier, type ChaosTier, chaosTier } from '@tierstack/test-suite'
import { Registry } from 'prom-client'
import { prometheusMetrics } from '../src/index.js'
import { promtoolCheck } from './promtool.js'

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const open: { close(): Promise<void> }[] = []
const stops: { stop(): void }[] = []

afterEach(async () => {
  for (const s of stops.splice(0)) s.stop()
  for (const c of open.splice(0)) await c.close()
})

/** memory → a remote bytes tier (in a chaos wrapper), with a clock the test moves. */
function makeCache(): { cache: TieredCache; remote: ChaosTier; clock: { now: number } } {
  const clock = { now: Date.now() }
  const remote = chaosTier(bytesTier({ name: 'remote', now: () => clock.now }))
  const cache = createCache({
    tiers: [memoryTier({ maxEntries: 2, now: () => clock.now }), remote],
    namespaces: { llm: { ttl: '1m', grace: '1h', costPerMiss: 0.25 }, stats: { ttl: '1m' } },
    breaker: { failureThreshold: 2, resetAfter: '1h' },
    now: () => clock.now,
  })
  open.push(cache)
  return { cache, remote, clock }
}

describe('prometheusMetrics()', () => {
  it('metrics() exports namespace and tier counters read from stats()', async () => {
    const { cache, clock } = makeCache()
    const exporter = prometheusMetrics(cache)
    stops.push(exporter)
    const llm = cache.namespace('llm')
    await llm.getOrSet('q1', () => 'a1') // miss + loader
    await llm.getOrSet('q1', () => 'never') // hit
    await llm.get('q1') // hit
    await cache.namespace('stats').get('absent') // miss
    for (const k of ['x', 'y', 'z']) await cache.namespace('stats').set(k, k) // memory holds 2: one eviction at least
    clock.now += 2 * 60_000 // past the TTL, within grace
    await llm.get('q1', { allowStale: true }) // stale hit
    const text = await exporter.metrics()
    const s = cache.stats()
    expect(s.namespaces.llm?.hits).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'tierstack_hits_total{namespace="llm"}')).toBe(s.namespaces.llm?.hits)
    expect(sample(text, 'tierstack_misses_total{namespace="llm"}')).toBe(1)
    expect(sample(text, 'tierstack_stale_hits_total{namespace="llm"}')).toBe(1)
    expect(sample(text, 'tierstack_loader_calls_total{namespace="llm"}')).toBe(1)
    expect(sample(text, 'tierstack_sets_total{namespace="stats"}')).toBe(3)
    expect(sample(text, 'tierstack_misses_total{namespace="stats"}')).toBe(1)
    expect(sample(text, 'tierstack_cost_saved_total{namespace="llm"}')).toBeCloseTo(
      (s.namespaces.llm?.hits ?? 0) * 0.25,
    )
    expect(sample(text, 'tierstack_hits_by_tier_total{namespace="llm",tier="memory"}')).toBe(
      s.namespaces.llm?.hitsByTier.memory,
    )
    expect(sample(text, 'tierstack_tier_sets_total{tier="remote"}')).toBe(s.tiers.remote?.sets)
    expect(sample(text, 'tierstack_tier_evictions_total{tier="memory"}')).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'tierstack_tier_entries{tier="memory"}')).toBe(s.tiers.memory?.entries)
    expect(sample(text, 'tierstack_tier_bytes{tier="memory"}')).toBe(s.tiers.memory?.bytes)
    expect(sample(text, 'tierstack_tier_breaker_state{tier="remote"}')).toBe(0)
    // local tiers have no breaker series, remote tiers no size series
    expect(sample(text, 'tierstack_tier_breaker_state{tier="memory"}')).toBeUndefined()
    expect(sample(text, 'tierstack_tier_entries{tier="remote"}')).toBeUndefined()
  })

  it('metrics() reports the breaker of a failing remote tier as 2 (open)', async () => {
    const { cache, remote } = makeCache()
    const exporter = prometheusMetrics(cache)
    stops.push(exporter)
    remote.fail()
    for (const k of ['a', 'b', 'c']) await cache.namespace('stats').get(k)
    const text = await exporter.metrics()
    expect(sample(text, 'tierstack_tier_breaker_state{tier="remote"}')).toBe(2)
    expect(sample(text, 'tierstack_tier_errors_total{tier="remote"}')).toBe(2)
    expect(
      sample(text, 'tierstack_tier_operation_duration_seconds_count{tier="remote",op="get",result="error"}'),
    ).toBe(2)
  })

  it('metrics() follows the counters between scrapes and calls stats() once per scrape', async () => {
    const { cache } = makeCache()
    let calls = 0
    const counted = {
      id: cache.id,
      stats: () => {
        calls++
        return cache.stats()
      },
    }
    const exporter = prometheusMetrics(counted)
    stops.push(exporter)
    await cache.namespace('llm').set('k', 'v')
    await exporter.metrics()
    expect(calls).toBe(1)
    for (let i = 0; i < 5; i++) await cache.namespace('llm').get('k')
    await new Promise((r) => setImmediate(r))
    const text = await exporter.metrics()
    expect(calls).toBe(2)
    expect(sample(text, 'tierstack_hits_total{namespace="llm"}')).toBe(5)
  })

  it('metrics() feeds latency histograms from events of this cache only, never with a key label', async () => {
    const { cache } = makeCache()
    const { cache: other } = makeCache()
    const exporter = prometheusMetrics(cache)
    stops.push(exporter)
    await cache.namespace('llm').getOrSet('secret-key-1', () => 'v')
    await expect(
      cache.namespace('llm').getOrSet('secret-key-2', () => Promise.reject(new Error('upstream down'))),
    ).rejects.toThrow()
    await other.namespace('llm').getOrSet('secret-key-3', () => 'v')
    await other.namespace('llm').get('secret-key-4')
    const text = await exporter.metrics()
    expect(sample(text, 'tierstack_loader_duration_seconds_count{namespace="llm",result="ok"}')).toBe(1)
    expect(sample(text, 'tierstack_loader_duration_seconds_count{namespace="llm",result="error"}')).toBe(1)
    const remoteGets = sample(
      text,
      'tierstack_tier_operation_duration_seconds_count{tier="remote",op="get",result="ok"}',
    )
    // two loads on this cache looked in the remote tier first (the other cache's reads are not counted)
    expect(remoteGets).toBe(2)
    expect(
      sample(
        text,
        'tierstack_tier_operation_duration_seconds_bucket{le="+Inf",tier="remote",op="set",result="ok"}',
      ),
    ).toBe(1)
    expect(text).not.toContain('secret-key')
  })

  it('metrics() output passes promtool check metrics', async () => {
    const { cache, remote } = makeCache()
    const exporter = prometheusMetrics(cache)
    stops.push(exporter)
    await cache.namespace('llm').getOrSet('q', () => 'a')
    await cache.namespace('llm').get('q')
    remote.fail()
    await cache.namespace('stats').get('s')
    const text = await exporter.metrics()
    expect(text).toContain('tierstack_tier_operation_duration_seconds_bucket')
    const check = promtoolCheck(text)
    expect(check.output).toBe('')
    expect(check.status).toBe(0)
  })

  it('stop() unsubscribes and removes the metrics from a shared registry', async () => {
    const { cache } = makeCache()
    const registry = new Registry()
    const exporter = prometheusMetrics(cache, { registry, prefix: 'app_cache_' })
    expect(exporter.registry).toBe(registry)
    exporter.stop()
    exporter.stop()
    expect(await registry.metrics()).toBe('\n')
    await cache.namespace('llm').getOrSet('k1', () => 'v') // not observed: stopped
    const again = prometheusMetrics(cache, { registry, prefix: 'app_cache_' })
    stops.push(again)
    expect(
      sample(await again.metrics(), 'app_cache_loader_duration_seconds_count{namespace="llm",result="ok"}'),
    ).toBeUndefined()
    await cache.namespace('llm').getOrSet('k2', () => 'v')
    expect(
      sample(await again.metrics(), 'app_cache_loader_duration_seconds_count{namespace="llm",result="ok"}'),
    ).toBe(1)
  })

  it('scrape() returns the body with its content type', async () => {
    const { cache } = makeCache()
    const exporter = prometheusMetrics(cache)
    stops.push(exporter)
    const scrape = await exporter.scrape()
    expect(scrape.contentType).toBe(exporter.contentType)
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(scrape.body).toContain('# TYPE tierstack_hits_total counter')
  })

  it('prometheusMetrics() rejects bad options with E_INVALID_OPTION naming the option', () => {
    const { cache } = makeCache()
    expect(() => prometheusMetrics(cache, { prefix: 'bad-prefix' })).toThrow(/prefix/)
    expect(() => prometheusMetrics(cache, { tierBuckets: [0.1, 0.05] })).toThrow(/tierBuckets/)
    expect(() => prometheusMetrics(cache, { loaderBuckets: [] })).toThrow(/loaderBuckets/)
    expect(() => prometheusMetrics({} as never)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION' }),
    )
    const registry = new Registry()
    const first = prometheusMetrics(cache, { registry })
    stops.push(first)
    expect(() => prometheusMetrics(cache, { registry })).toThrow(/another prefix/)
  })
})
