import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { BusMessage, LockHandle } from '@tierstack/core'
import { isCacheError } from '@tierstack/core'
import { Redis } from 'ioredis'
import { type RedisBus, type RedisLock, redisBus, redisLock } from '../src/index.js'
import { randomId } from './helpers/entries.js'
import {
  type RedisClusterHandle,
  type RedisServer,
  startCluster,
  startRedis,
} from './helpers/redis-server.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let server: RedisServer
let cluster: RedisClusterHandle
const closers: { close(): Promise<void> }[] = []

beforeAll(async () => {
  ;[server, cluster] = await Promise.all([startRedis({ useEnv: false }), startCluster()])
}, 60_000)

afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()))
  await Promise.all([server?.stop(), cluster?.stop()])
})

function bus(options: Parameters<typeof redisBus>[0]): RedisBus {
  const b = redisBus(options)
  closers.push(b)
  return b
}

function lock(options: Parameters<typeof redisLock>[0] = {}): RedisLock {
  const l = redisLock({ url: server.url, ...options })
  closers.push(l)
  return l
}

/** Resolves with the first message `pred` accepts, or rejects after `ms`. */
function nextMessage(
  received: BusMessage[],
  pred: (m: BusMessage) => boolean,
  ms: number,
): Promise<BusMessage> {
  const deadline = Date.now() + ms
  return new Promise((resolve, reject) => {
    const poll = () => {
      const found = received.find(pred)
      if (found) return resolve(found)
      if (Date.now() > deadline)
        return reject(new Error(`no matching bus message within ${ms} ms; got ${JSON.stringify(received)}`))
      setTimeout(poll, 2)
    }
    poll()
  })
}

