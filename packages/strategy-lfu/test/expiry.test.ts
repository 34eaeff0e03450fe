import { describe, expect, it } from '@jest/globals'
import type { EvictionStrategy } from '@tierstack/core'
import { type LfuStore, lfu, tinyLfu } from '@tierstack/strategy-lfu'

type Event = [string, string, string]

function build(strategy: EvictionStrategy, maxEntries: number) {
  const events: Event[] = []
  const clock = { now: 1_000_000 }
  const store = strategy.create<string>({
    maxEntries,
    now: () => clock.now,
    onEvict: (key, value, reason) => {
      events.push([key, value, reason])
    },
  })
  return { store, events, clock }
}

const strategies: [string, () => EvictionStrategy][] = [
  ['lfu()', () => lfu()],
  ['tinyLfu()', () => tinyLfu({ seed: 7 })],
]

describe.each(strategies)('%s expiry', (_name, factory) => {
  it('expiresAt() stays exact, to the millisecond and below, when the clock moves past the offsets’ range', () => {
    const { store, events, clock } = build(factory(), 10)
    const DAY = 86_400_000
    const t0 = clock.now
    store.set('hour', 'h', t0 + 3_600_000)
    store.set('month', 'm', t0 + 30 * DAY)
    store.set('frac', 'f', t0 + 90 * DAY + 0.25)
    store.set('year', 'y', t0 + 400 * DAY)
    store.set('forever', 'v')
    // 26 days on (more than 2^31 ms): this set rebases the offsets.
    clock.now = t0 + 26 * DAY
    store.set('late', 'l', clock.now + 40 * DAY)
    expect(store.expiresAt!('month')).toBe(t0 + 30 * DAY)
    expect(store.expiresAt!('frac')).toBe(t0 + 90 * DAY + 0.25)
    expect(store.expiresAt!('year')).toBe(t0 + 400 * DAY)
    expect(store.expiresAt!('late')).toBe(t0 + 66 * DAY)
    expect(store.expiresAt!('forever')).toBe(Number.POSITIVE_INFINITY)
    expect(store.get('hour')).toBeUndefined()
    expect(events).toEqual([['hour', 'h', 'expired']])
    clock.now = t0 + 30 * DAY - 1
    expect(store.get('month')).toBe('m')
    clock.now = t0 + 30 * DAY
    expect(store.get('month')).toBeUndefined()
    clock.now = t0 + 66 * DAY - 1
    expect(store.get('late')).toBe('l')
    clock.now = t0 + 66 * DAY
    expect(store.get('late')).toBeUndefined()
    clock.now = t0 + 90 * DAY + 0.2
    expect(store.has('frac')).toBe(true)
    clock.now = t0 + 90 * DAY + 0.25
    expect(store.has('frac')).toBe(false)
    expect(store.get('year')).toBe('y')
    expect(store.get('forever')).toBe('v')
  })

  it('expiresAt() is exact for an expiry before the first one’s base (a clock that went back)', () => {
    const { store, clock } = build(factory(), 10)
    const t0 = clock.now
    store.set('a', 'a', t0 + 500)
    clock.now = t0 - 5_000
    store.set('b', 'b', t0 - 1_000)
    expect(store.expiresAt!('a')).toBe(t0 + 500)
    expect(store.expiresAt!('b')).toBe(t0 - 1_000)
    clock.now = t0 - 1_000
    expect(store.get('b')).toBeUndefined()
    expect(store.get('a')).toBe('a')
  })

  it('expiresAt() is not an access: it leaves the eviction order as it was', () => {
    const run = (probe: boolean) => {
      const { store, events } = build(factory(), 20)
      for (let i = 0; i < 400; i++) {
        const key = `k${(i * 7919) % 53}`
        if (store.get(key) === undefined) store.set(key, key, 1e12 + i)
        if (probe) for (let k = 0; k < 53; k++) store.expiresAt!(`k${k}`)
      }
      return { keys: [...store.keys()], events }
    }
    expect(run(true)).toEqual(run(false))
  })

  it('set() sweeps eight slots per write: expired entries nobody reads are reclaimed, not evicted', () => {
    const { store, events, clock } = build(factory(), 100)
    for (let i = 0; i < 100; i++) store.set(`x${i}`, `x${i}`, clock.now + 10)
    clock.now += 10
    // Held until something reclaims them: no timer, no index.
    expect(store.size).toBe(100)
    // 13 writes examine 104 slots: every one of the 100 held.
    for (let i = 0; i < 13; i++) expect(store.set(`n${i}`, `n${i}`)).toBe(true)
    expect(events.filter(([, , reason]) => reason !== 'expired')).toEqual([])
    expect(events.map(([key]) => key).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `x${i}`).sort())
    expect(store.size).toBe(13)
  })

  it('keys() reclaims every expired entry and reports it', () => {
    const { store, events, clock } = build(factory(), 10)
    store.set('a', 'a', clock.now + 5)
    store.set('b', 'b')
    store.set('c', 'c', clock.now + 50)
    clock.now += 5
    expect([...store.keys()].sort()).toEqual(['b', 'c'])
    expect(events).toEqual([['a', 'a', 'expired']])
    expect(store.size).toBe(2)
  })

  it('entries written before the first expiresAt keep no expiry; freed slots are reused intact', () => {
    const { store, events, clock } = build(factory(), 5_000)
    // More than the slots allocated up front, before and after the first expiry.
    for (let i = 0; i < 2_000; i++) store.set(`p${i}`, `p${i}`)
    for (let i = 0; i < 500; i++) expect(store.delete(`p${i}`)).toBe(true)
    store.set('t', 't', clock.now + 10)
    for (let i = 0; i < 2_000; i++) store.set(`q${i}`, `q${i}`, i % 2 === 0 ? clock.now + 10 : undefined)
    expect(store.expiresAt!('p1999')).toBe(Number.POSITIVE_INFINITY)
    expect(store.expiresAt!('q0')).toBe(clock.now + 10)
    expect(store.expiresAt!('q1')).toBe(Number.POSITIVE_INFINITY)
    clock.now += 10
    for (let i = 500; i < 2_000; i++) expect(store.get(`p${i}`)).toBe(`p${i}`)
    for (let i = 0; i < 2_000; i++) expect(store.get(`q${i}`)).toBe(i % 2 === 0 ? undefined : `q${i}`)
    expect(store.get('t')).toBeUndefined()
    expect(events.filter(([, , reason]) => reason === 'expired').length).toBe(1_001)
    expect(store.size).toBe(2_500)
    // The slots of the expired entries come back for entries without an expiry.
    for (let i = 0; i < 1_001; i++) store.set(`r${i}`, `r${i}`)
    clock.now += 1_000
    for (let i = 0; i < 1_001; i++) expect(store.get(`r${i}`)).toBe(`r${i}`)
  })

  it('a store that never sees an expiresAt never reads the clock', () => {
    let reads = 0
    const store = factory().create<string>({
      maxEntries: 5,
      now: () => {
        reads++
        return 0
      },
    })
    for (let i = 0; i < 50; i++) {
      store.set(`k${i % 9}`, 'v')
      store.get(`k${i % 7}`)
      store.peek(`k${i % 5}`)
      store.expiresAt!(`k${i % 3}`)
    }
    expect([...store.keys()].length).toBe(5)
    expect(reads).toBe(0)
  })
})

