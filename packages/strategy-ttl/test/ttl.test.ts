import { describe, expect, it } from '@jest/globals'
import type { BoundedStoreOptions, EvictionReason } from '@tierstack/core'
import { isCacheError } from '@tierstack/core'
import { ttl } from '../src/index.js'
import { TtlStore } from '../src/ttl-store.js'

type Item = { v: number; size: number }

function recorder() {
  const evicted: [string, unknown, EvictionReason][] = []
  return { evicted, onEvict: (k: string, v: unknown, r: EvictionReason) => evicted.push([k, v, r]) }
}

function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The specification, the slow way: a map scanned for the smallest (expiresAt, write sequence). */
class ReferenceTtl {
  readonly entries = new Map<string, { value: number; exp: number; seq: number; size: number }>()
  seq = 0
  bytes = 0
  readonly evicted: [string, EvictionReason][] = []
  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    readonly now: () => number,
  ) {}
  get(key: string): number | undefined {
    const e = this.entries.get(key)
    if (e === undefined) return undefined
    if (e.exp <= this.now()) {
      this.remove(key, 'expired')
      return undefined
    }
    return e.value
  }
  remove(key: string, reason: EvictionReason): void {
    this.bytes -= this.entries.get(key)!.size
    this.entries.delete(key)
    this.evicted.push([key, reason])
  }
  min(): string | undefined {
    let best: string | undefined
    for (const [k, e] of this.entries) {
      const b = best === undefined ? undefined : this.entries.get(best)!
      if (b === undefined || e.exp < b.exp || (e.exp === b.exp && e.seq < b.seq)) best = k
    }
    return best
  }
  set(key: string, value: number, size: number, exp: number): boolean {
    const old = this.entries.get(key)
    if (size > this.maxBytes || !(exp > this.now())) {
      if (old) this.remove(key, 'deleted')
      return false
    }
    if (old) {
      this.bytes -= old.size
      this.entries.delete(key)
    }
    for (let m = this.min(); m !== undefined && this.entries.get(m)!.exp <= this.now(); m = this.min()) {
      this.remove(m, 'expired')
    }
    while (this.entries.size >= this.maxEntries || this.bytes + size > this.maxBytes)
      this.remove(this.min()!, 'capacity')
    this.entries.set(key, { value, exp, seq: ++this.seq, size })
    this.bytes += size
    return true
  }
}

