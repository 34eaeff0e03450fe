import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createCache, memoryTier } from '@tierstack/core'
import { Redis } from 'ioredis'
import { redisBus, redisTier } from '../src/index.js'
import { type CacheProcess, spawnCacheProcess } from './helpers/cache-process.js'
import { randomId } from './helpers/entries.js'
import { type RedisServer, startRedis } from './helpers/redis-server.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let server: RedisServer
const children: CacheProcess[] = []

beforeAll(async () => {
  server = await startRedis({ useEnv: false })
})

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()))
  await server.stop()
})

async function twoProcesses(prefix: string): Promise<[CacheProcess, CacheProcess]> {
  const a = spawnCacheProcess()
  const b = spawnCacheProcess()
  children.push(a, b)
  await Promise.all([
    a.send({ cmd: 'init', url: server.url, prefix, name: 'a' }),
    b.send({ cmd: 'init', url: server.url, prefix, name: 'b' }),
  ])
  return [a, b]
}

describe('with createCache across processes', () => {
  it("set() in one process drops the other process's memory copy through the bus within 100 ms", async () => {
    const [a, b] = await twoProcesses(`e-${randomId()}:`)
    await a.send({ cmd: 'set', ns: 'items', key: 'k', value: 'v1' })
    // b reads it once: now it sits in b's memory tier.
    expect((await b.send({ cmd: 'get', ns: 'items', key: 'k' })).value).toBe('v1')
    const lags: number[] = []
    for (let round = 2; round <= 6; round++) {
      const watching = b.send({ cmd: 'watch', ns: 'items', key: 'k', until: `v${round}` })
      await sleep(20)
      const { at: writtenAt } = await a.send({ cmd: 'set', ns: 'items', key: 'k', value: `v${round}` })
      const { at: seenAt } = await watching
      lags.push(seenAt - writtenAt)
    }
    // Without the bus, b would serve its memory copy for the whole TTL (10 min).
    lags.sort((x, y) => x - y)
    if (process.env.TIERSTACK_VERBOSE)
      console.log(`bus invalidation lag (ms): ${lags.map((l) => l.toFixed(1)).join(', ')}`)
    expect(lags[lags.length - 1]!).toBeLessThan(100)
  }, 60_000)

  it("getOrSet() with lock: 'distributed' runs the loader once for 2 processes × 200 concurrent calls", async () => {
    const prefix = `e-${randomId()}:`
    const [a, b] = await twoProcesses(prefix)
    const counterKey = `${prefix}loader-calls`
    const storm = { cmd: 'storm', ns: 'reports', key: 'cold', n: 200, counterKey, loadMs: 200 }
    const [ra, rb] = await Promise.all([a.send(storm), b.send(storm)])
    const probe = new Redis(server.url)
    try {
      expect(Number(await probe.get(counterKey))).toBe(1)
    } finally {
      probe.disconnect()
    }
    // Everybody got the one loaded value.
    expect(ra.values).toHaveLength(1)
    expect(rb.values).toEqual(ra.values)
    expect(String(ra.values[0])).toMatch(/^\{"loadedBy":"[ab]"\}$/)
  }, 60_000)
})

describe('with createCache when Redis dies', () => {
  it('get() answers from memory within the timeout while Redis is down, the breaker opens, and Redis is used again after restart', async () => {
    const own = await startRedis({ useEnv: false })
    const unhandled: unknown[] = []
    const onUnhandled = (r: unknown) => unhandled.push(r)
    process.on('unhandledRejection', onUnhandled)
    const cache = createCache({
      tiers: [
        memoryTier({ maxEntries: 1000 }),
        redisTier({ url: own.url, prefix: `d-${randomId()}:`, commandTimeout: 300 }),
      ],
      bus: redisBus({ url: own.url, commandTimeout: 300 }),
      tierTimeout: 300,
      breaker: { failureThreshold: 3, resetAfter: 500 },
      defaults: { ttl: '10m' },
    })
    try {
      await cache.ready()
      await cache.set('hot', 'from-memory')
      await own.kill('SIGKILL')

      for (let i = 0; i < 10; i++) {
        const start = performance.now()
        expect(await cache.get('hot')).toBe('from-memory')
        // A key only Redis could have: a miss, not a hang or an error.
        expect(await cache.get(`cold-${i}`)).toBeUndefined()
        expect(performance.now() - start).toBeLessThan(300 + 400)
      }
      expect(cache.stats().tiers.redis!.breaker).toBe('open')
      expect((await cache.health()).ok).toBe(false)

      await own.restart()
      // The probe after `resetAfter` closes the breaker once Redis answers; then writes reach Redis again.
      const deadline = Date.now() + 10_000
      let back = false
      while (!back && Date.now() < deadline) {
        await cache.set('after', 'x').catch(() => undefined)
        await sleep(100)
        back = cache.stats().tiers.redis!.breaker === 'closed' && (await redisHas(own.url, 'after'))
      }
      expect(back).toBe(true)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await cache.close()
      await own.stop()
    }
  }, 30_000)
})

/** Whether any key ending in `:after` exists (the tier prefix and namespace are the engine's business). */
async function redisHas(url: string, suffix: string): Promise<boolean> {
  const probe = new Redis(url)
  try {
    return (await probe.keys(`*:${suffix}`)).length > 0
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}
