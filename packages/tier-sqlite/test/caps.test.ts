import { describe, expect, it } from '@jest/globals'
import Database from 'better-sqlite3'
import { entry, manualClock, payloadOf, sqliteTestBed } from './helpers.js'

const { scope, make } = sqliteTestBed()

/** What the file really holds, read through a second connection (not the tier's own counters). */
function measure(path: string): { rows: number; bytes: number } {
  const db = new Database(path, { readonly: true })
  try {
    return db
      .prepare(
        'SELECT count(*) AS rows, coalesce(sum(length(value) + length(CAST(key AS BLOB))), 0) AS bytes FROM tierstack_cache',
      )
      .get() as { rows: number; bytes: number }
  } finally {
    db.close()
  }
}

/** Keys in the file, read through a second connection (which records no access). */
function present(path: string): string[] {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare('SELECT key FROM tierstack_cache ORDER BY key').pluck().all() as string[]
  } finally {
    db.close()
  }
}

/** A deterministic pseudo-random sequence. */
function rng(seed: number): () => number {
  let x = seed
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31
    return x / 2 ** 31
  }
}

type Item = [string, ReturnType<typeof entry>]

describe('sqliteTier caps', () => {
  it('setMany() never leaves more than maxEntries rows, under a random load', async () => {
    const path = scope.path('entries.db')
    const tier = make({ path, maxEntries: 200 })
    const random = rng(7)
    for (let round = 0; round < 60; round++) {
      const batch: Item[] = []
      const n = 1 + Math.floor(random() * 120)
      for (let i = 0; i < n; i++)
        batch.push([`k:${Math.floor(random() * 1_000)}`, entry('v'.repeat(Math.floor(random() * 50)))])
      await tier.setMany(batch)
      if (round % 3 === 0) await tier.getMany(batch.slice(0, 10).map(([k]) => k))
      const real = measure(path)
      expect(real.rows).toBeLessThanOrEqual(200)
      expect(tier.stats()).toMatchObject({ entries: real.rows, bytes: real.bytes })
    }
    expect(tier.stats().evictions).toBeGreaterThan(0)
  })

  it('setMany() never leaves more than maxBytes (envelope + UTF-8 key bytes), under a random load', async () => {
    const path = scope.path('bytes.db')
    const tier = make({ path, maxBytes: '20kb' })
    const random = rng(11)
    for (let round = 0; round < 60; round++) {
      const batch: Item[] = []
      const n = 1 + Math.floor(random() * 40)
      for (let i = 0; i < n; i++) {
        batch.push([`k:ключ:${Math.floor(random() * 500)}`, entry('x'.repeat(Math.floor(random() * 900)))])
      }
      await tier.setMany(batch)
      const real = measure(path)
      expect(real.bytes).toBeLessThanOrEqual(20 * 1024)
      expect(tier.stats().bytes).toBe(real.bytes)
    }
  })

  it('a single setMany() larger than maxEntries keeps the cap', async () => {
    const path = scope.path('big-batch.db')
    const tier = make({ path, maxEntries: 10 })
    await tier.setMany(Array.from({ length: 50 }, (_, i) => [`k${i}`, entry(String(i))] as Item))
    expect(measure(path).rows).toBe(10)
  })

  it('set() evicts the least recently accessed entry first (reads count as accesses)', async () => {
    const path = scope.path('lru.db')
    const clock = manualClock()
    const tier = make({ path, maxEntries: 3, now: clock.now })
    for (const k of ['a', 'b', 'c']) {
      await tier.set(k, entry(k, { now: clock.now() }))
      clock.advance(10)
    }
    expect(payloadOf(await tier.get('a'))).toBe('a') // a is now the most recently used
    clock.advance(10)
    await tier.set('d', entry('d', { now: clock.now() }))
    expect(present(path)).toEqual(['a', 'c', 'd'])
    clock.advance(10)
    await tier.get('c')
    clock.advance(10)
    await tier.set('e', entry('e', { now: clock.now() }))
    expect(present(path)).toEqual(['c', 'd', 'e'])
  })

  it('set() evicts expired rows before live ones', async () => {
    const clock = manualClock()
    const tier = make({ maxEntries: 3, now: clock.now, pruneInterval: 0 })
    await tier.set('old-but-live', entry('1', { now: clock.now() }))
    clock.advance(10)
    await tier.set('recent-but-expiring', entry('2', { now: clock.now(), ttl: 15 }))
    clock.advance(10)
    await tier.set('c', entry('3', { now: clock.now() }))
    clock.advance(10) // recent-but-expiring is now expired
    await tier.set('d', entry('4', { now: clock.now() }))
    expect((await tier.getMany(['old-but-live', 'c', 'd'])).map(payloadOf)).toEqual(['1', '3', '4'])
    expect(tier.stats()).toMatchObject({ entries: 3, evictions: 0, expirations: 1 })
  })

  it('access times are flushed in the background, so another process sees the recency', async () => {
    const path = scope.path('touch.db')
    const clock = manualClock()
    const reader = make({ path, maxEntries: 100, now: clock.now, pruneInterval: 0 }) // the flush runs even without prune
    await reader.setMany([
      ['a', entry('a', { now: clock.now() })],
      ['b', entry('b', { now: clock.now() })],
    ])
    clock.advance(1_000)
    await reader.get('a')
    const accessed = () => {
      const db = new Database(path, { readonly: true })
      try {
        return db.prepare("SELECT accessed_at FROM tierstack_cache WHERE key = 'a'").pluck().get()
      } finally {
        db.close()
      }
    }
    expect(accessed()).toBe(clock.now() - 1_000)
    const deadline = Date.now() + 5_000
    while (accessed() !== clock.now() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(accessed()).toBe(clock.now())
  })

  it('set() rejects an entry over maxEntryBytes (default maxBytes) with E_VALUE_TOO_LARGE', async () => {
    const tier = make({ maxBytes: 1_000 })
    await expect(tier.set('k', entry('x'.repeat(1_000)))).rejects.toMatchObject({ code: 'E_VALUE_TOO_LARGE' })
    await tier.set('k', entry('x'.repeat(100)))
    expect(tier.stats().entries).toBe(1)
  })
})
