import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { CacheError, isCacheError } from '@tierstack/core'
import { Redis } from 'ioredis'
import { type RedisTier, redisClusterTier, redisTier } from '../src/index.js'
import { makeEntry, randomId } from './helpers/entries.js'
import { type RedisServer, startRedis } from './helpers/redis-server.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let server: RedisServer
let raw: Redis
const tiers: RedisTier[] = []

function newTier(options: Parameters<typeof redisTier>[0] = {}): RedisTier {
  const tier = redisTier({ url: server.url, prefix: `t-${randomId()}:`, ...options })
  tiers.push(tier)
  return tier
}

beforeAll(async () => {
  server = await startRedis()
  raw = new Redis(server.url)
})

afterAll(async () => {
  await Promise.all(tiers.map((t) => t.close()))
  raw.disconnect()
  await server.stop()
})

describe('RedisTier basics', () => {
  it('set() then get() returns the same envelope bytes and rebuilds times and tags', async () => {
    const tier = newTier()
    const entry = makeEntry({ ttl: 10_000, grace: 5000, tags: ['a', 'b'] })
    await tier.set('ns:k1', entry)
    const got = await tier.get('ns:k1')
    expect(got).toBeDefined()
    expect(got!.value).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(got!.value as Uint8Array).equals(Buffer.from(entry.value))).toBe(true)
    expect(got!.value).toEqual(entry.value)
    expect(got!.expiresAt).toBe(entry.expiresAt)
    expect(got!.staleUntil).toBe(entry.staleUntil)
    expect(got!.createdAt).toBe(entry.createdAt)
    expect(got!.tags).toEqual(['a', 'b'])
  })

  it('get() resolves undefined for a missing key', async () => {
    expect(await newTier().get('ns:missing')).toBeUndefined()
  })

  it('set() stores under prefix + key with PX at staleUntil, and no expiry for Infinity', async () => {
    const tier = newTier()
    const entry = makeEntry({ ttl: 20_000, grace: 10_000 })
    await tier.set('ns:ttl', entry)
    const pttl = await raw.pttl(`${tier.prefix}ns:ttl`)
    expect(pttl).toBeGreaterThan(29_000)
    expect(pttl).toBeLessThanOrEqual(30_000)
    await tier.set('ns:forever', makeEntry({ ttl: Number.POSITIVE_INFINITY }))
    expect(await raw.pttl(`${tier.prefix}ns:forever`)).toBe(-1)
  })

  it('get() never returns an entry past staleUntil (millisecond TTL)', async () => {
    const tier = newTier()
    await tier.set('ns:short', makeEntry({ ttl: 30, grace: 30 }))
    expect(await tier.get('ns:short')).toBeDefined()
    await sleep(90)
    expect(await tier.get('ns:short')).toBeUndefined()
    expect(await raw.exists(`${tier.prefix}ns:short`)).toBe(0)
  })

  it('set() with an entry already past grace removes the stored copy', async () => {
    const tier = newTier()
    await tier.set('ns:old', makeEntry())
    const dead = makeEntry({ ttl: -1000 })
    await tier.set('ns:old', dead)
    expect(await tier.get('ns:old')).toBeUndefined()
    expect(await raw.exists(`${tier.prefix}ns:old`)).toBe(0)
  })

  it('set() rejects a value that is not bytes with E_INVALID_VALUE', async () => {
    const tier = newTier()
    const entry = { ...makeEntry(), value: 'text' as unknown as Uint8Array }
    await expect(tier.set('ns:x', entry)).rejects.toMatchObject({ code: 'E_INVALID_VALUE' })
  })

  it('get() and getMany() handle unusual keys (unicode, %, _, quotes, colons, braces)', async () => {
    const tier = newTier()
    const keys = ['ns:ключ 🔑', "ns:50%_off'", 'ns:a:b:c', 'ns:{tag}x', 'ns:*?[x]\\']
    for (const k of keys) await tier.set(k, makeEntry({ payload: k }))
    const got = await tier.getMany(keys)
    expect(got.every((e) => e !== undefined)).toBe(true)
    for (const k of keys)
      expect(new TextDecoder().decode((await tier.get(k))!.value as Uint8Array)).toContain(k)
  })

  it('getMany() returns entries in key order with undefined for misses', async () => {
    const tier = newTier()
    const a = makeEntry({ payload: 'a' })
    const c = makeEntry({ payload: 'c' })
    await tier.setMany([
      ['ns:a', a],
      ['ns:c', c],
    ])
    const got = await tier.getMany(['ns:a', 'ns:b', 'ns:c', 'ns:a'])
    expect(
      got.map((e) => (e ? Buffer.from(e.value as Uint8Array).equals(Buffer.from(a.value)) : undefined)),
    ).toEqual([true, undefined, false, true])
    expect(got[2]!.value).toEqual(c.value)
    expect(await tier.getMany([])).toEqual([])
  })

  it('setMany() sets each entry with its own expiry', async () => {
    const tier = newTier()
    await tier.setMany([
      ['ns:1', makeEntry({ ttl: 5000 })],
      ['ns:2', makeEntry({ ttl: Number.POSITIVE_INFINITY })],
    ])
    expect(await raw.pttl(`${tier.prefix}ns:1`)).toBeGreaterThan(4000)
    expect(await raw.pttl(`${tier.prefix}ns:2`)).toBe(-1)
  })

  it('delete() removes keys and counts the ones that existed', async () => {
    const tier = newTier()
    await tier.set('ns:1', makeEntry())
    await tier.set('ns:2', makeEntry())
    expect(await tier.delete(['ns:1', 'ns:2', 'ns:3'])).toBe(2)
    expect(await tier.get('ns:1')).toBeUndefined()
    expect(await tier.delete([])).toBe(0)
  })

  it('get() of bytes that are not an envelope rejects with E_DECODE', async () => {
    const tier = newTier()
    await raw.set(`${tier.prefix}ns:garbage`, 'not an envelope')
    await expect(tier.get('ns:garbage')).rejects.toMatchObject({ code: 'E_DECODE' })
  })
})

