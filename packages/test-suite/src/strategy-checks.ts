import { expect } from '@jest/globals'
import {
  type BoundedStore,
  type BoundedStoreOptions,
  type EvictionReason,
  type EvictionStrategy,
  isCacheError,
} from '@tierstack/core'
import { seededRandom } from './entries.js'
import { findCheck } from './suite-kit.js'

/** Options of {@link strategyComplianceSuite}: they adapt expectations, they never skip checks. */
export interface StrategySuiteOptions {
  /**
   * The strategy orders victims by recency (LRU, SIEVE, …): the suite then also checks that `get()` protects an
   * entry from eviction while `peek()` does not. @default false
   */
  recencyBased?: boolean
  /**
   * The strategy may refuse a new key when the store is full (TinyLFU admission): `set()` may then return
   * `false`. The suite still checks every invariant, and that a scan of one-time keys does not flush hot keys.
   * @default false
   */
  admissionFilter?: boolean
  /** Number of operations of each random workload. @default 10_000 */
  workloadOps?: number
  /** Seed of the random workloads (printed in failure messages, so a failure can be replayed). @default 42 */
  seed?: number
  /** Timeout of each test, in milliseconds. @default 30_000 */
  timeoutMs?: number
}

/** What one strategy check receives. */
export interface StrategyCheckContext {
  /** A fresh strategy from the factory. */
  readonly strategy: EvictionStrategy
  readonly options: StrategySuiteOptions
}

/** One named check of the strategy suite; `run` throws when the strategy does not comply. */
export interface StrategyCheck {
  readonly group: string
  readonly name: string
  run(ctx: StrategyCheckContext): void | Promise<void>
}

type Event<TValue> = [key: string, value: TValue, reason: EvictionReason]

/** A store built by the strategy with an `onEvict` that records every call, and a controllable clock. */
interface Harness<TValue> {
  store: BoundedStore<TValue>
  events: Event<TValue>[]
  clock: { now: number }
}

function build<TValue>(
  ctx: StrategyCheckContext,
  options: Omit<BoundedStoreOptions<TValue>, 'onEvict' | 'now'>,
): Harness<TValue> {
  const events: Event<TValue>[] = []
  const clock = { now: 1_700_000_000_000 }
  const store = ctx.strategy.create<TValue>({
    ...options,
    now: () => clock.now,
    onEvict: (key, value, reason) => {
      events.push([key, value, reason])
    },
  })
  return { store, events, clock }
}

function check(
  group: string,
  name: string,
  run: (ctx: StrategyCheckContext) => void | Promise<void>,
): StrategyCheck {
  return { group, name, run }
}

function sortedKeys(store: BoundedStore<unknown>): string[] {
  return [...store.keys()].sort()
}

function expectInvalid(fn: () => unknown, what: string): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  if (!isCacheError(thrown, 'E_INVALID_OPTION')) {
    throw new Error(
      `create(${what}) must throw CacheError E_INVALID_OPTION, got ${thrown === undefined ? 'no error' : String(thrown)}`,
    )
  }
}

interface WorkloadOptions {
  maxEntries?: number
  maxBytes?: number
  keySpace: number
  /** Values get a random length in [1, maxValueLength] (their size with `sizeOf = v.length`). */
  maxValueLength: number
}

/**
 * A random workload checked against a model after every operation: the model follows `set` results and
 * `onEvict` calls, so `size`, `bytes`, `keys()` and every returned value must match it exactly.
 */
