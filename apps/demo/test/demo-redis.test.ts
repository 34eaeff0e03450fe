import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type RedisServer, startRedis } from '../../../packages/tier-redis/test/helpers/redis-server.js'
import { auth, call, eventually, startDemo } from './helpers.js'

let redis: RedisServer
const demos: Awaited<ReturnType<typeof startDemo>>[] = []

beforeAll(async () => {
  redis = await startRedis({ useEnv: false })
})

afterAll(async () => {
  for (const d of demos) await d.dispose()
  await redis?.stop()
})

async function demo(): Promise<Awaited<ReturnType<typeof startDemo>>> {
  const d = await startDemo({ redisUrl: redis.url })
  demos.push(d)
  return d
}

describe('with REDIS_URL (memory → Redis → SQLite, bus and lock)', () => {
  it('GET /cache/health answers 503 while Redis is down, keeps serving, and returns to 200 when Redis is back', async () => {
    const d = await demo()
    expect(d.stack.mode).toBe('redis')
    expect(d.stack.tiers).toEqual(['memory', 'redis', 'sqlite'])
    const up = await call(d.url, 'GET', '/cache/health')
    expect(up.status).toBe(200)
    expect(up.json.tiers.redis).toEqual(expect.objectContaining({ ok: true, kind: 'remote', required: true }))
    expect((await call(d.url, 'GET', '/api/stats/gdp-us')).headers.get('x-cache')).toBe('miss')

    await redis.kill()
    let down: Awaited<ReturnType<typeof call>> | undefined
    await eventually(
      async () => {
        down = await call(d.url, 'GET', '/cache/health')
        return down.status === 503
      },
      10_000,
      '/cache/health to answer 503',
    )
    expect(down?.json.status).toBe('down')
    expect(down?.json.tiers.redis.ok).toBe(false)
    expect(down?.json.tiers.redis.detail).toBeDefined()
    expect(down?.json.tiers.memory.ok).toBe(true)
    expect(down?.json.tiers.sqlite.ok).toBe(true)
    // the cache keeps answering from the tiers that work
    expect((await call(d.url, 'GET', '/api/stats/gdp-us')).headers.get('x-cache')).toBe('hit')
    const fresh = await call(d.url, 'GET', '/api/stats/wages-uk')
    expect(fresh.status).toBe(200)
    expect(fresh.headers.get('x-cache')).toBe('miss')

    await redis.restart()
    await eventually(
      async () => (await call(d.url, 'GET', '/cache/health')).status === 200,
      20_000,
      '/cache/health to answer 200 again',
    )
    const back = await call(d.url, 'GET', '/cache/health')
    expect(back.json.tiers.redis.ok).toBe(true)
  })

  it('two instances share one cache: a value loaded by one is a hit on the other, tag invalidation reaches both', async () => {
    const a = await demo()
    const b = await demo()
    expect(a.dataDir).not.toBe(b.dataDir) // only Redis is shared
    expect((await call(a.url, 'GET', '/api/forecast/sku-1003?horizon=7')).headers.get('x-cache')).toBe('miss')
    expect((await call(b.url, 'GET', '/api/forecast/sku-1003?horizon=7')).headers.get('x-cache')).toBe('hit')
    expect(b.upstreams.meters.forecast.calls).toBe(0)
    expect(b.cache.stats().namespaces.forecast?.hitsByTier.redis).toBe(1)

    const del = await call(a.url, 'DELETE', '/cache/tags/product%3Asku-1003', { headers: auth() })
    expect(del.status).toBe(200)
    // B's memory copy is dropped by the bus message, Redis no longer has it: B must recompute
    await eventually(
      async () => (await b.cache.namespace('forecast').get('sku-1003:7')) === undefined,
      5000,
      'the bus to drop B’s local copy',
    )
    expect((await call(b.url, 'GET', '/api/forecast/sku-1003?horizon=7')).headers.get('x-cache')).toBe('miss')
    expect(b.upstreams.meters.forecast.calls).toBe(1)
  })

  it('GET /api/llm on two instances at once calls the upstream once (distributed lock)', async () => {
    const a = await demo()
    const b = await demo()
    const path = `/api/llm?q=${encodeURIComponent('Can two services share one cache?')}`
    const answers = await Promise.all([
      call(a.url, 'GET', path),
      call(b.url, 'GET', path),
      call(a.url, 'GET', path),
      call(b.url, 'GET', path),
    ])
    for (const r of answers) expect(r.status).toBe(200)
    expect(new Set(answers.map((r) => r.text)).size).toBe(1)
    expect(a.upstreams.meters.llm.calls + b.upstreams.meters.llm.calls).toBe(1)
  })
})
