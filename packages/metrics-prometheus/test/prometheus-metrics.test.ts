import { describe, expect, it } from '@jest/globals'
import { prometheusMetrics } from '@tierstack/metrics-prometheus'
import { Registry } from 'prom-client'
import { fakeCache } from './fake-cache.js'
import { promtoolCheck } from './promtool.js'

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('prometheusMetrics() with stats shapes', () => {
  it('metrics() exports namespace and tier counters read from stats()', async () => {
    const cache = fakeCache()
    const exporter = prometheusMetrics(cache)
    const text = await exporter.metrics()
    expect(sample(text, 'tierstack_hits_total{namespace="llm"}')).toBe(7)
    expect(sample(text, 'tierstack_misses_total{namespace="llm"}')).toBe(3)
    expect(sample(text, 'tierstack_stale_hits_total{namespace="llm"}')).toBe(1)
    expect(sample(text, 'tierstack_loader_calls_total{namespace="llm"}')).toBe(3)
    expect(sample(text, 'tierstack_errors_total{namespace="stats"}')).toBe(2)
    expect(sample(text, 'tierstack_cost_saved_total{namespace="llm"}')).toBe(0.014)
    expect(sample(text, 'tierstack_hits_by_tier_total{namespace="llm",tier="redis"}')).toBe(2)
    expect(sample(text, 'tierstack_tier_evictions_total{tier="memory"}')).toBe(2)
    expect(sample(text, 'tierstack_tier_errors_total{tier="redis"}')).toBe(3)
    expect(sample(text, 'tierstack_tier_entries{tier="memory"}')).toBe(12)
    expect(sample(text, 'tierstack_tier_bytes{tier="memory"}')).toBe(3456)
    expect(sample(text, 'tierstack_tier_breaker_state{tier="redis"}')).toBe(2)
    // local tiers have no breaker series, remote tiers no size series
    expect(sample(text, 'tierstack_tier_breaker_state{tier="memory"}')).toBeUndefined()
    expect(sample(text, 'tierstack_tier_entries{tier="redis"}')).toBeUndefined()
    exporter.stop()
  })

  it('metrics() follows the counters between scrapes and calls stats() once per scrape', async () => {
    const cache = fakeCache()
    const exporter = prometheusMetrics(cache)
    await exporter.metrics()
    expect(cache.statsCalls).toBe(1)
    const llm = cache.raw.namespaces.llm
    if (llm === undefined) throw new Error('fixture')
    llm.hits = 50
    const redis = cache.raw.tiers.redis
    if (redis === undefined) throw new Error('fixture')
    redis.breaker = 'half-open'
    await new Promise((r) => setImmediate(r))
    const text = await exporter.metrics()
    expect(cache.statsCalls).toBe(2)
    expect(sample(text, 'tierstack_hits_total{namespace="llm"}')).toBe(50)
    expect(sample(text, 'tierstack_tier_breaker_state{tier="redis"}')).toBe(1)
    exporter.stop()
  })

  it('metrics() feeds latency histograms from events of this cache only, never with a key label', async () => {
    const cache = fakeCache()
    const other = fakeCache()
    const exporter = prometheusMetrics(cache)
    cache.tierOp('redis', 'get', 2)
    cache.tierOp('redis', 'get', 0.3)
    cache.tierOp('redis', 'set', 1000, false, true)
    cache.tierOp('redis', 'get', 5, true, false, other.id)
    cache.loader('llm', 450)
    cache.loader('llm', 12, false)
    const text = await exporter.metrics()
    expect(sample(text, 'tierstack_tier_operation_duration_seconds_count{tier="redis",op="get",result="ok"}')).toBe(2)
    expect(sample(text, 'tierstack_tier_operation_duration_seconds_bucket{le="0.0005",tier="redis",op="get",result="ok"}')).toBe(1)
    expect(sample(text, 'tierstack_tier_operation_duration_seconds_count{tier="redis",op="set",result="timeout"}')).toBe(1)
    expect(sample(text, 'tierstack_loader_duration_seconds_count{namespace="llm",result="ok"}')).toBe(1)
    expect(sample(text, 'tierstack_loader_duration_seconds_sum{namespace="llm",result="ok"}')).toBeCloseTo(0.45)
    expect(sample(text, 'tierstack_loader_duration_seconds_count{namespace="llm",result="error"}')).toBe(1)
    expect(text).not.toContain('secret-key')
    exporter.stop()
  })

  it('metrics() output passes promtool check metrics', async () => {
    const cache = fakeCache()
    const exporter = prometheusMetrics(cache)
    cache.tierOp('memory', 'get', 0.01)
    cache.loader('stats', 200)
    const text = await exporter.metrics()
    const check = promtoolCheck(text)
    expect(check.output).toBe('')
    expect(check.status).toBe(0)
    exporter.stop()
  })

  it('stop() unsubscribes and removes the metrics from a shared registry', async () => {
    const registry = new Registry()
    const cache = fakeCache()
    const exporter = prometheusMetrics(cache, { registry, prefix: 'app_cache_' })
    expect(exporter.registry).toBe(registry)
    cache.loader('llm', 5)
    exporter.stop()
    exporter.stop()
    expect(await registry.metrics()).toBe('\n')
    // a second exporter can now register the same names
    const again = prometheusMetrics(cache, { registry, prefix: 'app_cache_' })
    const text = await again.metrics()
    expect(sample(text, 'app_cache_loader_duration_seconds_count{namespace="llm",result="ok"}')).toBeUndefined()
    cache.loader('llm', 5)
    expect(sample(await again.metrics(), 'app_cache_loader_duration_seconds_count{namespace="llm",result="ok"}')).toBe(1)
    again.stop()
  })

  it('scrape() returns the body with its content type', async () => {
    const exporter = prometheusMetrics(fakeCache())
    const scrape = await exporter.scrape()
    expect(scrape.contentType).toBe(exporter.contentType)
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(scrape.body).toContain('# TYPE tierstack_hits_total counter')
    exporter.stop()
  })

  it('prometheusMetrics() rejects bad options with E_INVALID_OPTION naming the option', () => {
    const cache = fakeCache()
    expect(() => prometheusMetrics(cache, { prefix: 'bad-prefix' })).toThrow(/prefix/)
    expect(() => prometheusMetrics(cache, { tierBuckets: [0.1, 0.05] })).toThrow(/tierBuckets/)
    expect(() => prometheusMetrics(cache, { loaderBuckets: [] })).toThrow(/loaderBuckets/)
    expect(() => prometheusMetrics({} as never)).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }))
    const registry = new Registry()
    const first = prometheusMetrics(cache, { registry })
    expect(() => prometheusMetrics(cache, { registry })).toThrow(/another prefix/)
    first.stop()
  })
})