function runWorkload(ctx: StrategyCheckContext, w: WorkloadOptions): void {
  const seed = ctx.options.seed ?? 42
  const ops = ctx.options.workloadOps ?? 10_000
  const admission = ctx.options.admissionFilter ?? false
  const rand = seededRandom(seed)
  const sized = w.maxBytes !== undefined
  const { store, events } = build<string>(ctx, {
    maxEntries: w.maxEntries,
    maxBytes: w.maxBytes,
    sizeOf: sized ? (v: string) => v.length : undefined,
  })
  const model = new Map<string, string>()
  let modelBytes = 0
  let counter = 0
  let accepted = 0
  const fail = (i: number, what: string, msg: string): never => {
    throw new Error(`workload (seed ${seed}) op #${i} ${what}: ${msg}`)
  }
  for (let i = 0; i < ops; i++) {
    const r = rand()
    const key = `k${Math.floor(rand() * w.keySpace)}`
    events.length = 0
    let what: string
    if (r < 0.5) {
      const len = 1 + Math.floor(rand() * w.maxValueLength)
      const tag = `${key}|${++counter}|`
      const value = tag.length >= len ? tag : tag.padEnd(len, '.')
      what = `set('${key}', <${value.length}>)`
      const had = model.has(key)
      const ok = store.set(key, value)
      if (ok) {
        accepted++
        if (had) modelBytes -= model.get(key)!.length
        model.set(key, value)
        modelBytes += value.length
      } else {
        if (!admission)
          fail(i, what, 'returned false for an entry that fits (only an admission filter may refuse)')
        if (had) fail(i, what, 'returned false when overwriting a key already in the store')
      }
    } else if (r < 0.7) {
      what = `get('${key}')`
      const got = store.get(key)
      if (got !== model.get(key)) fail(i, what, `returned ${String(got)}, expected ${String(model.get(key))}`)
    } else if (r < 0.8) {
      what = `peek('${key}')`
      const got = store.peek(key)
      if (got !== model.get(key)) fail(i, what, `returned ${String(got)}, expected ${String(model.get(key))}`)
    } else if (r < 0.9) {
      what = `has('${key}')`
      if (store.has(key) !== model.has(key))
        fail(i, what, `returned ${store.has(key)}, expected ${model.has(key)}`)
    } else {
      what = `delete('${key}')`
      const had = model.has(key)
      const value = model.get(key)
      const ok = store.delete(key)
      if (ok !== had) fail(i, what, `returned ${ok}, expected ${had}`)
      if (had) {
        const ev = events.findIndex(([k, v, reason]) => k === key && v === value && reason === 'deleted')
        if (ev === -1) fail(i, what, "did not call onEvict(key, value, 'deleted')")
        events.splice(ev, 1)
        model.delete(key)
        modelBytes -= value!.length
      }
    }
    for (const [k, v, reason] of events) {
      if (reason !== 'capacity') fail(i, what, `onEvict('${k}') with reason '${reason}', expected 'capacity'`)
      if (model.get(k) !== v)
        fail(i, what, `onEvict('${k}', ${v}) for an entry that is not in the store with that value`)
      model.delete(k)
      modelBytes -= v.length
    }
    if (w.maxEntries !== undefined && store.size > w.maxEntries)
      fail(i, what, `size ${store.size} > maxEntries ${w.maxEntries}`)
    if (w.maxBytes !== undefined && store.bytes > w.maxBytes)
      fail(i, what, `bytes ${store.bytes} > maxBytes ${w.maxBytes}`)
    if (store.size !== model.size)
      fail(i, what, `size ${store.size}, but set()/onEvict() account for ${model.size} entries`)
    if (sized && store.bytes !== modelBytes)
      fail(i, what, `bytes ${store.bytes}, but the entries held sum to ${modelBytes}`)
    if (i % 250 === 0 || i === ops - 1) {
      const keys = sortedKeys(store)
      const want = [...model.keys()].sort()
      if (keys.join('\n') !== want.join('\n'))
        fail(i, what, `keys() returned ${keys.length} keys that differ from the ${want.length} held`)
      for (const [k, v] of model)
        if (store.peek(k) !== v) fail(i, what, `peek('${k}') does not return the value last set`)
    }
  }
  // A strategy that refuses (nearly) everything is not a cache.
  expect(accepted).toBeGreaterThan(admission ? ops * 0.05 : ops * 0.4)
}

