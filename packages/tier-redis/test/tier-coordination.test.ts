import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createCache, memoryTier, type TieredCache } from '@tierstack/core'
import { redisTier } from '../src/index.js'
import { randomId } from './helpers/entries.js'
import { type RedisServer, startRedis } from './helpers/redis-server.js'

let server: RedisServer
const caches: TieredCache[] = []

beforeAll(async () => {
  server = await startRedis({ useEnv: false })
}, 60_000)

afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()))
  await server?.stop()
})

describe("createCache with a redis tier and no lock: lock: 'distributed' uses the tier's", () => {
  it('runs the loader once for two caches (two instances) × 50 concurrent callers', async () => {
    const prefix = `lk-${randomId()}:`
    const make = () => {
      const cache = createCache({ tiers: [memoryTier(), redisTier({ url: server.url, prefix })] })
      caches.push(cache)
      return cache
    }
    const a = make()
    const b = make()
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 100))
      return { loaded: calls }
    }
    const all = await Promise.all(
      [a, b].flatMap((c) =>
        Array.from({ length: 50 }, () => c.getOrSet('cold', loader, { lock: 'distributed', ttl: '1m' })),
      ),
    )
    expect(calls).toBe(1)
    expect(new Set(all.map((v) => JSON.stringify(v)))).toEqual(new Set(['{"loaded":1}']))
  }, 30_000)

  it('the lock keys live under the tier prefix and are gone afterwards', async () => {
    const prefix = `lk-${randomId()}:`
    const tier = redisTier({ url: server.url, prefix })
    const cache = createCache({ tiers: [tier] })
    caches.push(cache)
    await cache.getOrSet('k', async () => 1, { lock: 'distributed' })
    expect(await tier.client.keys(`${prefix}lock:*`)).toEqual([])
    expect(await cache.get('k')).toBe(1)
  })
})

describe('createCache with memory + redis and no bus: the tier’s bus keeps instances coherent', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const pair = (prefix: string, bus?: false) =>
    [0, 1].map(() => {
      const cache = createCache({
        tiers: [memoryTier(), redisTier({ url: server.url, prefix })],
        defaults: { ttl: '10m' },
        ...(bus === false ? { bus } : {}),
      })
      caches.push(cache)
      return cache
    }) as [TieredCache, TieredCache]

  /** Polls `b.get(key)` until it returns `want` or `ms` pass; resolves to the last value seen. */
  async function eventually(c: TieredCache, key: string, want: unknown, ms: number): Promise<unknown> {
    const until = Date.now() + ms
    let seen = await c.get(key)
    while (seen !== want && Date.now() < until) {
      await sleep(10)
      seen = await c.get(key)
    }
    return seen
  }

  it('set(), delete() and deleteByTag() in one instance drop the other instance’s memory copy', async () => {
    const [a, b] = pair(`bus-${randomId()}:`)
    await sleep(100) // both subscribed
    await a.set('k', 'v1', { tags: ['t'] })
    expect(await b.get('k')).toBe('v1') // now in b's memory
    await a.set('k', 'v2', { tags: ['t'] })
    expect(await eventually(b, 'k', 'v2', 2000)).toBe('v2')
    await a.delete('k')
    expect(await eventually(b, 'k', undefined, 2000)).toBeUndefined()
    await a.set('j', 'x', { tags: ['t'] })
    expect(await b.get('j')).toBe('x')
    await a.deleteByTag('t')
    expect(await eventually(b, 'j', undefined, 2000)).toBeUndefined()
  })

  it('bus: false opts out: the other instance keeps serving its memory copy', async () => {
    const [a, b] = pair(`nobus-${randomId()}:`, false)
    await a.set('k', 'v1')
    expect(await b.get('k')).toBe('v1')
    await a.set('k', 'v2')
    await sleep(200)
    expect(await b.get('k')).toBe('v1')
  })
})
