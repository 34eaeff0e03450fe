import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promtoolCheck } from '../../../packages/metrics-prometheus/test/promtool.js'
import { auth, call, startDemo, TOKEN } from './helpers.js'

let demo: Awaited<ReturnType<typeof startDemo>>

beforeAll(async () => {
  demo = await startDemo()
})

afterAll(async () => {
  await demo?.dispose()
})

const q = (text: string) => `/api/llm?q=${encodeURIComponent(text)}`

describe('demo API', () => {
  it('GET / serves the dashboard: plots, burst button, no external resources', async () => {
    const r = await call(demo.url, 'GET', '/')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/text\/html/)
    for (const id of [
      'burst',
      'chart-hit-ratio',
      'chart-tier-latency',
      'chart-saved',
      'tiers',
      'hit-ratio-total',
      'cost-saved',
    ]) {
      expect(r.text).toContain(`id="${id}"`)
    }
    expect(r.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//)
  })

  it('GET /api/llm answers a miss from the upstream, then a hit from the cache', async () => {
    const calls = demo.upstreams.meters.llm.calls
    const first = await call(demo.url, 'GET', q('What is a tiered cache?'))
    expect(first.status).toBe(200)
    expect(first.headers.get('x-cache')).toBe('miss')
    expect(first.json.answer.length).toBeGreaterThan(100)
    const second = await call(demo.url, 'GET', q('  What is a   tiered cache? '))
    expect(second.headers.get('x-cache')).toBe('hit')
    expect(second.json).toEqual(first.json)
    expect(demo.upstreams.meters.llm.calls).toBe(calls + 1)
    expect((await call(demo.url, 'GET', '/api/llm')).status).toBe(400)
    expect((await call(demo.url, 'GET', '/api/llm?q=%20')).status).toBe(400)
  })

  it('GET /api/llm?cache=off bypasses the cache', async () => {
    await call(demo.url, 'GET', q('What is a cache stampede?'))
    const calls = demo.upstreams.meters.llm.calls
    const r = await call(demo.url, 'GET', `${q('What is a cache stampede?')}&cache=off`)
    expect(r.headers.get('x-cache')).toBe('bypass')
    expect(demo.upstreams.meters.llm.calls).toBe(calls + 1)
  })

  it('GET /api/stats/:dataset caches per dataset and answers 404 for an unknown one', async () => {
    expect((await call(demo.url, 'GET', '/api/stats/gdp-eu')).headers.get('x-cache')).toBe('miss')
    expect((await call(demo.url, 'GET', '/api/stats/gdp-eu')).headers.get('x-cache')).toBe('hit')
    const r = await call(demo.url, 'GET', '/api/stats/nope')
    expect(r.status).toBe(404)
    expect(r.json.error.message).toMatch(/unknown dataset/)
  })

  it('GET /api/forecast/:product caches per product and horizon; DELETE /cache/tags/product:<sku> drops one product only', async () => {
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=7')).headers.get('x-cache')).toBe(
      'miss',
    )
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=30')).headers.get('x-cache')).toBe(
      'miss',
    )
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1002?horizon=7')).headers.get('x-cache')).toBe(
      'miss',
    )
    const f = await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=7')
    expect(f.headers.get('x-cache')).toBe('hit')
    expect(f.json.mean).toHaveLength(7)
    const denied = await call(demo.url, 'DELETE', '/cache/tags/product%3Asku-1001')
    expect(denied.status).toBe(401)
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=7')).headers.get('x-cache')).toBe(
      'hit',
    )
    const del = await call(demo.url, 'DELETE', '/cache/tags/product%3Asku-1001', { headers: auth() })
    expect(del.status).toBe(200)
    expect(del.json).toEqual({ tag: 'product:sku-1001', deleted: 2 })
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=7')).headers.get('x-cache')).toBe(
      'miss',
    )
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=30')).headers.get('x-cache')).toBe(
      'miss',
    )
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1002?horizon=7')).headers.get('x-cache')).toBe(
      'hit',
    )
    expect((await call(demo.url, 'GET', '/api/forecast/apple')).status).toBe(400)
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1001?horizon=0')).status).toBe(400)
  })

  it('POST /api/burst drives Zipf traffic and the dashboard hit ratio rises', async () => {
    const before = (await call(demo.url, 'GET', '/api/dashboard')).json
    const r = await call(demo.url, 'POST', '/api/burst', {
      body: JSON.stringify({ requests: 200, concurrency: 8 }),
    })
    expect(r.status).toBe(200)
    expect(r.json.requests).toBe(200)
    expect(r.json.hits + r.json.misses + r.json.coalesced).toBe(200)
    expect(r.json.hits).toBeGreaterThan(r.json.misses) // Zipf: the popular keys repeat
    const after = (await call(demo.url, 'GET', '/api/dashboard')).json
    // Callers that join a load already in flight (single-flight) are counted by neither hits nor misses.
    const reads = after.totals.hits + after.totals.misses - before.totals.hits - before.totals.misses
    expect(reads).toBeGreaterThan(100)
    expect(reads).toBeLessThanOrEqual(200)
    expect(after.totals.hitRatio).toBeGreaterThan(before.totals.hitRatio)
    expect(after.totals.requestsSaved).toBeGreaterThan(before.totals.requestsSaved)
    expect(after.totals.costSaved).toBeGreaterThan(before.totals.costSaved)
    expect(Object.keys(after.namespaces)).toEqual(['llm', 'stats', 'forecast'])
    expect(after.namespaces.llm.hit.count).toBeGreaterThan(0)
    expect(after.tierOrder).toEqual(['memory', 'sqlite'])
    expect(after.tiers.sqlite).toEqual(
      expect.objectContaining({ kind: 'remote', ok: true, breaker: 'closed', latencySource: 'engine' }),
    )
    expect(after.tiers.sqlite.get.count).toBeGreaterThan(0)
    expect(after.tiers.memory).toEqual(expect.objectContaining({ kind: 'local', ok: true }))
    expect((await call(demo.url, 'POST', '/api/burst', { body: '{"requests":0}' })).status).toBe(400)
    expect((await call(demo.url, 'POST', '/api/burst', { body: '[' })).status).toBe(400)
    expect((await call(demo.url, 'GET', '/api/burst')).status).toBe(405)
  })

  it('unknown paths answer 404 with a message', async () => {
    const r = await call(demo.url, 'GET', '/nope')
    expect(r.status).toBe(404)
    expect(r.json.error.message).toMatch(/no route/)
  })
})

