import { describe, expect, it } from '@jest/globals'
import { CacheError } from '@tierstack/core'
import Database from 'better-sqlite3'
import { SqliteTier, sqliteTier } from '../src/index.js'
import { entry, manualClock, payloadOf, sqliteTestBed } from './helpers.js'

const { scope, make } = sqliteTestBed()

/** Keys a SQL-minded implementation would get wrong. */
const NASTY = [
  'ns:%',
  'ns:_',
  'ns:a%b',
  'ns:a_b',
  "ns:it's",
  'ns:"quoted"',
  'ns:back\\slash',
  'ns:\\%',
  'ns:*?[glob]',
  "ns:'; DROP TABLE tierstack_cache; --",
  'ns:\u0000nul',
  'ns:ключ',
  'ns:😀',
  'ns:\uFFFF',
  'ns:\u{10FFFF}',
]

describe('sqliteTier', () => {
  it('sqliteTier() reports kind, name and capabilities', () => {
    const tier = make()
    expect(tier).toBeInstanceOf(SqliteTier)
    expect(tier.kind).toBe('remote')
    expect(tier.name).toBe('sqlite')
    expect(tier.capabilities).toEqual({
      ttlPrecisionMs: 1,
      tags: true,
      batch: true,
      persistent: true,
      shared: true,
    })
    expect(make({ name: 'disk', table: 'other' }).name).toBe('disk')
  })

  it('get() returns undefined for a missing key', async () => {
    await expect(make().get('ns:nope')).resolves.toBeUndefined()
  })

  it('get() returns the bytes, times and tags set() stored', async () => {
    const tier = make()
    const e = entry('hello', { ttl: 60_000, grace: 1_000, tags: ['a', 'b'] })
    await tier.set('ns:k', e)
    const got = await tier.get('ns:k')
    expect(got).toBeDefined()
    expect(Buffer.from(got!.value as Uint8Array).equals(Buffer.from(e.value))).toBe(true)
    expect(got).toMatchObject({
      createdAt: e.createdAt,
      expiresAt: e.expiresAt,
      staleUntil: e.staleUntil,
      tags: ['a', 'b'],
    })
    const forever = entry('forever')
    await tier.set('ns:f', forever)
    expect(await tier.get('ns:f')).toMatchObject({ expiresAt: Infinity, staleUntil: Infinity, tags: [] })
  })

  it('getMany() answers in key order with undefined for misses and repeated keys', async () => {
    const tier = make()
    await tier.setMany([
      ['ns:a', entry('A')],
      ['ns:b', entry('B')],
    ])
    const got = await tier.getMany(['ns:b', 'ns:x', 'ns:a', 'ns:b'])
    expect(got.map(payloadOf)).toEqual(['B', undefined, 'A', 'B'])
    expect(await tier.getMany([])).toEqual([])
  })

  it('setMany() is atomic: a batch with an invalid item writes nothing', async () => {
    const tier = make({ maxEntryBytes: 1_000 })
    await tier.set('ns:a', entry('old'))
    const bad = [
      ['ns:a', entry('new')],
      ['ns:b', entry('x'.repeat(2_000))],
    ] as [string, ReturnType<typeof entry>][]
    await expect(tier.setMany(bad)).rejects.toMatchObject({ code: 'E_VALUE_TOO_LARGE' })
    await expect(
      tier.setMany([['ns:c', { ...entry('c'), value: 'not bytes' as never }]]),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    })
    await expect(tier.setMany([[42 as never, entry('c')]])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    expect(payloadOf(await tier.get('ns:a'))).toBe('old')
    expect(await tier.get('ns:b')).toBeUndefined()
    expect(tier.stats().entries).toBe(1)
  })

  it('setMany() keeps the last of repeated keys', async () => {
    const tier = make()
    await tier.setMany([
      ['ns:k', entry('1', { tags: ['one'] })],
      ['ns:k', entry('2', { tags: ['two'] })],
    ])
    expect(payloadOf(await tier.get('ns:k'))).toBe('2')
    expect(await tier.deleteByTag(['one'], '')).toBe(0)
    expect(await tier.deleteByTag(['two'], '')).toBe(1)
  })

  it('set() calls issued in one tick keep their order against reads and other writes', async () => {
    const tier = make()
    void tier.set('ns:k', entry('v1'))
    void tier.set('ns:k', entry('v2'))
    expect(payloadOf(await tier.get('ns:k'))).toBe('v2')
    const set = tier.set('ns:k', entry('v3'))
    const deleted = tier.delete(['ns:k'])
    await set
    expect(await deleted).toBe(1)
    expect(await tier.get('ns:k')).toBeUndefined()
    void tier.set('ns:a', entry('a'))
    await tier.clear('ns:')
    expect(await tier.get('ns:a')).toBeUndefined()
  })

  it('set() calls issued in one tick share one commit (group commit)', async () => {
    const tier = make({ path: scope.path('group.db') })
    const wal = async () => (await tier.health()).detail!.walBytes as number
    await tier.set('warm', entry('up'))
    const start = await wal()
    await Promise.all(Array.from({ length: 50 }, (_, i) => tier.set(`one-tick:${i}`, entry('v'))))
    const grouped = (await wal()) - start
    const middle = await wal()
    for (let i = 0; i < 50; i++) await tier.set(`awaited:${i}`, entry('v'))
    const separate = (await wal()) - middle
    expect(grouped * 5).toBeLessThan(separate)
    expect((await tier.getMany(['one-tick:0', 'one-tick:49', 'awaited:49'])).map(payloadOf)).toEqual([
      'v',
      'v',
      'v',
    ])
  })

  it('close() writes set() calls that were not awaited', async () => {
    const path = scope.path('unawaited.db')
    const tier = make({ path })
    const pending = tier.set('k', entry('v'))
    await tier.close()
    await pending
    expect(payloadOf(await make({ path }).get('k'))).toBe('v')
  })

  it('set() replaces the value and the tags of an existing key', async () => {
    const tier = make()
    await tier.set('ns:k', entry('v1', { tags: ['old', 'both'] }))
    await tier.set('ns:k', entry('v2', { tags: ['new', 'both', 'both'] }))
    expect(await tier.get('ns:k')).toMatchObject({ tags: ['new', 'both'] })
    expect(await tier.deleteByTag(['old'], '')).toBe(0)
    expect(payloadOf(await tier.get('ns:k'))).toBe('v2')
    await tier.set('ns:k', entry('v3'))
    expect(await tier.deleteByTag(['new', 'both'], '')).toBe(0)
    expect(tier.stats()).toMatchObject({ entries: 1 })
  })

  it('delete() removes the keys in one call and counts those that were live', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now })
    await tier.setMany([
      ['ns:a', entry('A', { now: clock.now() })],
      ['ns:b', entry('B', { now: clock.now() })],
      ['ns:short', entry('S', { now: clock.now(), ttl: 10 })],
    ])
    clock.advance(20)
    expect(await tier.delete(['ns:a', 'ns:missing', 'ns:short', 'ns:a'])).toBe(1)
    expect(await tier.get('ns:a')).toBeUndefined()
    expect(payloadOf(await tier.get('ns:b'))).toBe('B')
    expect(tier.stats().entries).toBe(1)
    expect(await tier.delete([])).toBe(0)
  })

  it('get() never returns an entry past staleUntil, and returns it within grace', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now })
    await tier.set('ns:k', entry('v', { now: clock.now(), ttl: 100, grace: 50 }))
    clock.advance(99)
    expect(payloadOf(await tier.get('ns:k'))).toBe('v')
    clock.advance(50) // past expiresAt, inside grace
    expect(await tier.get('ns:k')).toMatchObject({ expiresAt: clock.now() - 49 })
    clock.advance(1) // now === staleUntil
    expect(await tier.get('ns:k')).toBeUndefined()
    expect(await tier.getMany(['ns:k'])).toEqual([undefined])
  })

  it('get() of an expired row lets the next write delete it (opportunistic prune)', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now, pruneInterval: 0 })
    await tier.setMany([
      ['ns:old', entry('o', { now: clock.now(), ttl: 10 })],
      ['ns:live', entry('l', { now: clock.now() })],
    ])
    clock.advance(11)
    expect(tier.stats().entries).toBe(2)
    expect(await tier.get('ns:old')).toBeUndefined()
    await tier.set('ns:other', entry('x', { now: clock.now() }))
    expect(tier.stats()).toMatchObject({ entries: 2, expirations: 1 })
  })

  it('set() of an entry already past its grace removes the previous value', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now })
    await tier.set('ns:k', entry('v1', { now: clock.now() }))
    await tier.set('ns:k', entry('v2', { now: clock.now() - 1_000, ttl: 500 }))
    expect(await tier.get('ns:k')).toBeUndefined()
    expect(tier.stats().entries).toBe(0)
  })

  it('prune() deletes expired rows in batches and reports how many', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now, pruneInterval: 0 })
    const items: [string, ReturnType<typeof entry>][] = []
    for (let i = 0; i < 1_200; i++)
      items.push([`ns:${i}`, entry('x', { now: clock.now(), ttl: i < 1_100 ? 10 : 1e6 })])
    await tier.setMany(items)
    clock.advance(11)
    expect(await tier.prune()).toBe(1_100)
    expect(tier.stats()).toMatchObject({ entries: 100, expirations: 1_100 })
    expect(await tier.prune()).toBe(0)
  })

  it('prune() runs by itself every pruneInterval', async () => {
    const tier = make({ pruneInterval: 30 })
    await tier.set('ns:k', entry('v', { ttl: 20 }))
    await tier.set('ns:keep', entry('v'))
    const deadline = Date.now() + 5_000
    while (tier.stats().entries > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(tier.stats()).toMatchObject({ entries: 1, expirations: 1 })
  })

  it('clear() removes keys with the prefix and nothing else', async () => {
    const tier = make()
    await tier.setMany([
      ['a:1', entry('1')],
      ['a:2', entry('2')],
      ['ab:1', entry('3')],
      ['a', entry('4')],
      ['b:1', entry('5')],
    ])
    await tier.clear('a:')
    expect((await tier.getMany(['a:1', 'a:2', 'ab:1', 'a', 'b:1'])).map(payloadOf)).toEqual([
      undefined,
      undefined,
      '3',
      '4',
      '5',
    ])
    await tier.clear('')
    expect(tier.stats().entries).toBe(0)
  })

  it("clear('') empties this tier's table only, not another tier's table in the same file", async () => {
    const one = make({ table: 'one' })
    const two = make({ table: 'two' })
    await one.set('k', entry('1'))
    await two.set('k', entry('2'))
    await one.clear('')
    expect(await one.get('k')).toBeUndefined()
    expect(payloadOf(await two.get('k'))).toBe('2')
  })

  it('clear() handles prefixes ending in high code points (U+D7FF, U+FFFF, U+10FFFF, emoji)', async () => {
    const tier = make()
    const prefixes = [
      'p\uD7FF',
      'p\uFFFF',
      'p\u{10FFFF}',
      'p😀',
      '\u{10FFFF}',
      '\u{10FFFF}\u{10FFFF}',
      'p\u007F',
    ]
    // Neighbours of each prefix in code point order: must survive.
    const neighbours = [
      'p\uD7FE',
      'p\uE000',
      'p\uFFFE',
      'p\u{10000}',
      'p\u{10FFFE}',
      'p😁',
      'p😀'.slice(0, 2),
      'q',
      'p\u0080',
      'p',
      '\u{10FFFE}',
      '\uFFFF',
    ]
    for (const prefix of prefixes) {
      const inside = [
        prefix,
        `${prefix}x`,
        `${prefix}\u{10FFFF}`,
        `${prefix}\uFFFF`,
        `${prefix}😀`,
        `${prefix}\u0000`,
      ]
      await tier.clear('')
      await tier.setMany(
        [...inside, ...neighbours].map((k) => [k, entry(k)] as [string, ReturnType<typeof entry>]),
      )
      await tier.clear(prefix)
      const left = (await tier.getMany([...inside, ...neighbours])).map((e) => e !== undefined)
      const expected = [...inside, ...neighbours].map((k) => !k.startsWith(prefix))
      expect({ prefix, left }).toEqual({ prefix, left: expected })
    }
  })

  it('clear() with lone surrogates in the prefix removes exactly the keys stored under it', async () => {
    const tier = make()
    const keys = [
      's\uD800',
      's\uD800x',
      's\uDBFF\uDBFF',
      's\uDBFF\uDBFFz',
      's\uDBFF\uDC00',
      's\uD7FF',
      's\uE000',
    ]
    await tier.setMany(keys.map((k) => [k, entry('v')] as [string, ReturnType<typeof entry>]))
    await tier.clear('s\uDBFF\uDBFF')
    await tier.clear('s\uD800')
    const left = (await tier.getMany(keys)).map((e) => e !== undefined)
    expect(left).toEqual([false, false, false, false, true, true, true])
  })

  it('get(), delete(), clear() and deleteByTag() treat %, _, quotes and backslashes as ordinary characters', async () => {
    const tier = make()
    const others = ['ns:ab', 'ns:aXb', 'ns:x', 'ns:', 'ns:\\', 'ns;']
    await tier.setMany(
      [...NASTY, ...others].map((k) => [k, entry(k, { tags: [k] })] as [string, ReturnType<typeof entry>]),
    )
    for (const k of NASTY) expect(payloadOf(await tier.get(k))).toBe(k)
    expect(await tier.delete(['ns:%', 'ns:_'])).toBe(2)
    expect(await tier.get('ns:x')).toBeDefined()
    await tier.clear('ns:a%')
    await tier.clear('ns:a_')
    expect(await tier.get('ns:a%b')).toBeUndefined()
    expect(await tier.get('ns:a_b')).toBeUndefined()
    expect(payloadOf(await tier.get('ns:ab'))).toBe('ns:ab')
    expect(payloadOf(await tier.get('ns:aXb'))).toBe('ns:aXb')
    expect(await tier.deleteByTag(["ns:it's", 'ns:%'], 'ns:')).toBe(1)
    await tier.clear('ns:\\')
    expect(await tier.get('ns:\\%')).toBeUndefined()
    expect(payloadOf(await tier.get('ns:back\\slash'))).toBe('ns:back\\slash')
    expect(payloadOf(await tier.get("ns:'; DROP TABLE tierstack_cache; --"))).toBeDefined()
    const survivors = (await tier.getMany(others)).map(payloadOf)
    expect(survivors).toEqual(['ns:ab', 'ns:aXb', 'ns:x', 'ns:', undefined, 'ns;'])
  })

  it('deleteByTag() removes entries with any of the tags under the prefix and counts the live ones', async () => {
    const clock = manualClock()
    const tier = make({ now: clock.now })
    const now = clock.now()
    await tier.setMany([
      ['a:1', entry('1', { now, tags: ['red'] })],
      ['a:2', entry('2', { now, tags: ['red', 'blue'] })],
      ['a:3', entry('3', { now, tags: ['blue'] })],
      ['a:4', entry('4', { now, tags: ['green'] })],
      ['a:5', entry('5', { now, tags: ['red'], ttl: 10 })],
      ['b:1', entry('6', { now, tags: ['red'] })],
      ['a:6', entry('7', { now })],
    ])
    clock.advance(20)
    expect(await tier.deleteByTag(['red', 'blue', 'red'], 'a:')).toBe(3)
    expect((await tier.getMany(['a:1', 'a:2', 'a:3', 'a:4', 'a:6', 'b:1'])).map(payloadOf)).toEqual([
      undefined,
      undefined,
      undefined,
      '4',
      '7',
      '6',
    ])
    expect(await tier.deleteByTag(['red'], '')).toBe(1)
    expect(await tier.deleteByTag([], '')).toBe(0)
    expect(await tier.deleteByTag(['nothing'], '')).toBe(0)
  })

  it('deleteByTag() leaves no tag rows behind when entries are deleted, replaced or cleared', async () => {
    const path = scope.path('tags.db')
    const tier = make({ path })
    await tier.setMany([
      ['a', entry('1', { tags: ['t1', 't2'] })],
      ['b', entry('2', { tags: ['t1'] })],
      ['c', entry('3', { tags: ['t3'] })],
    ])
    await tier.delete(['a'])
    await tier.set('b', entry('2b'))
    await tier.clear('c')
    const db = new Database(path, { readonly: true })
    try {
      expect(db.prepare('SELECT count(*) FROM tierstack_cache_tags').pluck().get()).toBe(0)
    } finally {
      db.close()
    }
  })

  it('health() reports the path, size on disk, entries and an on-demand quick_check', async () => {
    const path = scope.path('health.db')
    const tier = make({ path, maxEntries: 100 })
    await tier.set('k', entry('v'))
    const health = await tier.health()
    expect(health.ok).toBe(true)
    expect(health.latencyMs).toBeGreaterThanOrEqual(0)
    expect(health.detail).toMatchObject({
      path,
      entries: 1,
      rows: 1,
      journalMode: 'wal',
      schemaVersion: 1,
      maxEntries: 100,
    })
    expect(health.detail!.sizeOnDisk).toBeGreaterThan(0)
    expect(health.detail!.quickCheck).toBeUndefined()
    const checked = await tier.health({ quickCheck: true })
    expect(checked).toMatchObject({ ok: true, detail: { quickCheck: 'ok' } })
    await expect(tier.quickCheck()).resolves.toEqual({ ok: true, messages: ['ok'] })
  })

  it('close() is idempotent and later operations reject with E_CLOSED', async () => {
    const tier = make()
    await tier.set('k', entry('v'))
    await Promise.all([tier.close(), tier.close()])
    await tier.close()
    for (const op of [
      () => tier.get('k'),
      () => tier.getMany(['k']),
      () => tier.set('k', entry('v')),
      () => tier.setMany([]),
      () => tier.delete(['k']),
      () => tier.clear(''),
      () => tier.deleteByTag(['t'], ''),
      () => tier.prune(),
      () => tier.quickCheck(),
    ]) {
      await expect(op()).rejects.toMatchObject({ name: 'CacheError', code: 'E_CLOSED' })
    }
    expect((await tier.health()).ok).toBe(false)
    expect(() => tier.stats()).toThrow(CacheError)
  })

  it('close() waits for writes already issued', async () => {
    const tier = make({ path: scope.path('pending.db') })
    const writes = Array.from({ length: 20 }, (_, i) => tier.set(`k${i}`, entry(String(i))))
    await tier.close()
    await Promise.all(writes)
    const again = make({ path: scope.path('pending.db') })
    expect((await again.getMany(['k0', 'k19'])).map(payloadOf)).toEqual(['0', '19'])
  })

  it('get(), delete() and clear() reject keys that are not strings with E_INVALID_KEY', async () => {
    const tier = make()
    await expect(tier.get(1 as never)).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(tier.getMany(['a', null as never])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(tier.delete([{} as never])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(tier.clear(undefined as never)).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
  })

  it('sqliteTier() validates its options and names the bad one', () => {
    const path = scope.path('opts.db')
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /path/],
      [{ path: '' }, /path/],
      [{ path: 42 }, /path/],
      [{ path, table: 'bad-name' }, /table/],
      [{ path, table: 'sqlite_master' }, /table/],
      [{ path, table: 'tierstack_tables' }, /table/],
      [{ path, table: '1abc' }, /table/],
      [{ path, maxBytes: 'lots' }, /maxBytes/],
      [{ path, maxBytes: -1 }, /maxBytes/],
      [{ path, maxBytes: 0 }, /maxBytes/],
      [{ path, maxEntryBytes: '1 parsec' }, /maxEntryBytes/],
      [{ path, maxEntries: 0 }, /maxEntries/],
      [{ path, maxEntries: 1.5 }, /maxEntries/],
      [{ path, pruneInterval: 'soon' }, /pruneInterval/],
      [{ path, pruneInterval: -5 }, /pruneInterval/],
      [{ path, busyTimeout: 'never' }, /busyTimeout/],
      [{ path, busyTimeout: Infinity }, /busyTimeout/],
      [{ path, name: '' }, /name/],
      [{ path, now: 5 }, /now/],
      [{ path: scope.path('missing-dir/x/y.db') }, /path/],
    ]
    for (const [options, pattern] of cases) {
      let error: unknown
      try {
        sqliteTier(options as never).close()
      } catch (err) {
        error = err
      }
      expect({ options, error }).toMatchObject({
        options,
        error: { name: 'CacheError', code: 'E_INVALID_OPTION' },
      })
      expect((error as Error).message).toMatch(pattern)
    }
    expect(() => sqliteTier(null as never)).toThrow(CacheError)
  })

  it('sqliteTier() accepts durations and sizes as strings', async () => {
    const tier = make({ maxBytes: '1mb', maxEntryBytes: '64kb', pruneInterval: '2m', busyTimeout: '1s' })
    expect((await tier.health()).detail).toMatchObject({ maxBytes: 1024 * 1024 })
  })

  it("sqliteTier() with path ':memory:' works but is neither persistent nor shared", async () => {
    const tier = make({ path: ':memory:' })
    expect(tier.capabilities).toMatchObject({ persistent: false, shared: false })
    await tier.set('k', entry('v'))
    expect(payloadOf(await tier.get('k'))).toBe('v')
    expect((await tier.health()).detail!.sizeOnDisk).toBeGreaterThan(0)
  })
})
