import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { LfuStore, lfu } from '@tierstack/strategy-lfu'

type Event = [string, string, string]

function build(options: { maxEntries?: number; maxBytes?: number; agingInterval?: number } = {}) {
  const events: Event[] = []
  const clock = { now: 1_000_000 }
  const { agingInterval, ...budget } = options
  const store = lfu(agingInterval === undefined ? {} : { agingInterval }).create<string>({
    maxEntries: 4,
    ...budget,
    sizeOf: budget.maxBytes === undefined ? undefined : (v) => v.length,
    now: () => clock.now,
    onEvict: (key, value, reason) => {
      events.push([key, value, reason])
    },
  })
  return { store: store as LfuStore<string>, events, clock }
}

function touch(store: LfuStore<string>, key: string, times: number): void {
  for (let i = 0; i < times; i++) expect(store.get(key)).toBe(key)
}

describe('lfu()', () => {
  it('create() builds an LfuStore and the strategy is named lfu', () => {
    const strategy = lfu()
    expect(strategy.name).toBe('lfu')
    expect(strategy.create({ maxEntries: 1 })).toBeInstanceOf(LfuStore)
  })

  it('set() past maxEntries evicts the least frequently used entry', () => {
    const { store, events } = build()
    for (const k of ['a', 'b', 'c', 'd']) store.set(k, k)
    touch(store, 'a', 3)
    touch(store, 'b', 1)
    touch(store, 'c', 2)
    // d was used once (its insertion), the others more often.
    expect(store.set('e', 'e')).toBe(true)
    expect(events).toEqual([['d', 'd', 'capacity']])
    touch(store, 'e', 2)
    expect(store.set('f', 'f')).toBe(true)
    expect(events[1]).toEqual(['b', 'b', 'capacity'])
    expect([...store.keys()].sort()).toEqual(['a', 'c', 'e', 'f'])
  })

  it('set() breaks frequency ties by recency: the least recently used of the least frequent goes', () => {
    const { store, events } = build()
    for (const k of ['a', 'b', 'c', 'd']) store.set(k, k)
    touch(store, 'b', 1)
    touch(store, 'a', 1)
    touch(store, 'd', 1)
    touch(store, 'c', 1)
    store.set('e', 'e')
    store.set('f', 'f')
    // All at 2 except e (1): e is the only candidate at count 1 when f arrives, and the entry being
    // written is never its own victim, so b (oldest at count 2) is skipped in favour of e first.
    expect(events.map(([k]) => k)).toEqual(['b', 'e'])
  })

  it('get() counts accesses and peek() does not', () => {
    const { store } = build()
    store.set('a', 'a')
    expect(store.frequencyOf('a')).toBe(1)
    store.get('a')
    store.get('a')
    expect(store.frequencyOf('a')).toBe(3)
    store.peek('a')
    store.has('a')
    expect(store.frequencyOf('a')).toBe(3)
    store.set('a', 'a2')
    expect(store.frequencyOf('a')).toBe(4)
    expect(store.frequencyOf('missing')).toBe(0)
  })

  it('get() ages counts: every agingInterval accesses all counts are halved (never below 1)', () => {
    const { store } = build({ maxEntries: 10, agingInterval: 40 })
    store.set('hot', 'hot')
    store.set('cold', 'cold')
    for (let i = 0; i < 29; i++) store.get('hot')
    // 2 inserts + 29 hits = 31 accesses so far.
    expect(store.frequencyOf('hot')).toBe(30)
    expect(store.frequencyOf('cold')).toBe(1)
    for (let i = 0; i < 8; i++) store.get('hot')
    expect(store.frequencyOf('hot')).toBe(38)
    store.get('hot') // the 40th access: 39, then everything halves
    expect(store.frequencyOf('hot')).toBe(19)
    expect(store.frequencyOf('cold')).toBe(1)
  })

  it('set() lets a new hot set replace an old one once aging has decayed the old counts', () => {
    const shift = (agingInterval: number) => {
      const { store } = build({ maxEntries: 20, agingInterval })
      for (let round = 0; round < 50; round++) {
        for (let k = 0; k < 20; k++) if (store.get(`old${k}`) === undefined) store.set(`old${k}`, `old${k}`)
      }
      // The workload moves to a new set of 20 keys.
      let hits = 0
      for (let round = 0; round < 60; round++) {
        for (let k = 0; k < 20; k++) {
          if (store.get(`new${k}`) !== undefined) hits++
          else store.set(`new${k}`, `new${k}`)
        }
      }
      return { hits, resident: [...store.keys()].filter((k) => k.startsWith('new')).length }
    }
    const aged = shift(200)
    expect(aged.resident).toBeGreaterThanOrEqual(15)
    expect(aged.hits).toBeGreaterThan(400)
    // Without aging the old keys (count ~50) hold on and the new ones churn through one slot.
    const frozen = shift(1e9)
    expect(frozen.resident).toBeLessThanOrEqual(1)
    expect(frozen.hits).toBeLessThan(50)
  })

  it('set() evicts by frequency until maxBytes holds', () => {
    const { store, events } = build({ maxEntries: 100, maxBytes: 100 })
    store.set('a', 'a'.repeat(40))
    store.set('b', 'b'.repeat(40))
    store.get('a')
    expect(store.set('c', 'c'.repeat(30))).toBe(true)
    expect(events.map(([k]) => k)).toEqual(['b'])
    expect(store.bytes).toBe(70)
    expect(store.set('d', 'd'.repeat(100))).toBe(true)
    expect(events.map(([k]) => k)).toEqual(['b', 'c', 'a'])
    expect(store.bytes).toBe(100)
    expect(store.set('e', 'e'.repeat(101))).toBe(false)
    expect(store.get('d')).toBe('d'.repeat(100))
  })

  it('get() treats expired entries as absent and reclaims them with reason expired', () => {
    const { store, events, clock } = build({ maxEntries: 10 })
    store.set('a', 'a', clock.now + 100)
    store.set('b', 'b', clock.now + 200)
    store.set('c', 'c')
    clock.now += 150
    expect(store.get('a')).toBeUndefined()
    expect(events).toEqual([['a', 'a', 'expired']])
    clock.now += 100
    // size counts b until something reclaims it; keys() reclaims what expired meanwhile.
    expect(store.size).toBe(2)
    expect([...store.keys()]).toEqual(['c'])
    expect(store.size).toBe(1)
    expect(events).toEqual([
      ['a', 'a', 'expired'],
      ['b', 'b', 'expired'],
    ])
  })

  it('lfu() and create() reject invalid options with E_INVALID_OPTION naming the option', () => {
    const cases: [() => unknown, string][] = [
      [() => lfu({ agingInterval: 0 }), 'agingInterval'],
      [() => lfu({ agingInterval: 1.5 }), 'agingInterval'],
      [() => lfu().create({ maxEntries: 0 }), 'maxEntries'],
      [() => lfu().create({ maxEntries: 2.5 }), 'maxEntries'],
      [() => lfu().create({ maxBytes: Number.POSITIVE_INFINITY, sizeOf: () => 1 }), 'maxBytes'],
      [() => lfu().create({ maxEntries: 5, onEvict: 'x' as never }), 'onEvict'],
    ]
    for (const [fn, option] of cases) {
      let error: unknown
      try {
        fn()
      } catch (err) {
        error = err
      }
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(option)
    }
  })
})
