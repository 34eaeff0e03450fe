import { describe, expect, it } from '@jest/globals'
import type { BoundedStore, EvictionReason, EvictionStrategy } from '@tierstack/core'
import { isCacheError } from '@tierstack/core'
import { fifo, s3fifo, sieve } from '../src/index.js'

function recorder() {
  const evicted: [string, unknown, EvictionReason][] = []
  return { evicted, onEvict: (k: string, v: unknown, r: EvictionReason) => evicted.push([k, v, r]) }
}

/** Deterministic PRNG (mulberry32) so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const strategies: [string, () => EvictionStrategy][] = [
  ['fifo', fifo],
  ['sieve', sieve],
  ['s3fifo', () => s3fifo()],
]

describe.each(strategies)('%s', (name, factory) => {
  it('create() reports the strategy name', () => {
    expect(factory().name).toBe(name)
  })

  it('create() rejects invalid options with E_INVALID_OPTION naming the option', () => {
    for (const [options, option] of [
      [{}, 'maxEntries'],
      [{ maxEntries: -3 }, 'maxEntries'],
      [{ maxBytes: Number.NaN, sizeOf: () => 1 }, 'maxBytes'],
      [{ maxBytes: 10, sizeOf: 5 }, 'sizeOf'],
      [{ maxEntries: 1, now: 1 }, 'now'],
    ] as [object, string][]) {
      let error: unknown
      try {
        factory().create(options)
      } catch (e) {
        error = e
      }
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(option)
    }
  })

  it('set() never leaves more than maxEntries / maxBytes and keeps the bookkeeping consistent (random ops)', () => {
    const random = prng(42)
    let now = 1_000
    const evicted = new Map<string, number>()
    const s: BoundedStore<{ v: number; size: number }> = factory().create({
      maxEntries: 50,
      maxBytes: 400,
      sizeOf: (v) => v.size,
      now: () => now,
      onEvict: (k) => evicted.set(k, (evicted.get(k) ?? 0) + 1),
    })
    const last = new Map<string, number>()
    for (let i = 0; i < 10_000; i++) {
      const key = `k${Math.floor(random() ** 2 * 200)}`
      const r = random()
      now += random() < 0.1 ? 5 : 0
      if (r < 0.5) {
        const got = s.get(key)
        if (got !== undefined) expect(got.v).toBe(last.get(key))
      } else if (r < 0.9) {
        const size = Math.floor(random() * 40)
        const expiresAt = random() < 0.3 ? now + Math.floor(random() * 50) + 1 : undefined
        expect(s.set(key, { v: i, size }, expiresAt)).toBe(true)
        last.set(key, i)
        expect(s.peek(key)?.v).toBe(i)
      } else if (r < 0.97) {
        s.delete(key)
        expect(s.has(key)).toBe(false)
      } else {
        expect(s.set(key, { v: i, size: 401 })).toBe(false)
        expect(s.has(key)).toBe(false)
      }
      expect(s.size).toBeLessThanOrEqual(50)
      expect(s.bytes).toBeLessThanOrEqual(400)
    }
    for (const k of last.keys()) s.get(k) // reclaims the expired entries
    const keys = [...s.keys()]
    expect(new Set(keys).size).toBe(keys.length)
    let bytes = 0
    for (const k of keys) bytes += s.peek(k)!.size
    expect(s.bytes).toBe(bytes)
    expect(s.size).toBe(keys.length)
    expect(evicted.size).toBeGreaterThan(0)
  })

  it('set() of a value larger than maxBytes returns false and evicts nothing else', () => {
    const { evicted, onEvict } = recorder()
    const s = factory().create<string>({ maxBytes: 10, sizeOf: (v) => v.length, onEvict })
    s.set('a', 'xxxx')
    s.set('b', 'xxxx')
    expect(s.set('c', 'x'.repeat(11))).toBe(false)
    expect([...s.keys()].sort()).toEqual(['a', 'b'])
    expect(evicted).toEqual([])
    expect(s.set('a', 'x'.repeat(11))).toBe(false)
    expect(evicted).toEqual([['a', 'xxxx', 'deleted']])
  })

  it('set() growing an existing entry evicts others, never the entry itself', () => {
    const { evicted, onEvict } = recorder()
    const s = factory().create<string>({ maxBytes: 10, sizeOf: (v) => v.length, onEvict })
    s.set('a', 'xxx')
    s.set('b', 'xxx')
    s.set('c', 'xxx')
    s.set('a', 'xxxxxxxxx')
    expect(s.peek('a')).toBe('xxxxxxxxx')
    expect(s.bytes).toBeLessThanOrEqual(10)
    expect(evicted.map((e) => e[0]).sort()).toEqual(['b', 'c'])
    expect(evicted.every((e) => e[2] === 'capacity')).toBe(true)
  })

  it('get() hides an entry from expiresAt on and reports it expired', () => {
    let now = 100
    const { evicted, onEvict } = recorder()
    const s = factory().create<number>({ maxEntries: 5, now: () => now, onEvict })
    expect(s.set('a', 1, 200)).toBe(true)
    expect(s.set('gone', 1, 100)).toBe(false)
    s.set('b', 2)
    now = 199
    expect(s.get('a')).toBe(1)
    now = 200
    expect([...s.keys()]).toEqual(['b'])
    expect(s.has('a')).toBe(false)
    expect(s.get('a')).toBeUndefined()
    expect(evicted).toEqual([['a', 1, 'expired']])
  })

  it('set() reports an expired victim as expired, not as capacity', () => {
    let now = 0
    const { evicted, onEvict } = recorder()
    const s = factory().create<number>({ maxEntries: 2, now: () => now, onEvict })
    s.set('a', 1, 10)
    s.set('b', 2, 10)
    now = 20
    s.set('c', 3)
    expect(evicted).toHaveLength(1)
    expect(evicted[0]![2]).toBe('expired')
  })

  it('delete() reports deleted; clear() and overwrites report nothing', () => {
    const { evicted, onEvict } = recorder()
    const s = factory().create<number>({ maxEntries: 10, onEvict })
    s.set('a', 1)
    s.set('a', 2)
    expect(s.delete('a')).toBe(true)
    expect(s.delete('a')).toBe(false)
    s.set('b', 1)
    s.clear()
    expect(s.size).toBe(0)
    expect([...s.keys()]).toEqual([])
    expect(evicted).toEqual([['a', 2, 'deleted']])
    s.set('c', 3)
    expect(s.get('c')).toBe(3)
  })

  it('onEvict() may call back into the store', () => {
    const s = factory().create<number>({
      maxEntries: 2,
      onEvict: (k) => {
        if (k === 'a') s.set('a-again', 0)
      },
    })
    s.set('a', 1)
    s.set('b', 2)
    s.set('c', 3)
    expect(s.size).toBe(2)
    expect(s.has('a-again')).toBe(true)
  })

  it('set() grows past its initial arrays up to maxEntries', () => {
    const s = factory().create<number>({ maxEntries: 5_000 })
    for (let i = 0; i < 10_000; i++) s.set(`k${i}`, i)
    expect(s.size).toBe(5_000)
    const s2 = factory().create<number>({ maxBytes: 3_000, sizeOf: () => 1 })
    for (let i = 0; i < 10_000; i++) s2.set(`k${i}`, i)
    expect(s2.size).toBe(3_000)
    expect(s2.bytes).toBe(3_000)
  })
})

describe.each(strategies)('%s expiresAt()', (_name, factory) => {
  it('is not an access: the eviction order stays as it was', () => {
    const run = (probe: boolean) => {
      const random = prng(5)
      const { evicted, onEvict } = recorder()
      const s = factory().create<number>({ maxEntries: 20, now: () => 0, onEvict })
      for (let i = 0; i < 2_000; i++) {
        const key = `k${Math.floor(random() * 60)}`
        if (s.get(key) === undefined) s.set(key, i, random() < 0.5 ? undefined : 1e12)
        if (probe) for (let k = 0; k < 60; k++) s.expiresAt!(`k${k}`)
      }
      return evicted
    }
    const probed = run(true)
    expect(probed).toEqual(run(false))
    expect(probed.length).toBeGreaterThan(500)
  })
})

describe('fifo()', () => {
  it('set() evicts in insertion order whatever was read', () => {
    const { evicted, onEvict } = recorder()
    const s = fifo().create<number>({ maxEntries: 3, onEvict })
    s.set('a', 1)
    s.set('b', 2)
    s.set('c', 3)
    s.get('a')
    s.get('a')
    s.set('d', 4)
    s.set('e', 5)
    expect(evicted.map((e) => e[0])).toEqual(['a', 'b'])
  })
})

describe('sieve()', () => {
  it('set() spares a visited entry once and evicts the first unvisited one', () => {
    const { evicted, onEvict } = recorder()
    const s = sieve().create<number>({ maxEntries: 3, onEvict })
    s.set('a', 1)
    s.set('b', 2)
    s.set('c', 3)
    s.get('a')
    s.set('d', 4) // hand: a visited → cleared, b evicted
    expect(evicted.map((e) => e[0])).toEqual(['b'])
    s.set('e', 5) // hand continues at c: unvisited → evicted
    expect(evicted.map((e) => e[0])).toEqual(['b', 'c'])
    s.set('f', 6) // hand at d (unvisited) → evicted; a survives with its bit cleared
    expect(evicted.map((e) => e[0])).toEqual(['b', 'c', 'd'])
    expect(s.has('a')).toBe(true)
  })

  it('expiresAt() does not set the visited bit', () => {
    const { evicted, onEvict } = recorder()
    const s = sieve().create<number>({ maxEntries: 3, onEvict })
    s.set('a', 1, 1e15)
    s.set('b', 2)
    s.set('c', 3)
    expect(s.expiresAt!('a')).toBe(1e15)
    s.set('d', 4) // a was not visited: it is the first victim
    expect(evicted.map((e) => e[0])).toEqual(['a'])
  })
})

describe('s3fifo()', () => {
  it('s3fifo() rejects a smallRatio outside (0, 1)', () => {
    expect(() => s3fifo({ smallRatio: 1 })).toThrow(/smallRatio/)
    expect(() => s3fifo({ smallRatio: 0 })).toThrow(/smallRatio/)
  })

  it('set() keeps a hot set through a one-time scan', () => {
    const s = s3fifo().create<number>({ maxEntries: 100 })
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) {
        if (s.get(`hot${i}`) === undefined) s.set(`hot${i}`, i)
      }
    }
    for (let i = 0; i < 1_000; i++) s.set(`scan${i}`, i)
    let kept = 0
    for (let i = 0; i < 50; i++) if (s.has(`hot${i}`)) kept++
    expect(kept).toBe(50)
  })

  it('set() sends a key that comes back soon after eviction (a ghost) to the main queue', () => {
    const s = s3fifo().create<number>({ maxEntries: 10 })
    s.set('ghost', 0)
    for (let i = 0; i < 10; i++) s.set(`k${i}`, i) // 'ghost' leaves probation unvisited
    expect(s.has('ghost')).toBe(false)
    s.set('ghost', 1) // remembered: admitted to main
    for (let i = 10; i < 19; i++) s.set(`k${i}`, i) // new keys churn through probation
    expect(s.has('ghost')).toBe(true)
  })
})
