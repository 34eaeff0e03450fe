import { describe, expect, it } from '@jest/globals'
import { type BoundedStoreOptions, isCacheError } from '@tierstack/core'
import { TinyLfuStore, type TinyLfuOptions, tinyLfu } from '@tierstack/strategy-lfu'
import { rng as random, zipf } from '../scripts/synthetic.js'

type Event = [string, string, string]

function build(
  budget: Pick<BoundedStoreOptions<string>, 'maxEntries' | 'maxBytes'>,
  options: TinyLfuOptions = { seed: 7 },
) {
  const events: Event[] = []
  const clock = { now: 1_000_000 }
  const store = tinyLfu(options).create<string>({
    ...budget,
    sizeOf: budget.maxBytes === undefined ? undefined : (v) => v.length,
    now: () => clock.now,
    onEvict: (key, value, reason) => {
      events.push([key, value, reason])
    },
  })
  return { store: store as TinyLfuStore<string>, events, clock }
}

/** Replays `keys` (get; set on a miss) and returns the hit ratio. */
function replay(
  store: { get(k: string): unknown; set(k: string, v: string): boolean },
  keys: string[],
): number {
  let hits = 0
  for (const key of keys) {
    if (store.get(key) !== undefined) hits++
    else store.set(key, key)
  }
  return hits / keys.length
}

/** Hit ratio of a plain LRU of `size` entries on `keys` (a Map keeps insertion order). */
function lruHitRatio(keys: string[], size: number): number {
  const map = new Map<string, true>()
  let hits = 0
  for (const key of keys) {
    if (map.delete(key)) hits++
    map.set(key, true)
    if (map.size > size) map.delete(map.keys().next().value as string)
  }
  return hits / keys.length
}

/** Recency-heavy requests: half new keys, half a repeat of the key requested 1..`horizon` requests ago. */
function recencyWorkload(n: number, horizon: number, seed: number): string[] {
  const rand = random(seed)
  const out: string[] = []
  let fresh = 0
  for (let i = 0; i < n; i++) {
    if (i < 10 || rand() < 0.5) out.push(`n${fresh++}`)
    else out.push(out[i - 1 - Math.floor(rand() * Math.min(horizon, i))]!)
  }
  return out
}

/** Zipf(`s`) requests over `n` keys named `prefix` + rank. */
function zipfWorkload(count: number, n: number, s: number, seed: number, prefix: string): string[] {
  const rank = zipf(n, s, random(seed))
  return Array.from({ length: count }, () => `${prefix}${rank()}`)
}

