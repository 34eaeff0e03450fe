import { describe, expect, it } from '@jest/globals'
import type { EvictionReason } from '@tierstack/core'
import { isCacheError } from '@tierstack/core'
import { lru } from '../src/index.js'

function recorder() {
  const evicted: [string, unknown, EvictionReason][] = []
  return { evicted, onEvict: (k: string, v: unknown, r: EvictionReason) => evicted.push([k, v, r]) }
}

describe('lru()', () => {
  it('create() names the strategy lru', () => {
    expect(lru().name).toBe('lru')
  })

  it('create() rejects invalid options with E_INVALID_OPTION naming the option', () => {
    const cases: [object, string][] = [
      [{}, 'maxEntries'],
      [{ maxEntries: 0 }, 'maxEntries'],
      [{ maxEntries: 1.5 }, 'maxEntries'],
      [{ maxBytes: -1, sizeOf: () => 1 }, 'maxBytes'],
      [{ maxBytes: 100, sizeOf: 5 }, 'sizeOf'],
      [{ maxEntries: 1, onEvict: 3 }, 'onEvict'],
      [{ maxEntries: 1, now: 'x' }, 'now'],
    ]
    for (const [options, name] of cases) {
      let error: unknown
      try {
        lru().create(options)
      } catch (e) {
        error = e
      }
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(name)
    }
    expect(() => lru({ ttlResolution: -1 })).toThrow(/ttlResolution/)
  })

  it('get() refreshes recency so the least recently used entry is evicted', () => {
    const { evicted, onEvict } = recorder()
    const s = lru().create<number>({ maxEntries: 3, onEvict })
    s.set('a', 1)
    s.set('b', 2)
    s.set('c', 3)
    expect(s.get('a')).toBe(1)
    s.set('d', 4)
    expect(evicted).toEqual([['b', 2, 'capacity']])
    expect([...s.keys()].sort()).toEqual(['a', 'c', 'd'])
    expect(s.size).toBe(3)
  })

  it('peek() does not refresh recency', () => {
    const s = lru().create<number>({ maxEntries: 2 })
    s.set('a', 1)
    s.set('b', 2)
    expect(s.peek('a')).toBe(1)
    s.set('c', 3)
    expect(s.has('a')).toBe(false)
    expect(s.has('b')).toBe(true)
  })

  it('set() keeps bytes within maxBytes and evicts in LRU order', () => {
    const { evicted, onEvict } = recorder()
    const s = lru().create<string>({ maxBytes: 10, sizeOf: (v) => v.length, onEvict })
    s.set('a', 'xxxx')
    s.set('b', 'xxxx')
    expect(s.bytes).toBe(8)
    s.set('c', 'xxx')
    expect(s.bytes).toBeLessThanOrEqual(10)
    expect(s.bytes).toBe(7)
    expect(evicted.map((e) => e[0])).toEqual(['a'])
    s.set('b', 'xxxxxxxxxx')
    expect(s.bytes).toBe(10)
    expect([...s.keys()]).toEqual(['b'])
  })

  it('set() returns false for an entry larger than maxBytes and evicts nothing else', () => {
    const { evicted, onEvict } = recorder()
    const s = lru().create<string>({ maxBytes: 10, sizeOf: (v) => v.length, onEvict })
    s.set('a', 'xxxx')
    s.set('b', 'xxxx')
    expect(s.set('big', 'x'.repeat(11))).toBe(false)
    expect(s.has('big')).toBe(false)
    expect(s.size).toBe(2)
    expect(evicted).toEqual([])
    // The superseded value of the same key is dropped, reported as deleted.
    expect(s.set('a', 'x'.repeat(11))).toBe(false)
    expect(s.has('a')).toBe(false)
    expect(evicted).toEqual([['a', 'xxxx', 'deleted']])
  })

  it('get() treats an entry as absent from expiresAt on, on the injected clock', () => {
    let now = 1_000
    const { evicted, onEvict } = recorder()
    const s = lru().create<number>({ maxEntries: 10, now: () => now, onEvict })
    expect(s.set('a', 1, 1_100)).toBe(true)
    s.set('b', 2)
    now = 1_099
    expect(s.get('a')).toBe(1)
    now = 1_100
    expect(s.peek('a')).toBeUndefined()
    expect(s.has('a')).toBe(false)
    expect([...s.keys()]).toEqual(['b'])
    expect(s.get('a')).toBeUndefined()
    expect(evicted).toEqual([['a', 1, 'expired']])
    expect(s.size).toBe(1)
  })

  it('expiresAt() is exact on the default clock, while lru-cache reuses one clock reading', () => {
    const s = lru().create<number>({ maxEntries: 10 })
    const expiresAt = Date.now() + 60_000
    s.set('a', 1, expiresAt)
    expect(s.expiresAt!('a')).toBe(expiresAt)
    // Synchronous code: lru-cache's reading is not refreshed (its timer cannot run), the clock moves on.
    const until = Date.now() + 3
    while (Date.now() < until) {}
    expect(s.expiresAt!('a')).toBe(expiresAt)
    s.set('b', 2, Date.now() + 1_000.25)
    expect(s.expiresAt!('b')! % 1).toBe(0.25)
  })

  it('expiresAt() does not refresh recency', () => {
    const { evicted, onEvict } = recorder()
    const s = lru().create<number>({ maxEntries: 3, onEvict })
    s.set('a', 1, Date.now() + 60_000)
    s.set('b', 2)
    s.set('c', 3)
    expect(s.expiresAt!('a')).toBeGreaterThan(Date.now())
    s.set('d', 4)
    expect(evicted.map((e) => e[0])).toEqual(['a'])
  })

  it('set() without expiresAt clears a previous expiry', () => {
    let now = 0
    const s = lru().create<number>({ maxEntries: 10, now: () => now })
    s.set('a', 1, 10)
    s.set('a', 2)
    now = 100
    expect(s.get('a')).toBe(2)
  })

  it('set() returns false for an already expired entry', () => {
    const s = lru().create<number>({ maxEntries: 10, now: () => 50 })
    s.set('a', 1)
    expect(s.set('a', 2, 50)).toBe(false)
    expect(s.has('a')).toBe(false)
  })

  it('delete() reports deleted; clear() and overwrites report nothing', () => {
    const { evicted, onEvict } = recorder()
    const s = lru().create<number>({ maxEntries: 10, onEvict })
    s.set('a', 1)
    s.set('a', 2)
    s.set('b', 3)
    expect(s.delete('a')).toBe(true)
    expect(s.delete('a')).toBe(false)
    expect(evicted).toEqual([['a', 2, 'deleted']])
    s.set('c', 4)
    s.clear()
    expect(s.size).toBe(0)
    expect(s.bytes).toBe(0)
    expect(evicted).toHaveLength(1)
  })

  it('set() rejects undefined values with E_INVALID_VALUE', () => {
    const s = lru().create<unknown>({ maxEntries: 1 })
    expect(() => s.set('a', undefined)).toThrow(expect.objectContaining({ code: 'E_INVALID_VALUE' }))
  })

  it('onEvict() may call back into the store', () => {
    const s = lru().create<number>({
      maxEntries: 2,
      onEvict: (k) => {
        if (k === 'a') s.set('a-gone', 0)
      },
    })
    s.set('a', 1)
    s.set('b', 2)
    s.set('c', 3)
    expect(s.size).toBe(2)
    expect(s.has('a-gone')).toBe(true)
    expect(s.has('c')).toBe(true)
  })
})