describe('RedisTier clear()', () => {
  it('clear(prefix) removes only keys under that prefix', async () => {
    const tier = newTier()
    await tier.set('a:1', makeEntry())
    await tier.set('a:2', makeEntry())
    await tier.set('ab:1', makeEntry())
    await tier.set('b:1', makeEntry())
    await tier.clear('a:')
    expect(await tier.getMany(['a:1', 'a:2', 'ab:1', 'b:1'])).toEqual([
      undefined,
      undefined,
      expect.anything(),
      expect.anything(),
    ])
  })

  it('clear() treats glob characters in the prefix literally', async () => {
    const tier = newTier()
    await tier.set('a*:1', makeEntry())
    await tier.set('ab:1', makeEntry())
    await tier.set('[a]:1', makeEntry())
    await tier.set('a:1', makeEntry())
    await tier.clear('a*')
    await tier.clear('[a]')
    expect((await tier.getMany(['a*:1', 'ab:1', '[a]:1', 'a:1'])).map((e) => e !== undefined)).toEqual([
      false,
      true,
      false,
      true,
    ])
  })

  it("clear('') removes everything the tier owns and nothing else", async () => {
    const tier = newTier()
    const neighbour = newTier({ prefix: `${tier.prefix.slice(0, -1)}x:` })
    await raw.set('foreign:key', '1')
    await raw.set(`${tier.prefix.slice(0, -1)}`, 'prefix without colon')
    for (let i = 0; i < 2500; i++) await tier.set(`ns:${i}`, makeEntry({ tags: i % 2 ? ['odd'] : [] }))
    await neighbour.set('ns:1', makeEntry())
    await tier.clear('')
    expect(await raw.keys(`${tier.prefix}*`)).toEqual([])
    expect(await raw.get('foreign:key')).toBe('1')
    expect(await raw.exists(tier.prefix.slice(0, -1))).toBe(1)
    expect(await neighbour.get('ns:1')).toBeDefined()
    await raw.del('foreign:key', tier.prefix.slice(0, -1))
  })
})

