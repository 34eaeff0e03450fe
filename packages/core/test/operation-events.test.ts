import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { channels, createCache, memoryTier, type OperationEvent, type TieredCache } from '@tierstack/core'
import { bytesTier } from '@tierstack/test-suite'

let cache: TieredCache | undefined
let seen: OperationEvent[] = []
const listener = (e: unknown) => seen.push(e as OperationEvent)

beforeEach(() => {
  seen = []
})
afterEach(async () => {
  channels.operation.unsubscribe(listener)
  await cache?.close().catch(() => {})
  cache = undefined
})

/** A memory tier over a remote (bytes) tier, on a clock the test moves. */
function twoTiers() {
  let clock = 1_000_000
  const now = () => clock
  cache = createCache({ tiers: [memoryTier({ now }), bytesTier({ name: 'remote', now })], now })
  return { cache, advance: (ms: number) => (clock += ms) }
}

/** Runs `fn` with a subscriber and returns the events it published (only those). */
async function observe(fn: () => Promise<unknown>): Promise<OperationEvent[]> {
  seen = []
  channels.operation.subscribe(listener)
  try {
    await fn()
  } finally {
    channels.operation.unsubscribe(listener)
  }
  return seen
}

describe('tierstack:operation: one event per public operation', () => {
  it('getMany: one event with the keys, per-key outcomes and how many values came back', async () => {
    const { cache, advance } = twoTiers()
    const ns = cache.namespace('users')
    await ns.set('fresh', 1, { ttl: 10_000 })
    await ns.set('old', 2, { ttl: 100, grace: 10_000 })
    advance(1000)
    const events = await observe(() => ns.getMany(['fresh', 'old', 'none']))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      op: 'getMany',
      namespace: 'users',
      cacheId: cache.id,
      keys: ['fresh', 'old', 'none'],
      // As for get(): a stale entry not asked for (no allowStale) is a miss.
      outcomes: ['hit', 'miss', 'miss'],
      count: 1,
    })
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0)
    expect(events[0]).not.toHaveProperty('key')

    const stale = await observe(() => ns.getMany(['old'], { allowStale: true }))
    expect(stale).toHaveLength(1)
    expect(stale[0]).toMatchObject({ op: 'getMany', outcomes: ['stale'], count: 1 })

    const empty = await observe(() => ns.getMany([]))
    expect(empty).toHaveLength(1)
    expect(empty[0]).toMatchObject({ op: 'getMany', keys: [], count: 0 })
  })

  it('setMany: one event with the keys written and their count', async () => {
    const { cache } = twoTiers()
    const events = await observe(() => cache.setMany([['a', 1], { key: 'b', value: 2, ttl: '1m' }]))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ op: 'setMany', namespace: 'default', keys: ['a', 'b'], count: 2 })
    expect(events[0]!.outcome).toBeUndefined()
  })

  it('has: one event with outcome hit (and the tier) or miss (a stale entry is a miss, as for get)', async () => {
    const { cache, advance } = twoTiers()
    const ns = cache.namespace('n')
    await ns.set('fresh', 1, { ttl: 10_000 })
    await ns.set('old', 2, { ttl: 100, grace: 10_000 })
    advance(1000)
    const events = await observe(async () => {
      expect(await ns.has('fresh')).toBe(true)
      expect(await ns.has('old')).toBe(false)
      expect(await ns.has('none')).toBe(false)
    })
    expect(events.map((e) => [e.op, e.key, e.outcome])).toEqual([
      ['has', 'fresh', 'hit'],
      ['has', 'old', 'miss'],
      ['has', 'none', 'miss'],
    ])
    expect(events[0]).toMatchObject({ namespace: 'n', tier: 'memory' })
    expect(events[1]!.tier).toBeUndefined()
    expect(events[2]!.tier).toBeUndefined()
  })

  it('has: a hit answered by the remote tier names that tier', async () => {
    const remote = bytesTier({ name: 'remote' })
    const writer = createCache({ tiers: [memoryTier(), remote] })
    await writer.set('k', 1)
    // A second instance over the same remote tier: its memory tier is empty, so the remote tier answers.
    cache = createCache({ tiers: [memoryTier(), remote] })
    const reader = cache
    const events = await observe(() => reader.has('k'))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ op: 'has', key: 'k', outcome: 'hit', tier: 'remote' })
  })

  it('deleteMany: one event with the keys and how many existed', async () => {
    const { cache } = twoTiers()
    await cache.setMany([
      ['a', 1],
      ['b', 2],
    ])
    const events = await observe(() => cache.deleteMany(['a', 'b', 'c']))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      op: 'deleteMany',
      namespace: 'default',
      keys: ['a', 'b', 'c'],
      count: 2,
    })
  })

  it('namespace deleteByTag: one event with the tags and how many entries went', async () => {
    const { cache } = twoTiers()
    const ns = cache.namespace('t')
    await ns.set('a', 1, { tags: ['red'] })
    await ns.set('b', 2, { tags: ['blue'] })
    const events = await observe(() => ns.deleteByTag(['red', 'green']))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ op: 'deleteByTag', namespace: 't', tags: ['red', 'green'], count: 1 })
    expect(await ns.get('b')).toBe(2)
  })

  it('cache-wide deleteByTag and clear: one event each, namespace "*"', async () => {
    const { cache } = twoTiers()
    await cache.namespace('a').set('k', 1, { tags: ['red'] })
    await cache.namespace('b').set('k', 2, { tags: ['red'] })
    const tagged = await observe(() => cache.deleteByTag('red'))
    expect(tagged).toHaveLength(1)
    expect(tagged[0]).toMatchObject({ op: 'deleteByTag', namespace: '*', tags: ['red'], count: 2 })
    const cleared = await observe(() => cache.clear())
    expect(cleared).toHaveLength(1)
    expect(cleared[0]).toMatchObject({ op: 'clear', namespace: '*' })
    expect(cleared[0]!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('the existing operations still publish exactly one event each', async () => {
    const { cache } = twoTiers()
    const ns = cache.namespace('e')
    const events = await observe(async () => {
      await ns.set('k', 1)
      await ns.get('k')
      await ns.get('nope')
      await ns.getOrSet('g', () => 2)
      await ns.getOrSet('g', () => 3)
      await ns.delete('k')
      await ns.clear()
    })
    expect(events.map((e) => [e.op, e.outcome])).toEqual([
      ['set', undefined],
      ['get', 'hit'],
      ['get', 'miss'],
      ['getOrSet', undefined],
      ['getOrSet', 'hit'],
      ['delete', undefined],
      ['clear', undefined],
    ])
    for (const e of events) expect(e).toMatchObject({ namespace: 'e', cacheId: cache.id })
  })

  it('a memory-only cache publishes one event per operation too', async () => {
    cache = createCache({ tiers: [memoryTier()] })
    const c = cache
    const events = await observe(async () => {
      await c.setMany([['a', 1]])
      await c.getMany(['a', 'b'])
      await c.has('a')
      await c.deleteMany(['a'])
      await c.namespace('default').deleteByTag('x')
    })
    expect(events.map((e) => e.op)).toEqual(['setMany', 'getMany', 'has', 'deleteMany', 'deleteByTag'])
    expect(events[1]).toMatchObject({ outcomes: ['hit', 'miss'], count: 1 })
    expect(events[2]).toMatchObject({ outcome: 'hit', tier: 'memory' })
  })

  it('builds and publishes nothing when nobody subscribes', async () => {
    const { cache } = twoTiers()
    const publish = jest.spyOn(channels.operation, 'publish')
    try {
      await cache.setMany([['a', 1]])
      await cache.getMany(['a'])
      await cache.has('a')
      await cache.deleteMany(['a'])
      await cache.namespace('default').deleteByTag('x')
      expect(publish).not.toHaveBeenCalled()
    } finally {
      publish.mockRestore()
    }
  })

  it('a batch that fails validation publishes nothing', async () => {
    const { cache } = twoTiers()
    const events = await observe(async () => {
      await expect(cache.getMany(['ok', ''])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
      await expect(cache.deleteMany([''])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    })
    expect(events).toEqual([])
  })
})