describe('RedisBus', () => {
  it('subscribe() receives what another instance publishes within 100 ms, and not its own messages', async () => {
    const channel = `bus-${randomId()}`
    const a = bus({ url: server.url, channel })
    const b = bus({ url: server.url, channel })
    const gotA: BusMessage[] = []
    const gotB: BusMessage[] = []
    await a.subscribe((m) => gotA.push(m))
    await b.subscribe((m) => gotB.push(m))
    const start = performance.now()
    await a.publish({ type: 'delete', source: 'instance-a', keys: ['ns:1', 'ns:2'] })
    const m = await nextMessage(gotB, (x) => x.type === 'delete', 1000)
    expect(performance.now() - start).toBeLessThan(100)
    expect(m).toEqual({ type: 'delete', source: 'instance-a', keys: ['ns:1', 'ns:2'] })
    await b.publish({ type: 'clear', source: 'instance-b', prefix: 'ns:' })
    await b.publish({ type: 'tags', source: 'instance-b', tags: ['t'], prefix: '' })
    await nextMessage(gotA, (x) => x.type === 'tags', 1000)
    expect(gotA).toEqual([
      { type: 'clear', source: 'instance-b', prefix: 'ns:' },
      { type: 'tags', source: 'instance-b', tags: ['t'], prefix: '' },
    ])
    // Neither bus heard its own echo.
    expect(gotA.some((x) => x.source === 'instance-a')).toBe(false)
    expect(gotB.some((x) => x.source === 'instance-b')).toBe(false)
  })

  it('subscribe() ignores foreign or malformed payloads on the channel', async () => {
    const channel = `bus-${randomId()}`
    const a = bus({ url: server.url, channel })
    const got: BusMessage[] = []
    await a.subscribe((m) => got.push(m))
    const raw = new Redis(server.url)
    await raw.publish(channel, 'not json')
    await raw.publish(channel, JSON.stringify({ v: 1, o: 'x', m: { type: 'explode', source: 'x' } }))
    await raw.publish(channel, JSON.stringify({ v: 1, o: 'x', m: { type: 'set', source: 'x', keys: ['k'] } }))
    raw.disconnect()
    await nextMessage(got, (m) => m.type === 'set', 1000)
    expect(got).toEqual([{ type: 'set', source: 'x', keys: ['k'] }])
  })

  it("subscribe() delivers { type: 'reset' } after the subscriber connection comes back", async () => {
    const own = await startRedis({ useEnv: false })
    try {
      const channel = `bus-${randomId()}`
      const a = bus({ url: own.url, channel })
      const b = bus({ url: own.url, channel })
      const got: BusMessage[] = []
      await b.subscribe((m) => got.push(m))
      await a.publish({ type: 'set', source: 'a', keys: ['k'] })
      await nextMessage(got, (m) => m.type === 'set', 1000)
      expect(got.some((m) => m.type === 'reset')).toBe(false)
      await own.kill('SIGKILL')
      await own.restart()
      const reset = await nextMessage(got, (m) => m.type === 'reset', 5000)
      expect(reset).toEqual({ type: 'reset', source: 'redis-bus' })
      // And the subscription works again.
      const deadline = Date.now() + 5000
      while (!got.some((m) => m.type === 'delete') && Date.now() < deadline) {
        await a.publish({ type: 'delete', source: 'a', keys: ['k2'] }).catch(() => undefined)
        await sleep(50)
      }
      expect(got.some((m) => m.type === 'delete')).toBe(true)
    } finally {
      await own.stop()
    }
  })

  it('publish() rejects with E_TIER_ERROR while the server is down, and subscribe() rejects with E_TIER_TIMEOUT against a paused one', async () => {
    const own = await startRedis({ useEnv: false })
    try {
      const a = bus({ url: own.url, commandTimeout: 300 })
      await a.publish({ type: 'set', source: 'a', keys: ['k'] })
      await own.kill('SIGKILL')
      await sleep(100)
      await expect(a.publish({ type: 'set', source: 'a', keys: ['k'] })).rejects.toMatchObject({
        code: 'E_TIER_ERROR',
      })
      await own.restart()
      await own.pause()
      const b = bus({ url: own.url, commandTimeout: 300 })
      const got: BusMessage[] = []
      const start = performance.now()
      await expect(b.subscribe((m) => got.push(m))).rejects.toMatchObject({ code: 'E_TIER_TIMEOUT' })
      expect(performance.now() - start).toBeLessThan(800)
      await own.resume()
      // It got through in the background: messages may have been missed meanwhile, so it asks for a flush.
      await nextMessage(got, (m) => m.type === 'reset', 5000)
    } finally {
      await own.stop()
    }
  })

  it('publish() and subscribe() work on a cluster, and survive the loss of the subscribed node', async () => {
    const channel = `bus-${randomId()}`
    const a = bus({ nodes: cluster.nodes, channel })
    const b = bus({ nodes: cluster.nodes, channel })
    const got: BusMessage[] = []
    await b.subscribe((m) => got.push(m))
    await a.publish({ type: 'delete', source: 'a', keys: ['k1'] })
    await nextMessage(got, (m) => m.type === 'delete', 1000)
    // Kill the node b listens on (a replica or a master): b moves to another node and asks for a flush.
    const port = await subscriberPort(b)
    const victim = cluster.servers.find((s) => s.port === port)
    expect(victim).toBeDefined()
    await victim!.kill('SIGKILL')
    await nextMessage(got, (m) => m.type === 'reset', 10_000)
    const deadline = Date.now() + 10_000
    while (!got.some((m) => m.type === 'set') && Date.now() < deadline) {
      await a.publish({ type: 'set', source: 'a', keys: ['k2'] }).catch(() => undefined)
      await sleep(100)
    }
    expect(got.some((m) => m.type === 'set')).toBe(true)
    await victim!.restart()
    await cluster.waitForOk()
  }, 30_000)
})

/** The port of the node the bus subscriber is connected to (asks the server for its client list). */
async function subscriberPort(b: RedisBus): Promise<number | undefined> {
  for (const s of cluster.servers) {
    if (s.pid === undefined) continue
    const probe = new Redis(s.port, '127.0.0.1')
    try {
      // PUBSUB NUMSUB is local to the node in a cluster: only the node b listens on counts a subscriber.
      const [, count] = (await probe.pubsub('NUMSUB', b.channel)) as [string, number]
      if (Number(count) > 0) return s.port
    } finally {
      probe.disconnect()
    }
  }
  return undefined
}