describe('RedisTier deleteByTag()', () => {
  it('deleteByTag() deletes the entries carrying any of the tags under the prefix and counts them', async () => {
    const tier = newTier()
    await tier.set('p:1', makeEntry({ tags: ['x'] }))
    await tier.set('p:2', makeEntry({ tags: ['y', 'z'] }))
    await tier.set('p:3', makeEntry({ tags: ['z'] }))
    await tier.set('p:4', makeEntry())
    await tier.set('q:1', makeEntry({ tags: ['x'] }))
    expect(await tier.deleteByTag(['x', 'y'], 'p:')).toBe(2)
    expect((await tier.getMany(['p:1', 'p:2', 'p:3', 'p:4', 'q:1'])).map((e) => e !== undefined)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ])
    expect(await tier.deleteByTag(['x'], '')).toBe(1)
    expect(await tier.deleteByTag(['nope'], '')).toBe(0)
    expect(await tier.deleteByTag([], '')).toBe(0)
  })

  it('deleteByTag() spares an entry re-set without the tag, and cleans the stale member', async () => {
    const tier = newTier()
    await tier.set('p:1', makeEntry({ tags: ['x'] }))
    await tier.set('p:1', makeEntry({ tags: ['other'] }))
    expect(await tier.deleteByTag(['x'], '')).toBe(0)
    expect(await tier.get('p:1')).toBeDefined()
    expect(await raw.exists(`${tier.prefix}\u0000tag:x`)).toBe(0)
  })

  it('set() keeps a tag set alive as long as its longest-lived member', async () => {
    const tier = newTier()
    const tagKey = `${tier.prefix}\u0000tag:life`
    await tier.set('p:1', makeEntry({ ttl: 5000, tags: ['life'] }))
    const first = await raw.pttl(tagKey)
    expect(first).toBeGreaterThan(4000)
    await tier.set('p:2', makeEntry({ ttl: 50_000, tags: ['life'] }))
    expect(await raw.pttl(tagKey)).toBeGreaterThan(40_000)
    await tier.set('p:3', makeEntry({ ttl: 1000, tags: ['life'] }))
    expect(await raw.pttl(tagKey)).toBeGreaterThan(40_000)
    await tier.set('p:4', makeEntry({ ttl: Number.POSITIVE_INFINITY, tags: ['life'] }))
    expect(await raw.pttl(tagKey)).toBe(-1)
    await tier.set('p:5', makeEntry({ ttl: 1000, tags: ['life'] }))
    expect(await raw.pttl(tagKey)).toBe(-1)
  })

  it('deleteByTag() works across tier instances sharing the prefix', async () => {
    const a = newTier()
    const b = newTier({ prefix: a.prefix })
    await a.set('p:1', makeEntry({ tags: ['shared'] }))
    expect(await b.deleteByTag(['shared'], 'p:')).toBe(1)
    expect(await a.get('p:1')).toBeUndefined()
  })
})