describe('lfu() expiry', () => {
  it('reports a capacity victim that has expired as expired', () => {
    const { store, events, clock } = build(lfu(), 4)
    for (const k of ['a', 'b', 'c']) store.set(k, k)
    store.set('d', 'd', clock.now + 10)
    for (const k of ['a', 'b', 'c']) store.get(k)
    clock.now += 10
    // The sweep of this write looks at the first two slots (a, b); d is the LFU victim and has expired.
    store.set('e', 'e')
    expect(events).toEqual([['d', 'd', 'expired']])
  })

  it('expiresAt() does not count as a use', () => {
    const { store } = build(lfu(), 4)
    store.set('a', 'a', 1e12)
    store.get('a')
    store.expiresAt!('a')
    expect((store as LfuStore<string>).frequencyOf('a')).toBe(2)
  })

  it('keeps exact counts when there are more distinct counts than the buckets allocated up front', () => {
    const { store, events } = build(lfu({ agingInterval: 1e9 }), 150)
    for (let i = 0; i < 150; i++) {
      store.set(`k${i}`, `k${i}`)
      for (let n = 0; n < i; n++) store.get(`k${i}`)
    }
    for (let i = 0; i < 150; i++) expect((store as LfuStore<string>).frequencyOf(`k${i}`)).toBe(i + 1)
    store.set('new1', 'new1')
    store.set('new2', 'new2')
    // k0 (count 1) goes first; then new1 (count 1) is the least frequent.
    expect(events.map(([key]) => key)).toEqual(['k0', 'new1'])
  })
})

describe('tinyLfu() expiry', () => {
  it('evicts an expired probation victim before asking the sketch', () => {
    const { store, events, clock } = build(tinyLfu({ seed: 7 }), 100)
    // 50 entries that never expire, then 50 that will; all of them popular.
    for (let i = 0; i < 50; i++) store.set(`live${i}`, 'v')
    for (let i = 0; i < 50; i++) store.set(`ttl${i}`, 'v', clock.now + 10)
    for (let round = 0; round < 4; round++) {
      // The expiring ones are touched first, so the least recent of them end up in probation.
      for (let i = 0; i < 50; i++) store.get(`ttl${i}`)
      for (let i = 0; i < 50; i++) store.get(`live${i}`)
    }
    expect(events).toEqual([])
    clock.now += 10
    // New keys seen once lose to popular victims on frequency; expired victims go first instead.
    for (let i = 0; i < 20; i++) store.set(`new${i}`, 'v')
    expect(events.filter(([, , reason]) => reason !== 'expired')).toEqual([])
    for (let i = 0; i < 20; i++) expect(store.has(`new${i}`)).toBe(true)
    for (let i = 0; i < 50; i++) expect(store.has(`live${i}`)).toBe(true)
  })
})
