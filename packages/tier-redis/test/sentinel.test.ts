import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { redisBus, redisLock, redisTier } from '../src/index.js'
import { makeEntry, randomId } from './helpers/entries.js'
import {
  type RedisSentinelHandle,
  type RedisServer,
  startRedis,
  startSentinel,
} from './helpers/redis-server.js'

let server: RedisServer
let sentinel: RedisSentinelHandle

beforeAll(async () => {
  server = await startRedis({ useEnv: false })
  sentinel = await startSentinel(server)
}, 30_000)

afterAll(async () => {
  await sentinel?.stop()
  await server?.stop()
})

describe('through Redis Sentinel', () => {
  it('redisTier() with sentinel redisOptions finds the master and stores entries', async () => {
    const tier = redisTier({
      redisOptions: { sentinels: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.masterName },
      prefix: `s-${randomId()}:`,
    })
    try {
      const entry = makeEntry({ tags: ['t'] })
      await tier.set('ns:a', entry)
      expect((await tier.get('ns:a'))?.staleUntil).toBe(entry.staleUntil)
      expect(await tier.deleteByTag(['t'], 'ns:')).toBe(1)
      const health = await tier.health()
      expect(health.ok).toBe(true)
      expect(health.detail).toMatchObject({ role: 'master' })
    } finally {
      await tier.close()
    }
  })

  it('redisBus() and redisLock() work through the sentinel', async () => {
    const redisOptions = {
      sentinels: [{ host: sentinel.host, port: sentinel.port }],
      name: sentinel.masterName,
    }
    const a = redisBus({ redisOptions })
    const b = redisBus({ redisOptions })
    const lock = redisLock({ redisOptions })
    try {
      const got: unknown[] = []
      await b.subscribe((m) => got.push(m))
      await a.publish({ type: 'delete', source: 'a', keys: ['k'] })
      const deadline = Date.now() + 2000
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
      expect(got).toEqual([{ type: 'delete', source: 'a', keys: ['k'] }])
      const handle = await lock.acquire(`job-${randomId()}`, 1000, 0)
      expect(handle).toBeDefined()
      await handle!.release()
    } finally {
      await Promise.all([a.close(), b.close(), lock.close()])
    }
  })
})