describe('RedisLock', () => {
  it('acquire() gives the lock to one holder at a time among 200 concurrent callers', async () => {
    const locks = [lock(), lock()]
    const key = `job-${randomId()}`
    let holders = 0
    let maxHolders = 0
    let served = 0
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const handle = await locks[i % 2]!.acquire(key, 5000, 60_000)
        expect(handle).toBeDefined()
        holders++
        maxHolders = Math.max(maxHolders, holders)
        await sleep(1)
        holders--
        served++
        await handle!.release()
      }),
    )
    expect(served).toBe(200)
    expect(maxHolders).toBe(1)
  }, 60_000)

  it('acquire() resolves undefined when the lock stays taken for the whole wait', async () => {
    const l = lock()
    const key = `job-${randomId()}`
    const first = await l.acquire(key, 5000, 0)
    expect(first).toBeDefined()
    const start = Date.now()
    expect(await l.acquire(key, 5000, 150)).toBeUndefined()
    expect(Date.now() - start).toBeGreaterThanOrEqual(140)
    expect(await l.acquire(key, 5000, 0)).toBeUndefined()
    await first!.release()
    expect(await l.acquire(key, 5000, 0)).toBeDefined()
  })

  it('release() and extend() only act while the token still holds the lock', async () => {
    const l = lock()
    const raw = new Redis(server.url)
    try {
      const key = `job-${randomId()}`
      const first = (await l.acquire(key, 100, 0)) as LockHandle
      expect(await first.extend(5000)).toBe(true)
      expect(await raw.pttl(`tierstack:lock:${key}`)).toBeGreaterThan(4000)
      // Let it expire, and someone else take it.
      await raw.pexpire(`tierstack:lock:${key}`, 1)
      await sleep(10)
      const second = (await l.acquire(key, 5000, 0)) as LockHandle
      expect(second).toBeDefined()
      expect(await first.extend(5000)).toBe(false)
      await first.release()
      // The second holder still holds it.
      expect(await l.acquire(key, 5000, 0)).toBeUndefined()
      await second.release()
      expect(await second.extend(5000)).toBe(false)
      expect(await raw.exists(`tierstack:lock:${key}`)).toBe(0)
    } finally {
      raw.disconnect()
    }
  })

  it('acquire() takes the lock once it expires (a crashed holder does not block forever)', async () => {
    const l = lock()
    const key = `job-${randomId()}`
    expect(await l.acquire(key, 100, 0)).toBeDefined()
    const start = Date.now()
    const next = await l.acquire(key, 5000, 2000)
    expect(next).toBeDefined()
    expect(Date.now() - start).toBeGreaterThanOrEqual(80)
  })

  it('acquire() rejects with E_LOCK when Redis is down, and validates its arguments', async () => {
    const own = await startRedis({ useEnv: false })
    const l = lock({ url: own.url, commandTimeout: 300 })
    await own.stop()
    const err = await l.acquire('k', 1000, 0).catch((e: unknown) => e)
    expect(isCacheError(err, 'E_LOCK')).toBe(true)
    await expect(l.acquire('', 1000, 0)).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(l.acquire('k', 0, 0)).rejects.toMatchObject({ code: 'E_INVALID_TTL' })
    expect(() => redisLock({ url: own.url, maxRetryDelay: 1, minRetryDelay: 10 })).toThrow(/maxRetryDelay/)
  })

  it('acquire() works on a cluster', async () => {
    const l = redisLock({ nodes: cluster.nodes })
    closers.push(l)
    const keys = Array.from({ length: 20 }, (_, i) => `job-${i}-${randomId()}`)
    const handles = await Promise.all(keys.map((k) => l.acquire(k, 5000, 0)))
    expect(handles.every((h) => h !== undefined)).toBe(true)
    expect(await l.acquire(keys[0]!, 5000, 0)).toBeUndefined()
    expect(await handles[0]!.extend(10_000)).toBe(true)
    await Promise.all(handles.map((h) => h!.release()))
    expect(await l.acquire(keys[0]!, 5000, 0)).toBeDefined()
  })
})
