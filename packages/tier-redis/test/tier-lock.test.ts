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