describe('admin API mounted by the demo', () => {
  it('GET /cache/status lists the namespaces and the embedded stack', async () => {
    const r = await call(demo.url, 'GET', '/cache/status')
    expect(r.status).toBe(200)
    expect(r.json.namespaces).toEqual(expect.arrayContaining(['llm', 'stats', 'forecast']))
    expect(r.json.tiers.map((t: { name: string }) => t.name)).toEqual(['memory', 'sqlite'])
    expect(r.json.warmup).toEqual(['llm', 'stats', 'forecast'])
  })

  it('GET /cache/stats and GET /cache/health answer without a token', async () => {
    const stats = await call(demo.url, 'GET', '/cache/stats')
    expect(stats.status).toBe(200)
    expect(stats.json.namespaces.llm).toEqual(expect.objectContaining({ hits: expect.any(Number) }))
    const health = await call(demo.url, 'GET', '/cache/health')
    expect(health.status).toBe(200)
    expect(health.json.status).toBe('ok')
    expect(Object.keys(health.json.tiers)).toEqual(expect.arrayContaining(['memory', 'sqlite']))
  })

  it('GET /metrics serves Prometheus text that passes promtool', async () => {
    await call(demo.url, 'GET', q('How do I pick a TTL?'))
    const r = await call(demo.url, 'GET', '/metrics')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(r.text).toMatch(/^tierstack_hits_total\{namespace="llm"\} \d+/m)
    expect(r.text).toMatch(/^tierstack_loader_duration_seconds_count\{namespace="llm",result="ok"\} \d+/m)
    expect(r.text).toMatch(
      /^tierstack_tier_operation_duration_seconds_count\{tier="sqlite",op="get",result="ok"\} \d+/m,
    )
    const check = promtoolCheck(r.text)
    expect(check.output).toBe('')
    expect(check.status).toBe(0)
  })

  it('POST /cache/clear needs the token, validates the body, clears one namespace or all', async () => {
    await call(demo.url, 'GET', q('What is negative caching?'))
    await call(demo.url, 'GET', '/api/stats/co2-world')
    expect((await call(demo.url, 'POST', '/cache/clear', { body: '{}' })).status).toBe(401)
    expect(
      (await call(demo.url, 'POST', '/cache/clear', { headers: auth('wrong-token-wrong-token'), body: '{}' }))
        .status,
    ).toBe(401)
    expect((await call(demo.url, 'GET', q('What is negative caching?'))).headers.get('x-cache')).toBe('hit')
    const bad = await call(demo.url, 'POST', '/cache/clear', { headers: auth(), body: '{"namespace":' })
    expect(bad.status).toBe(400)
    expect(bad.json.error.message).toMatch(/not valid JSON/)
    expect(
      (await call(demo.url, 'POST', '/cache/clear', { headers: auth(), body: '{"namespace":7}' })).status,
    ).toBe(400)
    expect(
      (await call(demo.url, 'POST', '/cache/clear', { headers: auth(), body: '{"namespace":"nope"}' }))
        .status,
    ).toBe(404)
    expect((await call(demo.url, 'GET', q('What is negative caching?'))).headers.get('x-cache')).toBe('hit')
    const one = await call(demo.url, 'POST', '/cache/clear', { headers: auth(), body: '{"namespace":"llm"}' })
    expect(one.json).toEqual({ cleared: 'llm' })
    expect((await call(demo.url, 'GET', q('What is negative caching?'))).headers.get('x-cache')).toBe('miss')
    expect((await call(demo.url, 'GET', '/api/stats/co2-world')).headers.get('x-cache')).toBe('hit')
    const all = await call(demo.url, 'POST', '/cache/clear', { headers: auth(), body: '{}' })
    expect(all.json).toEqual({ cleared: 'all' })
    expect((await call(demo.url, 'GET', '/api/stats/co2-world')).headers.get('x-cache')).toBe('miss')
  })

  it('POST /cache/warmup preloads keys through the upstream loaders with NDJSON progress', async () => {
    const body = JSON.stringify({
      namespace: 'llm',
      keys: ['What is MessagePack?', 'How fast is LZ4?', 'What is a hot key?'],
    })
    expect((await call(demo.url, 'POST', '/cache/warmup', { body })).status).toBe(401)
    expect((await call(demo.url, 'GET', q('What is MessagePack?'))).headers.get('x-cache')).toBe('miss')
    const r = await call(demo.url, 'POST', '/cache/warmup', {
      headers: { ...auth(), accept: 'application/x-ndjson' },
      body,
    })
    expect(r.status).toBe(200)
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.type)).toEqual(['progress', 'progress', 'progress', 'summary'])
    expect(lines[3]).toEqual(expect.objectContaining({ total: 3, loaded: 2, cached: 1, failed: 0 }))
    expect((await call(demo.url, 'GET', q('How fast is LZ4?'))).headers.get('x-cache')).toBe('hit')
    const forecast = await call(demo.url, 'POST', '/cache/warmup', {
      headers: auth(),
      body: JSON.stringify({ namespace: 'forecast', keys: ['sku-1020:7', 'bad-key'] }),
    })
    expect(forecast.json).toEqual(expect.objectContaining({ loaded: 1, failed: 1 }))
    expect(forecast.json.errors[0].message).toMatch(/forecast keys are/)
    expect((await call(demo.url, 'GET', '/api/forecast/sku-1020?horizon=7')).headers.get('x-cache')).toBe(
      'hit',
    )
    expect(
      (
        await call(demo.url, 'POST', '/cache/warmup', {
          headers: auth(),
          body: '{"namespace":"llm","keys":"x"}',
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await call(demo.url, 'POST', '/cache/warmup', {
          headers: auth(),
          body: '{"namespace":"nope","keys":["x"]}',
        })
      ).status,
    ).toBe(404)
  })

  it('the admin token is the configured one', () => {
    expect(demo.admin.token).toBe(TOKEN)
    expect(demo.admin.tokenSource).toBe('option')
  })
})