describe('tinyLfu()', () => {
  it('create() builds a TinyLfuStore and the strategy is named tinylfu', () => {
    const strategy = tinyLfu()
    expect(strategy.name).toBe('tinylfu')
    expect(strategy.create({ maxEntries: 1 })).toBeInstanceOf(TinyLfuStore)
  })

  it('set() of a scan of one-time keys does not flush the hot set', () => {
    const { store } = build({ maxEntries: 1000 })
    const hot = Array.from({ length: 600 }, (_, i) => `hot${i}`)
    for (let round = 0; round < 4; round++) replay(store, hot)
    // 20,000 one-time keys, with the hot set still in use at a quarter of the rate.
    let hotHits = 0
    let hotRequests = 0
    for (let i = 0; i < 20_000; i++) {
      store.get(`scan${i}`) ?? store.set(`scan${i}`, 'x')
      if (i % 4 === 0) {
        hotRequests++
        const key = hot[(i / 4) % hot.length]!
        if (store.get(key) !== undefined) hotHits++
        else store.set(key, key)
      }
    }
    expect(hotHits / hotRequests).toBeGreaterThan(0.95)
    expect(hot.filter((k) => store.peek(k) !== undefined).length).toBeGreaterThan(570)
    // An LRU of the same size keeps almost none of them (the scan pushes each hot key out between uses).
    const lruKeys: string[] = []
    for (let round = 0; round < 4; round++) lruKeys.push(...hot)
    for (let i = 0; i < 20_000; i++) {
      lruKeys.push(`scan${i}`)
      if (i % 4 === 0) lruKeys.push(hot[(i / 4) % hot.length]!)
    }
    expect(lruHitRatio(lruKeys, 1000)).toBeLessThan(0.2)
  })

  it('get() hits on a loop slightly larger than the cache, where LRU never hits', () => {
    const loop = Array.from({ length: 250 }, (_, i) => `k${i}`)
    const keys: string[] = []
    for (let round = 0; round < 400; round++) keys.push(...loop)
    expect(lruHitRatio(keys, 200)).toBe(0)
    const { store } = build({ maxEntries: 200 })
    expect(replay(store, keys)).toBeGreaterThan(0.65)
    // Frequency wins here: the climber keeps the window small.
    expect(store.windowRatio).toBeLessThan(0.15)
  })

  it('windowRatio grows on a recency-heavy workload, bringing the hit ratio up to LRU’s', () => {
    const keys = recencyWorkload(250_000, 150, 11)
    const size = 150
    const lru = lruHitRatio(keys, size)
    const adaptive = build({ maxEntries: size })
    const fixed = build({ maxEntries: size }, { adaptive: false, seed: 7 })
    const adaptiveRatio = replay(adaptive.store, keys)
    const fixedRatio = replay(fixed.store, keys)
    expect(adaptive.store.windowRatio).toBeGreaterThan(0.5)
    expect(fixed.store.windowRatio).toBeLessThan(0.02)
    expect(adaptiveRatio).toBeGreaterThan(fixedRatio + 0.2)
    expect(adaptiveRatio).toBeGreaterThan(lru - 0.03)
  })

  it('windowRatio follows the workload back: large after a recency phase, small again after a frequency phase', () => {
    const size = 500
    const { store } = build({ maxEntries: size })
    replay(store, recencyWorkload(200_000, 400, 5))
    const afterRecency = store.windowRatio
    replay(store, zipfWorkload(300_000, 20_000, 0.9, 6, 'z'))
    expect(afterRecency).toBeGreaterThan(0.4)
    expect(store.windowRatio).toBeLessThan(0.1)
  })

  it('get() stays within a point of the best fixed window when bursts of one-time keys swing the hit rate', () => {
    // A static Zipf hot set with bursts of one-time keys whose length varies from sample to sample: the hit
    // rate jumps by tens of points between samples for reasons that have nothing to do with the window.
    const rand = random(9)
    const hot = zipfWorkload(400_000, 20_000, 0.9, 8, 'h')
    const keys: string[] = []
    let scan = 0
    for (let i = 0; i < hot.length; i++) {
      keys.push(hot[i]!)
      if (i % 10_000 === 0) {
        const burst = Math.floor(rand() * 8_000)
        for (let j = 0; j < burst; j++) keys.push(`scan${scan++}`)
      }
    }
    const adaptive = replay(build({ maxEntries: 500 }).store, keys)
    const fixed = [0.01, 0.1, 0.3].map((w) =>
      replay(build({ maxEntries: 500 }, { adaptive: false, initialWindow: w, seed: 7 }).store, keys),
    )
    expect(adaptive).toBeGreaterThan(Math.max(...fixed) - 0.01)
    expect(adaptive).toBeGreaterThan(lruHitRatio(keys, 500) + 0.05)
  })

  it('set() keeps size ≤ maxEntries and bytes ≤ maxBytes, exactly accounted, under random workloads', () => {
    for (const [seed, budget] of [
      [1, { maxEntries: 50 }],
      [2, { maxBytes: 3000 }],
      [3, { maxEntries: 40, maxBytes: 2500 }],
      [4, { maxEntries: 300, maxBytes: 4000 }],
    ] as const) {
      const rand = random(seed)
      const { store, events, clock } = build(budget, { seed })
      const model = new Map<string, { value: string; expiresAt: number }>()
      const fail = (i: number, msg: string) => {
        throw new Error(`seed ${seed} op #${i}: ${msg}`)
      }
      for (let i = 0; i < 30_000; i++) {
        events.length = 0
        clock.now += rand() < 0.1 ? 1 : 0
        // Skewed keys: a few hot ones, a long tail.
        const key = `k${Math.floor(rand() ** 3 * 400)}`
        const r = rand()
        if (r < 0.45) {
          const value = `${key}|${i}|`.padEnd(1 + Math.floor(rand() * 150), '.')
          const expiresAt = rand() < 0.2 ? clock.now + 1 + Math.floor(rand() * 20) : Number.POSITIVE_INFINITY
          const held = model.get(key)
          const had = held !== undefined && held.expiresAt > clock.now
          const ok = store.set(key, value, expiresAt)
          if (had && !ok) fail(i, `set('${key}') of a held key returned false`)
          if (ok) model.set(key, { value, expiresAt })
          else model.delete(key)
          if (ok && store.peek(key) !== value)
            fail(i, `set('${key}') returned true but the value is not held`)
        } else if (r < 0.9) {
          const m = model.get(key)
          const want = m !== undefined && m.expiresAt > clock.now ? m.value : undefined
          const got = store.get(key)
          if (got !== want) fail(i, `get('${key}') returned ${got}, expected ${want}`)
        } else {
          const m = model.get(key)
          const live = m !== undefined && m.expiresAt > clock.now
          const ok = store.delete(key)
          if (ok !== live) fail(i, `delete('${key}') returned ${ok}, expected ${live}`)
          // A live entry leaves with 'deleted'; an expired one is reclaimed with 'expired' (handled below).
          if (live) model.delete(key)
        }
        for (const [k, v, reason] of events) {
          const m = model.get(k)
          if (reason === 'deleted') continue
          if (m === undefined || m.value !== v)
            fail(i, `onEvict('${k}', …, '${reason}') for an entry not held`)
          if (reason === 'expired' && m!.expiresAt > clock.now) fail(i, `onEvict('${k}') expired too early`)
          model.delete(k)
        }
        if (budget.maxEntries !== undefined && store.size > budget.maxEntries)
          fail(i, `size ${store.size} over budget`)
        if ('maxBytes' in budget && store.bytes > budget.maxBytes) fail(i, `bytes ${store.bytes} over budget`)
        if (i % 100 === 0) {
          let sum = 0
          let count = 0
          // keys() reclaims every expired entry first, so size and bytes are exact once it has run.
          for (const k of store.keys()) {
            sum += store.peek(k)!.length
            count++
          }
          const size = store.size
          const bytes = store.bytes
          if (count !== size) fail(i, `keys() yields ${count} keys, size is ${size}`)
          if ('maxBytes' in budget && sum !== bytes) fail(i, `bytes ${bytes}, entries sum to ${sum}`)
          for (const [k, m] of model) {
            if (m.expiresAt > clock.now && store.peek(k) !== m.value) fail(i, `'${k}' lost without onEvict`)
          }
        }
      }
    }
  })

  it('set() of a value larger than maxBytes returns false, keeps the rest, and drops an older value', () => {
    const { store, events } = build({ maxBytes: 100 })
    store.set('a', 'a'.repeat(50))
    store.set('b', 'b'.repeat(50))
    expect(store.set('c', 'c'.repeat(101))).toBe(false)
    expect(store.has('c')).toBe(false)
    expect(store.set('a', 'A'.repeat(101))).toBe(false)
    expect(store.has('a')).toBe(false)
    expect(store.get('b')).toBe('b'.repeat(50))
    expect(store.bytes).toBe(50)
    expect(events).toEqual([])
  })

  it('set() admits a new entry larger than the window on frequency, then evicts several to make room', () => {
    const { store, events } = build({ maxBytes: 100 })
    for (let i = 0; i < 10; i++) store.set(`s${i}`, String(i).repeat(10))
    // 95 bytes cannot sit in a 1-byte window: it competes with probation's LRU entry at once, and a key
    // seen once does not beat one seen once.
    expect(store.set('big', 'B'.repeat(95))).toBe(false)
    expect(events).toEqual([])
    expect(store.size).toBe(10)
    // Requested again, it is more frequent than the victims and takes their room.
    expect(store.set('big', 'B'.repeat(95))).toBe(true)
    expect(store.bytes).toBeLessThanOrEqual(100)
    expect(store.get('big')).toBe('B'.repeat(95))
    expect(events.length).toBe(10)
    expect(events.every(([, , reason]) => reason === 'capacity')).toBe(true)
  })

  it('keys() reclaims exactly the entries whose expiresAt has passed, whatever the order of updates', () => {
    const { store, events, clock } = build({ maxEntries: 1000 })
    const rand = random(21)
    const t0 = clock.now
    const expiry = new Map<string, number>()
    for (let i = 0; i < 3000; i++) {
      const key = `k${Math.floor(rand() * 500)}`
      const r = rand()
      const expiresAt = r < 0.3 ? Number.POSITIVE_INFINITY : t0 + 1 + Math.floor(rand() * 1000)
      store.set(key, key, expiresAt)
      expiry.set(key, expiresAt)
    }
    for (let t = t0; t <= t0 + 1001; t += 7) {
      clock.now = t
      const live = [...expiry.values()].filter((e) => e > t).length
      expect([...store.keys()].length).toBe(live)
      expect(store.size).toBe(live)
    }
    expect(events.every(([, , reason]) => reason === 'expired')).toBe(true)
  })

  it('set() reclaims expired entries (reason expired) before evicting live ones', () => {
    const { store, events, clock } = build({ maxEntries: 10 })
    for (let i = 0; i < 5; i++) store.set(`ttl${i}`, `ttl${i}`, clock.now + 100)
    for (let i = 0; i < 5; i++) store.set(`live${i}`, `live${i}`)
    clock.now += 100
    for (let i = 0; i < 5; i++) expect(store.set(`new${i}`, `new${i}`)).toBe(true)
    expect(events.map(([, , reason]) => reason)).toEqual([
      'expired',
      'expired',
      'expired',
      'expired',
      'expired',
    ])
    expect(events.map(([key]) => key).sort()).toEqual(['ttl0', 'ttl1', 'ttl2', 'ttl3', 'ttl4'])
    expect(store.size).toBe(10)
    for (let i = 0; i < 5; i++) expect(store.get(`live${i}`)).toBe(`live${i}`)
  })

  it('get(), peek(), has() and keys() hide an entry from its expiresAt on (injected clock)', () => {
    const { store, events, clock } = build({ maxEntries: 10 })
    store.set('a', 'a', clock.now + 10)
    store.set('b', 'b')
    clock.now += 9
    expect(store.get('a')).toBe('a')
    clock.now += 1
    expect(store.peek('a')).toBeUndefined()
    expect(store.has('a')).toBe(false)
    expect([...store.keys()]).toEqual(['b'])
    expect(events).toEqual([['a', 'a', 'expired']])
    // Overwriting with a later expiry, or with none, keeps the entry.
    store.set('c', 'c', clock.now + 5)
    store.set('c', 'c2')
    clock.now += 1000
    expect(store.get('c')).toBe('c2')
  })

  it('onEvict may call back into the store while an eviction runs', () => {
    const evicted: string[] = []
    const store = tinyLfu({ seed: 3 }).create<string>({
      maxEntries: 20,
      onEvict: (key, _value, reason) => {
        evicted.push(key)
        if (reason === 'capacity' && !key.startsWith('again')) store.set(`again-${key}`, key)
        store.get('k0')
      },
    })
    for (let i = 0; i < 500; i++) {
      store.get(`k${i % 37}`) ?? store.set(`k${i % 37}`, String(i))
      expect(store.size).toBeLessThanOrEqual(20)
    }
    expect(evicted.length).toBeGreaterThan(100)
    expect([...store.keys()].length).toBe(store.size)
  })

  /**
   * Fills a 1000-entry store with 1200 keys seen twice before (sketch estimate 3 when they compete) and says
   * whether `key`, placed first in the main area, survives: it does only if its own estimate is higher.
   */
  function survivesScan(store: TinyLfuStore<string>, key: string): boolean {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1200; i++) {
        store.set(`f${i}`, 'f')
        store.delete(`f${i}`)
      }
    }
    for (let i = 0; i < 1200; i++) store.set(`f${i}`, 'f')
    return store.has(key)
  }

  it('get() hits counted while an entry is held reach the sketch when it leaves', () => {
    const { store } = build({ maxEntries: 1000 }, { seed: 7, adaptive: false })
    store.set('a', 'a')
    for (let i = 0; i < 5; i++) store.get('a')
    store.delete('a')
    // 'a' is back with an estimate of 7 (two sets, five hits): more than any scanned key.
    store.set('a', 'a')
    expect(survivesScan(store, 'a')).toBe(true)
  })

  it('get() counts the hits of a new key in a slot freed by a saturated one', () => {
    const { store } = build({ maxEntries: 1000 }, { seed: 7, adaptive: false })
    store.set('hot', 'h')
    for (let i = 0; i < 40; i++) store.get('hot')
    store.delete('hot')
    // 'k' takes the freed slot: its five hits must count (estimate 6) although 'hot' was saturated there.
    store.set('k', 'k')
    for (let i = 0; i < 5; i++) store.get('k')
    expect(survivesScan(store, 'k')).toBe(true)
  })

  it('a once-seen key does not survive the same scan (the two tests above can fail)', () => {
    const { store } = build({ maxEntries: 1000 }, { seed: 7, adaptive: false })
    store.set('k', 'k')
    store.get('k')
    expect(survivesScan(store, 'k')).toBe(false)
  })

  it('create() with the same seed evicts the same way (deterministic runs)', () => {
    const run = () => {
      const { store, events } = build({ maxEntries: 64 }, { seed: 99 })
      const rand = random(5)
      for (let i = 0; i < 20_000; i++) {
        const key = `k${Math.floor(rand() ** 2 * 500)}`
        store.get(key) ?? store.set(key, key)
      }
      return events.map(([k]) => k).join(',')
    }
    expect(run()).toBe(run())
  })

  it('clear() resets the store and the window', () => {
    const { store } = build({ maxEntries: 50 })
    replay(store, recencyWorkload(30_000, 60, 3))
    store.clear()
    expect(store.size).toBe(0)
    expect(store.windowRatio).toBeCloseTo(0.02, 5)
    expect(store.set('a', 'a')).toBe(true)
    expect(store.get('a')).toBe('a')
  })

  it('tinyLfu() and create() reject invalid options with E_INVALID_OPTION naming the option', () => {
    const cases: [() => unknown, string][] = [
      [() => tinyLfu({ initialWindow: 0 }), 'initialWindow'],
      [() => tinyLfu({ initialWindow: 1 }), 'initialWindow'],
      [() => tinyLfu({ protectedRatio: 1.2 }), 'protectedRatio'],
      [() => tinyLfu({ adaptive: 'yes' as never }), 'adaptive'],
      [() => tinyLfu({ seed: 1.5 }), 'seed'],
      [() => tinyLfu().create({}), 'maxEntries'],
      [() => tinyLfu().create({ maxBytes: 100, sizeOf: 5 as never }), 'sizeOf'],
      [() => tinyLfu().create({ maxEntries: 10, now: 5 as never }), 'now'],
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

  it('set() rejects a NaN expiresAt and a sizeOf that returns garbage', () => {
    const store = tinyLfu().create<string>({
      maxEntries: 10,
      maxBytes: 100,
      sizeOf: (v) => (v === 'bad' ? -1 : 1),
    })
    expect(() => store.set('a', 'a', Number.NaN)).toThrow(/expiresAt/)
    let error: unknown
    try {
      store.set('b', 'bad')
    } catch (err) {
      error = err
    }
    expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
    expect(store.size).toBe(0)
  })
})
