import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { Cluster, Redis } from 'ioredis'
import { keySlot, type RedisTier, redisClusterTier } from '../src/index.js'
import { makeEntry, randomId } from './helpers/entries.js'
import { type RedisClusterHandle, rawCommand, startCluster } from './helpers/redis-server.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let cluster: RedisClusterHandle
const tiers: RedisTier[] = []

function newTier(options: Partial<Parameters<typeof redisClusterTier>[0]> = {}): RedisTier {
  const tier = redisClusterTier({ nodes: cluster.nodes, prefix: `c-${randomId()}:`, ...options })
  tiers.push(tier)
  return tier
}

beforeAll(async () => {
  cluster = await startCluster()
}, 60_000)

afterAll(async () => {
  await Promise.all(tiers.map((t) => t.close()))
  await cluster.stop()
})

describe('keySlot()', () => {
  it('keySlot() matches the slot Redis computes (CLUSTER KEYSLOT), hash tags and unicode included', async () => {
    const port = cluster.nodes[0]!.port
    const keys = [
      'foo',
      'user:1000',
      '{user1000}.following',
      'a{}b',
      '{}x',
      'x{y}z{w}',
      'ключ',
      '🔑',
      `k-${randomId()}`,
    ]
    const client = new Redis(port, '127.0.0.1')
    try {
      for (const k of keys) expect(keySlot(k)).toBe(await client.cluster('KEYSLOT', k))
    } finally {
      client.disconnect()
    }
  })
})

describe('RedisTier on a cluster', () => {
  it('getMany(), delete() and deleteByTag() span keys of many slots without CROSSSLOT errors', async () => {
    const tier = newTier()
    const keys = Array.from({ length: 300 }, (_, i) => `ns:${i}`)
    expect(new Set(keys.map((k) => keySlot(tier.prefix + k))).size).toBeGreaterThan(100)
    await tier.setMany(keys.map((k, i) => [k, makeEntry({ tags: i % 2 ? ['odd'] : ['even'] })]))
    const got = await tier.getMany(keys)
    expect(got.every((e) => e !== undefined)).toBe(true)
    const singles = await Promise.all(keys.map((k) => tier.get(k)))
    expect(singles.every((e) => e !== undefined)).toBe(true)
    expect(await tier.deleteByTag(['odd'], 'ns:')).toBe(150)
    expect(await tier.delete(keys)).toBe(150)
  })

  it('clear() scans every master', async () => {
    const tier = newTier()
    await tier.setMany(Array.from({ length: 300 }, (_, i) => [`ns:${i}`, makeEntry()]))
    const perMaster = await Promise.all(
      (await cluster.masters()).map(async (m) => {
        const reply = await rawCommand(m.port, 'DBSIZE')
        return Number(reply.slice(1))
      }),
    )
    expect(perMaster.filter((n) => n > 0).length).toBe(3)
    await tier.clear('ns:')
    expect(
      (await tier.getMany(Array.from({ length: 300 }, (_, i) => `ns:${i}`))).every((e) => e === undefined),
    ).toBe(true)
  })

  it('health() reports the cluster state', async () => {
    const h = await newTier().health()
    expect(h.ok).toBe(true)
    expect(h.detail).toMatchObject({ mode: 'cluster', clusterState: 'ok', slotsOk: 16384, masters: 3 })
  })

  it('close() leaves a Cluster passed in open', async () => {
    const client = new Cluster(cluster.nodes)
    const tier = redisClusterTier({ client, prefix: `c-${randomId()}:` })
    await tier.set('ns:1', makeEntry())
    await tier.close()
    expect(await client.ping()).toBe('PONG')
    await client.quit()
  })

  // Last: it kills a master (its replica takes over).
  it('get() and set() survive the failover of a killed master', async () => {
    const tier = newTier({ commandTimeout: 500 })
    const keys = Array.from({ length: 100 }, (_, i) => `ns:${i}`)
    await tier.setMany(keys.map((k) => [k, makeEntry()]))
    const [victim] = await cluster.masters()
    await victim!.kill('SIGKILL')

    // Calls keep settling within the timeout while the replica is promoted…
    const settled: number[] = []
    let recovered = false
    const deadline = Date.now() + 15_000
    while (!recovered && Date.now() < deadline) {
      const start = performance.now()
      try {
        await tier.setMany(keys.map((k) => [k, makeEntry()]))
        const got = await tier.getMany(keys)
        recovered = got.every((e) => e !== undefined)
      } catch (err) {
        expect(isCacheError(err, 'E_TIER_ERROR') || isCacheError(err, 'E_TIER_TIMEOUT')).toBe(true)
        await sleep(100)
      }
      settled.push(performance.now() - start)
    }
    // …and work again once it is.
    expect(recovered).toBe(true)
    expect(Math.max(...settled)).toBeLessThan(2 * 500 + 500)
    const single = await Promise.all(keys.map((k) => tier.get(k)))
    expect(single.every((e) => e !== undefined)).toBe(true)
    expect((await tier.health()).ok).toBe(true)
  }, 30_000)
})