describe('RedisTier coalescing and connection handling', () => {
  it('get() coalesces the gets issued in one tick into a single MGET', async () => {
    const own = await startRedis({ useEnv: false })
    const tier = redisTier({ url: own.url })
    const probe = new Redis(own.url)
    try {
      await tier.setMany(
        Array.from(
          { length: 50 },
          (_, i) => [`ns:${i}`, makeEntry()] as [string, ReturnType<typeof makeEntry>],
        ),
      )
      await probe.config('RESETSTAT')
      const got = await Promise.all(Array.from({ length: 50 }, (_, i) => tier.get(`ns:${i}`)))
      expect(got.every((e) => e !== undefined)).toBe(true)
      const stats = await probe.info('commandstats')
      expect(stats).toMatch(/cmdstat_mget:calls=1,/)
      expect(stats).not.toMatch(/cmdstat_get:/)
    } finally {
      await tier.close()
      probe.disconnect()
      await own.stop()
    }
  })

  it('coalesced gets go to Redis as one command outside the auto-pipeline', async () => {
    const tier = newTier()
    await tier.setMany([
      ['ns:1', makeEntry()],
      ['ns:2', makeEntry()],
    ])
    const client = tier.client as Redis
    const mget = jest.spyOn(client, 'mgetBuffer')
    const get = jest.spyOn(client, 'getBuffer')
    try {
      const got = await Promise.all([tier.get('ns:1'), tier.get('ns:2'), tier.get('ns:3')])
      expect(got.map((e) => e !== undefined)).toEqual([true, true, false])
      expect(await tier.get('ns:1')).toBeDefined()
      // Both batches (MGET of three, GET of one) were written directly, not queued behind a Pipeline.
      expect(mget).not.toHaveBeenCalled()
      expect(get).not.toHaveBeenCalled()
    } finally {
      mget.mockRestore()
      get.mockRestore()
    }
  })

  it('a get issued right after a set (same tick) reads the new value: it never overtakes a queued write', async () => {
    const tier = newTier()
    const text = (e: { value: unknown } | undefined) =>
      new TextDecoder().decode(e?.value as Uint8Array).slice(-6)
    await tier.set('ns:k', makeEntry({ payload: 'first!' }))
    for (let round = 0; round < 5; round++) {
      const payload = `new-${round}!`
      const write = tier.set('ns:k', makeEntry({ payload }))
      const [a, b] = await Promise.all([tier.get('ns:k'), tier.get('ns:other')])
      await write
      expect(text(a)).toBe(payload)
      expect(b).toBeUndefined()
    }
  })

  it('get() without coalescing sends one GET per call', async () => {
    const tier = newTier({ coalesceGets: false })
    await tier.set('ns:1', makeEntry())
    const got = await Promise.all([tier.get('ns:1'), tier.get('ns:2')])
    expect(got.map((e) => e !== undefined)).toEqual([true, false])
  })

  it('close() leaves a client passed in open, and is idempotent', async () => {
    const client = new Redis(server.url)
    const tier = redisTier({ client, prefix: `t-${randomId()}:` })
    await tier.set('ns:1', makeEntry())
    await tier.close()
    await tier.close()
    expect(await client.ping()).toBe('PONG')
    await expect(tier.get('ns:1')).rejects.toMatchObject({ code: 'E_CLOSED' })
    await expect(tier.set('ns:1', makeEntry())).rejects.toMatchObject({ code: 'E_CLOSED' })
    client.disconnect()
  })

  it('close() quits a client the tier created', async () => {
    const tier = newTier()
    await tier.get('ns:1')
    await tier.close()
    expect(['end', 'close']).toContain(tier.client.status)
  })

  it('health() reports latency and the role', async () => {
    const h = await newTier().health()
    expect(h.ok).toBe(true)
    expect(h.latencyMs).toBeGreaterThanOrEqual(0)
    expect(h.detail).toMatchObject({ role: 'master', mode: 'standalone' })
  })

  it('redisTier() validates its options', () => {
    const bad = (o: Parameters<typeof redisTier>[0], option: string) => {
      let err: unknown
      try {
        redisTier(o)
      } catch (e) {
        err = e
      }
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
      expect((err as CacheError).message).toContain(option)
    }
    bad({ url: server.url, commandTimeout: -1 }, 'commandTimeout')
    bad({ url: server.url, commandTimeout: 'soon' }, 'commandTimeout')
    bad({ url: 'http://x' }, 'url')
    bad({ url: server.url, nodes: [{ host: 'x', port: 1 }] }, 'url')
    bad({ url: server.url, maxBatchSize: 0 }, 'maxBatchSize')
    bad({ client: {} as Redis }, 'client')
    bad({ url: server.url, prefix: 1 as unknown as string }, 'prefix')
    bad({ url: server.url, redisOptions: { keyPrefix: 'x:' } }, 'keyPrefix')
    expect(() => redisClusterTier({} as never)).toThrow(CacheError)
  })

  it('get() waits for the first connection of a lazily created client', async () => {
    const tier = newTier()
    expect(tier.client.status).toBe('wait')
    await tier.set('ns:1', makeEntry())
    expect(await tier.get('ns:1')).toBeDefined()
  })
})