/** Every check of the strategy compliance suite, by group. */
export const strategyChecks: readonly StrategyCheck[] = [
  // ── basics ──────────────────────────────────────────────────────────────────
  check('basics', 'set() stores values that get(), peek(), has(), size and keys() then see', (ctx) => {
    const { store } = build<object>(ctx, { maxEntries: 10 })
    const a = { a: 1 }
    const b = { b: 2 }
    const c = { c: 3 }
    expect(store.set('a', a)).toBe(true)
    expect(store.set('b', b)).toBe(true)
    expect(store.set('c', c)).toBe(true)
    expect(store.get('a')).toBe(a)
    expect(store.peek('b')).toBe(b)
    expect(store.has('c')).toBe(true)
    expect(store.get('missing')).toBeUndefined()
    expect(store.peek('missing')).toBeUndefined()
    expect(store.has('missing')).toBe(false)
    expect(store.size).toBe(3)
    expect(sortedKeys(store)).toEqual(['a', 'b', 'c'])
  }),
  check('basics', 'set() accepts unicode and special-character keys and keeps them apart', (ctx) => {
    const { store } = build<string>(ctx, { maxEntries: 50 })
    const keys = ['', ' ', 'ключ', '🔑', 'a%b', 'a_b', "it's", 'a:b', 'naïve', 'nai\u0308ve', 'A', 'a']
    for (const k of keys) expect(store.set(k, `v:${k}`)).toBe(true)
    for (const k of keys) expect(store.get(k)).toBe(`v:${k}`)
    expect(store.size).toBe(keys.length)
  }),
  check(
    'basics',
    "delete() removes a key, returns whether it existed and calls onEvict(…, 'deleted')",
    (ctx) => {
      const { store, events } = build<string>(ctx, { maxEntries: 10 })
      store.set('a', 'va')
      store.set('b', 'vb')
      expect(store.delete('a')).toBe(true)
      expect(events).toEqual([['a', 'va', 'deleted']])
      expect(store.delete('a')).toBe(false)
      expect(store.delete('missing')).toBe(false)
      expect(events).toHaveLength(1)
      expect(store.get('a')).toBeUndefined()
      expect(store.has('a')).toBe(false)
      expect(store.size).toBe(1)
      expect(sortedKeys(store)).toEqual(['b'])
    },
  ),
  check('basics', 'clear() empties the store without calling onEvict, and the store stays usable', (ctx) => {
    const { store, events } = build<string>(ctx, { maxEntries: 10, maxBytes: 1000, sizeOf: (v) => v.length })
    for (const k of ['a', 'b', 'c']) store.set(k, `value-${k}`)
    store.clear()
    expect(events).toEqual([])
    expect(store.size).toBe(0)
    expect(store.bytes).toBe(0)
    expect([...store.keys()]).toEqual([])
    expect(store.get('a')).toBeUndefined()
    expect(store.set('a', 'again')).toBe(true)
    expect(store.get('a')).toBe('again')
    expect(store.size).toBe(1)
    expect(store.bytes).toBe(5)
  }),
  check(
    'basics',
    'set() overwriting a key replaces the value and its size, without onEvict and without growing size',
    (ctx) => {
      const { store, events } = build<string>(ctx, {
        maxEntries: 10,
        maxBytes: 1000,
        sizeOf: (v) => v.length,
      })
      store.set('a', 'x'.repeat(10))
      store.set('b', 'y'.repeat(20))
      expect(store.bytes).toBe(30)
      expect(store.set('a', 'z'.repeat(100))).toBe(true)
      expect(store.get('a')).toBe('z'.repeat(100))
      expect(store.size).toBe(2)
      expect(store.bytes).toBe(120)
      expect(store.set('a', 'w')).toBe(true)
      expect(store.bytes).toBe(21)
      expect(events).toEqual([])
      store.delete('b')
      expect(store.bytes).toBe(1)
    },
  ),
  check('basics', 'create() builds independent stores', (ctx) => {
    const one = build<string>(ctx, { maxEntries: 5 }).store
    const two = build<string>(ctx, { maxEntries: 5 }).store
    one.set('a', '1')
    expect(two.get('a')).toBeUndefined()
    expect(two.size).toBe(0)
    two.set('a', '2')
    expect(one.get('a')).toBe('1')
    expect(typeof ctx.strategy.name).toBe('string')
    expect(ctx.strategy.name.length).toBeGreaterThan(0)
  }),

  // ── capacity ────────────────────────────────────────────────────────────────
  check(
    'capacity',
    'set() keeps size ≤ maxEntries and matches onEvict accounting over a random workload',
    (ctx) => {
      runWorkload(ctx, { maxEntries: 100, keySpace: 300, maxValueLength: 16 })
    },
  ),
  check(
    'capacity',
    'set() keeps bytes ≤ maxBytes and matches sizeOf accounting over a random workload',
    (ctx) => {
      runWorkload(ctx, { maxBytes: 2000, keySpace: 300, maxValueLength: 200 })
    },
  ),
  check('capacity', 'set() respects maxEntries and maxBytes together over a random workload', (ctx) => {
    runWorkload(ctx, { maxEntries: 20, maxBytes: 1500, keySpace: 100, maxValueLength: 150 })
  }),
  check('capacity', "set() past maxEntries evicts with onEvict(key, value, 'capacity')", (ctx) => {
    const { store, events } = build<string>(ctx, { maxEntries: 3 })
    for (const k of ['a', 'b', 'c']) expect(store.set(k, `v${k}`)).toBe(true)
    const ok = store.set('d', 'vd')
    if (!ok) {
      expect(ctx.options.admissionFilter ?? false).toBe(true)
      expect(events).toEqual([])
      expect(sortedKeys(store)).toEqual(['a', 'b', 'c'])
    } else {
      expect(events).toHaveLength(1)
      const [k, v, reason] = events[0]!
      expect(['a', 'b', 'c']).toContain(k)
      expect(v).toBe(`v${k}`)
      expect(reason).toBe('capacity')
      expect(store.has(k)).toBe(false)
      expect(store.get('d')).toBe('vd')
    }
    expect(store.size).toBe(3)
  }),
  check('capacity', 'set() of an entry larger than maxBytes returns false and evicts nothing', (ctx) => {
    const { store, events } = build<string>(ctx, { maxBytes: 100, sizeOf: (v) => v.length })
    for (const k of ['a', 'b', 'c']) store.set(k, k.repeat(30))
    const before = store.bytes
    expect(store.set('huge', 'h'.repeat(101))).toBe(false)
    expect(events).toEqual([])
    expect(store.has('huge')).toBe(false)
    expect(store.bytes).toBe(before)
    expect(sortedKeys(store)).toEqual(['a', 'b', 'c'])
    expect(store.set('exact', 'e'.repeat(100)) || (ctx.options.admissionFilter ?? false)).toBe(true)
    expect(store.bytes).toBeLessThanOrEqual(100)
  }),
  check('capacity', 'set() of a key requested again and again is admitted in the end', (ctx) => {
    const { store } = build<string>(ctx, { maxEntries: 10 })
    for (let i = 0; i < 10; i++) store.set(`old${i}`, `v${i}`)
    let admitted = false
    for (let attempt = 0; attempt < 30 && !admitted; attempt++) {
      store.get('wanted')
      admitted = store.set('wanted', 'w')
    }
    expect(admitted).toBe(true)
    expect(store.get('wanted')).toBe('w')
    expect(store.size).toBeLessThanOrEqual(10)
  }),

  // ── access ──────────────────────────────────────────────────────────────────
  check('access', 'peek() does not count as an access: it never changes which entries are evicted', (ctx) => {
    const run = (withPeeks: boolean) => {
      const { store, events } = build<string>(ctx, { maxEntries: 4 })
      for (const k of ['a', 'b', 'c', 'd']) store.set(k, k)
      store.get('b')
      store.get('c')
      store.get('c')
      if (withPeeks) for (let i = 0; i < 20; i++) expect(store.peek('a')).toBe('a')
      const accepted = ['e', 'f'].map((k) => store.set(k, k))
      return { evicted: events.map(([k]) => k), keys: sortedKeys(store), accepted }
    }
    const plain = run(false)
    const peeked = run(true)
    if (ctx.options.admissionFilter ?? false) {
      // Admission may use randomness: only the invariants can be compared.
      expect(peeked.keys.length).toBeLessThanOrEqual(4)
    } else {
      expect(peeked).toEqual(plain)
    }
  }),
  check(
    'access',
    'get() protects an entry from eviction, peek() does not (recency-based strategies)',
    (ctx) => {
      const recency = ctx.options.recencyBased ?? false
      const viaGet = build<string>(ctx, { maxEntries: 3 })
      for (const k of ['a', 'b', 'c']) viaGet.store.set(k, k)
      expect(viaGet.store.get('a')).toBe('a')
      viaGet.store.set('d', 'd')
      const viaPeek = build<string>(ctx, { maxEntries: 3 })
      for (const k of ['a', 'b', 'c']) viaPeek.store.set(k, k)
      expect(viaPeek.store.peek('a')).toBe('a')
      viaPeek.store.set('d', 'd')
      if (recency) {
        expect(viaGet.store.has('a')).toBe(true)
        expect(viaGet.events.map(([k]) => k)).toEqual(['b'])
        expect(viaPeek.store.has('a')).toBe(false)
        expect(viaPeek.events.map(([k]) => k)).toEqual(['a'])
      } else {
        // Without a recency promise, only the bounds hold.
        expect(viaGet.store.size).toBe(3)
        expect(viaPeek.store.size).toBe(3)
      }
    },
  ),
  check(
    'access',
    'set() of a scan of one-time keys keeps the invariants (and, with admission, the hot keys)',
    (ctx) => {
      const admission = ctx.options.admissionFilter ?? false
      const { store, events } = build<string>(ctx, { maxEntries: 100 })
      const hot = Array.from({ length: 50 }, (_, i) => `hot${i}`)
      for (let round = 0; round < 5; round++) {
        for (const k of hot) if (store.get(k) === undefined) store.set(k, k)
      }
      const held = new Set(store.keys())
      for (let i = 0; i < 5000; i++) {
        events.length = 0
        const k = `scan${i}`
        if (store.set(k, k)) held.add(k)
        else expect(admission).toBe(true)
        if (i % 4 === 0) {
          const h = hot[(i / 4) % hot.length]!
          if (store.get(h) === undefined && store.set(h, h)) held.add(h)
        }
        for (const [ek, ev, reason] of events) {
          if (reason !== 'capacity' || ek !== ev || !held.has(ek)) {
            throw new Error(`scan step ${i}: unexpected onEvict('${ek}', '${ev}', '${reason}')`)
          }
          held.delete(ek)
        }
        if (store.size > 100) throw new Error(`scan step ${i}: size ${store.size} > maxEntries 100`)
        if (store.size !== held.size)
          throw new Error(`scan step ${i}: size ${store.size}, onEvict accounting says ${held.size}`)
      }
      if (admission) {
        const survivors = hot.filter((k) => store.peek(k) === k).length
        expect(survivors).toBeGreaterThanOrEqual(25)
      }
    },
  ),

  // ── expiry ──────────────────────────────────────────────────────────────────
  check('expiry', 'get(), peek() and has() treat an entry as absent from its expiresAt on', (ctx) => {
    const { store, clock } = build<string>(ctx, { maxEntries: 10 })
    const t0 = clock.now
    store.set('a', 'va', t0 + 100)
    store.set('b', 'vb')
    clock.now = t0 + 99
    expect(store.peek('a')).toBe('va')
    expect(store.has('a')).toBe(true)
    expect(store.get('a')).toBe('va')
    clock.now = t0 + 100
    expect(store.peek('a')).toBeUndefined()
    expect(store.has('a')).toBe(false)
    expect(store.get('a')).toBeUndefined()
    expect(store.get('b')).toBe('vb')
  }),
  check('expiry', "get() of an expired entry reclaims it with onEvict(key, value, 'expired')", (ctx) => {
    const { store, events, clock } = build<string>(ctx, { maxEntries: 10 })
    store.set('a', 'va', clock.now + 50)
    store.set('b', 'vb', clock.now + 5000)
    clock.now += 60
    expect(store.get('a')).toBeUndefined()
    expect(events).toEqual([['a', 'va', 'expired']])
    expect(store.size).toBe(1)
    expect(sortedKeys(store)).toEqual(['b'])
    expect(store.delete('a')).toBe(false)
  }),
  check('expiry', 'set() with an expiresAt already past stores nothing readable', (ctx) => {
    const { store, clock } = build<string>(ctx, { maxEntries: 10 })
    store.set('a', 'va', clock.now - 1)
    store.set('b', 'vb', clock.now)
    expect(store.get('a')).toBeUndefined()
    expect(store.has('b')).toBe(false)
  }),
  check('expiry', 'set() without expiresAt, or with Infinity, never expires', (ctx) => {
    const { store, clock } = build<string>(ctx, { maxEntries: 10 })
    store.set('a', 'va')
    store.set('b', 'vb', Number.POSITIVE_INFINITY)
    clock.now += 1e12
    expect(store.get('a')).toBe('va')
    expect(store.get('b')).toBe('vb')
  }),
  check('expiry', 'set() overwriting an entry replaces its expiry', (ctx) => {
    const { store, clock } = build<string>(ctx, { maxEntries: 10 })
    const t0 = clock.now
    store.set('a', 'v1', t0 + 100)
    store.set('a', 'v2')
    store.set('b', 'v1')
    store.set('b', 'v2', t0 + 50)
    clock.now = t0 + 200
    expect(store.get('a')).toBe('v2')
    expect(store.get('b')).toBeUndefined()
  }),
  check(
    'expiry',
    'expiresAt(), where the store has it, returns the expiresAt given to set(), is not an access and reclaims nothing',
    (ctx) => {
      const probe = build<string>(ctx, { maxEntries: 10 })
      // Optional method: a store without it has nothing to check here.
      if (typeof probe.store.expiresAt !== 'function') return
      const { store, clock, events } = probe
      const expiresAtOf = (key: string) => store.expiresAt!(key)
      const t0 = clock.now
      // First a write without expiry: stores that allocate expiry storage lazily have none yet.
      store.set('b', 'vb')
      expect(expiresAtOf('b')).toBe(Number.POSITIVE_INFINITY)
      store.set('a', 'va', t0 + 100)
      store.set('c', 'vc', Number.POSITIVE_INFINITY)
      store.set('d', 'vd', t0 + 0.5)
      expect(expiresAtOf('a')).toBe(t0 + 100)
      expect(expiresAtOf('b')).toBe(Number.POSITIVE_INFINITY)
      expect(expiresAtOf('c')).toBe(Number.POSITIVE_INFINITY)
      // Exact below the millisecond too.
      expect(expiresAtOf('d')).toBe(t0 + 0.5)
      expect(expiresAtOf('missing')).toBeUndefined()
      // Overwrites replace the expiry, both ways.
      store.set('a', 'va2', t0 + 200)
      store.set('b', 'vb2', t0 + 50)
      store.set('c', 'vc2', t0 + 50)
      store.set('c', 'vc3')
      expect(expiresAtOf('a')).toBe(t0 + 200)
      expect(expiresAtOf('b')).toBe(t0 + 50)
      expect(expiresAtOf('c')).toBe(Number.POSITIVE_INFINITY)
      clock.now = t0 + 49
      expect(expiresAtOf('b')).toBe(t0 + 50)
      expect(expiresAtOf('d')).toBeUndefined()
      clock.now = t0 + 199
      expect(expiresAtOf('a')).toBe(t0 + 200)
      expect(expiresAtOf('b')).toBeUndefined()
      clock.now = t0 + 200
      expect(expiresAtOf('a')).toBeUndefined()
      expect(store.delete('c')).toBe(true)
      expect(expiresAtOf('c')).toBeUndefined()
      // Reading an expiry reclaims nothing: that is left to get() and the store's own sweeps.
      expect(events).toEqual([['c', 'vc3', 'deleted']])
      expect(store.get('a')).toBeUndefined()
      expect(events.at(-1)).toEqual(['a', 'va2', 'expired'])
      // Same workload as the peek() check, with expiresAt() calls in place of the peeks.
      const run = (withCalls: boolean) => {
        const h = build<string>(ctx, { maxEntries: 4 })
        for (const k of ['a', 'b', 'c', 'd']) h.store.set(k, k, h.clock.now + 1_000)
        h.store.get('b')
        h.store.get('c')
        h.store.get('c')
        if (withCalls) for (let i = 0; i < 20; i++) expect(h.store.expiresAt!('a')).toBe(h.clock.now + 1_000)
        const accepted = ['e', 'f'].map((k) => h.store.set(k, k))
        return { evicted: h.events.map(([k]) => k), keys: sortedKeys(h.store), accepted }
      }
      const plain = run(false)
      const called = run(true)
      if (ctx.options.admissionFilter ?? false) {
        expect(called.keys.length).toBeLessThanOrEqual(4)
      } else {
        expect(called).toEqual(plain)
      }
    },
  ),
  check(
    'expiry',
    'get() and peek() never return an expired or wrong value over a random workload with expiring entries',
    (ctx) => {
      const seed = ctx.options.seed ?? 42
      const rand = seededRandom(seed + 1)
      const { store, events, clock } = build<string>(ctx, { maxEntries: 50 })
      const model = new Map<string, { value: string; expiresAt: number }>()
      const ops = Math.ceil((ctx.options.workloadOps ?? 10_000) / 2)
      for (let i = 0; i < ops; i++) {
        events.length = 0
        clock.now += Math.floor(rand() * 3)
        const key = `k${Math.floor(rand() * 120)}`
        const r = rand()
        if (r < 0.5) {
          const value = `${key}|${i}`
          const expiresAt = rand() < 0.5 ? Number.POSITIVE_INFINITY : clock.now + 1 + Math.floor(rand() * 200)
          if (store.set(key, value, expiresAt)) model.set(key, { value, expiresAt })
          else if (!(ctx.options.admissionFilter ?? false))
            throw new Error(`op #${i}: set('${key}') returned false`)
        } else if (r < 0.9) {
          const m = model.get(key)
          const live = m !== undefined && m.expiresAt > clock.now ? m.value : undefined
          const got = r < 0.75 ? store.get(key) : store.peek(key)
          if (got !== live)
            throw new Error(
              `op #${i} (seed ${seed}): read of '${key}' returned ${String(got)}, expected ${String(live)}`,
            )
        } else {
          const m = model.get(key)
          const live = m !== undefined && m.expiresAt > clock.now
          const deleted = store.delete(key)
          if (live && !deleted) throw new Error(`op #${i}: delete('${key}') returned false for a live entry`)
          if (deleted) {
            const ev = events.findIndex(([k, , reason]) => k === key && reason === 'deleted')
            if (ev !== -1) events.splice(ev, 1)
            model.delete(key)
          }
        }
        for (const [k, v, reason] of events) {
          const m = model.get(k)
          if (m === undefined || m.value !== v)
            throw new Error(`op #${i}: onEvict('${k}', '${v}') for an entry not held`)
          if (reason === 'expired' && m.expiresAt > clock.now)
            throw new Error(`op #${i}: onEvict('${k}', 'expired') before its expiresAt`)
          if (reason === 'deleted') throw new Error(`op #${i}: onEvict('${k}', 'deleted') outside delete()`)
          model.delete(k)
        }
        if (store.size > 50) throw new Error(`op #${i}: size ${store.size} > maxEntries 50`)
      }
    },
  ),

  // ── options ─────────────────────────────────────────────────────────────────
  check('options', 'create() without maxEntries and maxBytes throws E_INVALID_OPTION', (ctx) => {
    expectInvalid(() => ctx.strategy.create({}), '{}')
  }),
  check(
    'options',
    'create() with maxBytes but no sizeOf measures entries with the default estimate',
    (ctx) => {
      const store = ctx.strategy.create<string>({ maxBytes: 1000 })
      expect(store.set('k', 'x'.repeat(100))).toBe(true)
      expect(store.bytes).toBeGreaterThan(0)
      for (let i = 0; i < 50; i++) {
        store.set(`key${i}`, 'y'.repeat(100))
        expect(store.bytes).toBeLessThanOrEqual(1000)
      }
      expect(store.size).toBeGreaterThan(0)
      expect(store.size).toBeLessThan(50)
    },
  ),
  check(
    'options',
    'create() with a negative or NaN maxEntries or maxBytes throws E_INVALID_OPTION',
    (ctx) => {
      const sizeOf = () => 1
      expectInvalid(() => ctx.strategy.create({ maxEntries: -1 }), '{ maxEntries: -1 }')
      expectInvalid(() => ctx.strategy.create({ maxEntries: Number.NaN }), '{ maxEntries: NaN }')
      expectInvalid(() => ctx.strategy.create({ maxBytes: -1, sizeOf }), '{ maxBytes: -1 }')
      expectInvalid(() => ctx.strategy.create({ maxBytes: Number.NaN, sizeOf }), '{ maxBytes: NaN }')
      expectInvalid(
        () => ctx.strategy.create({ maxEntries: 10, maxBytes: -5, sizeOf }),
        '{ maxEntries: 10, maxBytes: -5 }',
      )
    },
  ),
]

/** Runs one strategy check (by object or name) against a fresh strategy from `factory`. */
export async function runStrategyCheck(
  check: StrategyCheck | string,
  factory: () => EvictionStrategy,
  options: StrategySuiteOptions = {},
): Promise<void> {
  await findCheck(strategyChecks, check, 'strategy').run({ strategy: factory(), options })
}