describe('ttl()', () => {
  it('create() names the strategy ttl', () => {
    expect(ttl().name).toBe('ttl')
  })

  it('create() rejects invalid options with E_INVALID_OPTION naming the option', () => {
    for (const [options, option] of [
      [{}, 'maxEntries'],
      [{ maxEntries: Number.NaN }, 'maxEntries'],
      [{ maxBytes: 0, sizeOf: () => 1 }, 'maxBytes'],
      [{ maxBytes: 10, sizeOf: 5 }, 'sizeOf'],
      [{ maxEntries: 1, onEvict: 'x' }, 'onEvict'],
    ] as [object, string][]) {
      let error: unknown
      try {
        ttl().create(options)
      } catch (e) {
        error = e
      }
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(option)
    }
  })

  it('set() evicts the entry nearest to expiry, entries without expiry last, ties by insertion order', () => {
    const { evicted, onEvict } = recorder()
    const s = ttl().create<number>({ maxEntries: 4, now: () => 0, onEvict })
    s.set('none1', 1)
    s.set('late', 2, 500)
    s.set('soon', 3, 100)
    s.set('none2', 4)
    s.get('soon') // reads change nothing
    s.set('x', 5, 300)
    s.set('y', 6, 300)
    s.set('z', 7)
    s.set('w', 8)
    expect(evicted.map((e) => e[0])).toEqual(['soon', 'x', 'y', 'late'])
    expect(evicted.every((e) => e[2] === 'capacity')).toBe(true)
    s.set('v', 9)
    expect(evicted.map((e) => e[0]).at(-1)).toBe('none1')
  })

  it('set() on an existing key re-sorts it by its new expiry', () => {
    const { evicted, onEvict } = recorder()
    const s = ttl().create<number>({ maxEntries: 2, now: () => 0, onEvict })
    s.set('a', 1, 100)
    s.set('b', 2, 200)
    s.set('a', 3, 300)
    s.set('c', 4, 400)
    expect(evicted).toEqual([['b', 2, 'capacity']])
  })

  it('set() reclaims expired entries from the heap top without waiting for capacity pressure', () => {
    let now = 0
    const { evicted, onEvict } = recorder()
    const s = ttl().create<number>({ maxEntries: 100, now: () => now, onEvict })
    for (let i = 0; i < 10; i++) s.set(`k${i}`, i, 10 + i)
    s.set('forever', 0)
    now = 15
    s.set('new', 1)
    expect(evicted.map((e) => e[0])).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5'])
    expect(evicted.every((e) => e[2] === 'expired')).toBe(true)
    expect(s.size).toBe(6)
  })

  it('get() hides an entry from expiresAt on and reclaims it', () => {
    let now = 0
    const { evicted, onEvict } = recorder()
    const s = ttl().create<number>({ maxEntries: 10, now: () => now, onEvict })
    s.set('a', 1, 50)
    now = 49
    expect(s.peek('a')).toBe(1)
    now = 50
    expect([...s.keys()]).toEqual([])
    expect(s.has('a')).toBe(false)
    expect(evicted).toEqual([['a', 1, 'expired']])
    expect(s.set('b', 1, 50)).toBe(false)
  })

  it('set() keeps bytes within maxBytes; an oversized entry is refused and evicts nothing else', () => {
    const { evicted, onEvict } = recorder()
    const s = ttl().create<string>({ maxBytes: 10, sizeOf: (v) => v.length, onEvict, now: () => 0 })
    s.set('a', 'xxxx', 10)
    s.set('b', 'xxxx', 20)
    expect(s.set('c', 'x'.repeat(11))).toBe(false)
    expect(evicted).toEqual([])
    s.set('c', 'xxxx')
    expect(s.bytes).toBe(8)
    expect(evicted).toEqual([['a', 'xxxx', 'capacity']])
    s.set('c', 'x'.repeat(10))
    expect(s.bytes).toBe(10)
    expect([...s.keys()]).toEqual(['c'])
  })

  it('delete() reports deleted; clear() and overwrites report nothing', () => {
    const { evicted, onEvict } = recorder()
    const s = ttl().create<number>({ maxEntries: 10, onEvict })
    s.set('a', 1)
    s.set('a', 2)
    expect(s.delete('a')).toBe(true)
    expect(s.delete('a')).toBe(false)
    s.set('b', 1)
    s.clear()
    expect(s.size).toBe(0)
    expect(evicted).toEqual([['a', 2, 'deleted']])
    s.set('c', 3)
    expect(s.get('c')).toBe(3)
  })

  it('onEvict() may call back into the store', () => {
    const s = ttl().create<number>({
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

  // The second store renumbers its write sequences every few dozen writes instead of every 2^32.
  it.each([
    ['ttl().create()', (o: BoundedStoreOptions<Item>) => ttl().create(o)],
    ['a store that renumbers often', (o: BoundedStoreOptions<Item>) => new TtlStore(o, 50)],
  ])('set() and get() match the reference model on random operations: %s', (_name, create) => {
    const random = prng(7)
    let now = 1_000
    const clock = () => now
    const reasons: [string, EvictionReason][] = []
    const s = create({
      maxEntries: 40,
      maxBytes: 300,
      sizeOf: (v) => v.size,
      now: clock,
      onEvict: (k, _v, r) => reasons.push([k, r]),
    })
    const ref = new ReferenceTtl(40, 300, clock)
    for (let i = 0; i < 8_000; i++) {
      const key = `k${Math.floor(random() * 120)}`
      const r = random()
      if (random() < 0.2) now += Math.floor(random() * 10)
      if (r < 0.45) {
        expect(s.get(key)?.v).toBe(ref.get(key))
      } else if (r < 0.93) {
        const size = Math.floor(random() * 30)
        const exp = random() < 0.3 ? Number.POSITIVE_INFINITY : now + Math.floor(random() * 100) - 5
        expect(s.set(key, { v: i, size }, exp === Number.POSITIVE_INFINITY ? undefined : exp)).toBe(
          ref.set(key, i, size, exp),
        )
      } else {
        const had = ref.entries.has(key)
        if (had) ref.remove(key, 'deleted')
        expect(s.delete(key)).toBe(had)
      }
      expect(s.size).toBe(ref.entries.size)
      expect(s.bytes).toBe(ref.bytes)
    }
    expect(reasons).toEqual(ref.evicted)
    expect(reasons.length).toBeGreaterThan(1_000)
  })

  it('set() keeps write order among equal expiries across renumberings of the write sequence', () => {
    const random = prng(3)
    const { evicted, onEvict } = recorder()
    const s = new TtlStore<number>({ maxEntries: 12, onEvict }, 16)
    // Without expiries the order is FIFO by last write: a Map (delete + set moves a key to the end) models it.
    const model = new Map<string, number>()
    const expected: string[] = []
    for (let i = 0; i < 2_000; i++) {
      const key = `k${Math.floor(random() * 30)}`
      model.delete(key)
      if (model.size >= 12) {
        const oldest = model.keys().next().value as string
        model.delete(oldest)
        expected.push(oldest)
      }
      model.set(key, i)
      s.set(key, i)
    }
    expect(evicted.map(([k]) => k)).toEqual(expected)
    expect(expected.length).toBeGreaterThan(1_000)
  })

  it('expiresAt() leaves the eviction order as it was', () => {
    const run = (probe: boolean) => {
      const { evicted, onEvict } = recorder()
      const s = ttl().create<number>({ maxEntries: 8, now: () => 0, onEvict })
      for (let i = 0; i < 40; i++) {
        s.set(`k${(i * 7) % 13}`, i, i % 3 === 0 ? undefined : 1_000 + ((i * 31) % 17))
        if (probe) for (let k = 0; k < 13; k++) s.expiresAt!(`k${k}`)
      }
      return evicted
    }
    expect(run(true)).toEqual(run(false))
  })

  it('set() grows past its initial arrays up to maxEntries', () => {
    const s = ttl().create<number>({ maxEntries: 1_000 })
    for (let i = 0; i < 3_000; i++) s.set(`k${i}`, i)
    expect(s.size).toBe(1_000)
    expect(s.get('k2999')).toBe(2999)
    expect(s.get('k1999')).toBeUndefined()
    expect(new Set(s.keys()).size).toBe(1_000)
  })
})
