import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import Database from 'better-sqlite3'
import { SCHEMA_VERSION } from '../src/index.js'
import { entry, payloadOf, sqliteTestBed } from './helpers.js'

const { scope, make } = sqliteTestBed()

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

function refusal(path: string): unknown {
  try {
    make({ path })
  } catch (err) {
    return err
  }
  return undefined
}

describe('sqliteTier persistence', () => {
  it('get() after close() and reopen returns the entries with their TTLs and tags', async () => {
    const path = scope.path('persist.db')
    const first = make({ path })
    const now = Date.now()
    const ttl = entry('ttl', { now, ttl: 3_600_000, grace: 60_000, tags: ['x'] })
    const forever = entry('forever', { now })
    await first.setMany([
      ['ns:ttl', ttl],
      ['ns:forever', forever],
      ['ns:gone', entry('gone', { now, ttl: 3_600_000 })],
    ])
    await first.delete(['ns:gone'])
    await first.close()
    expect(existsSync(`${path}-wal`)).toBe(false) // the last connection checkpointed and removed the WAL

    const second = make({ path })
    const [a, b, c] = await second.getMany(['ns:ttl', 'ns:forever', 'ns:gone'])
    expect(payloadOf(a)).toBe('ttl')
    expect(a).toMatchObject({
      createdAt: now,
      expiresAt: ttl.expiresAt,
      staleUntil: ttl.staleUntil,
      tags: ['x'],
    })
    expect(b).toMatchObject({ expiresAt: Infinity, staleUntil: Infinity })
    expect(c).toBeUndefined()
    expect(await second.deleteByTag(['x'], 'ns:')).toBe(1)
  })

  it('sqliteTier() marks the file with its schema version and application id', async () => {
    const path = scope.path('marked.db')
    await make({ path }).close()
    const db = new Database(path, { readonly: true })
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      expect(db.pragma('application_id', { simple: true })).toBe(0x54534331)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(2) // incremental
    } finally {
      db.close()
    }
  })

  it('sqliteTier() refuses a file written by a newer schema, and leaves it untouched', async () => {
    const path = scope.path('newer.db')
    await make({ path }).close()
    const db = new Database(path)
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    const before = sha(path)
    const err = refusal(path)
    expect(err).toMatchObject({ name: 'CacheError', code: 'E_INVALID_OPTION' })
    expect((err as Error).message).toMatch(
      /newer @tierstack\/tier-sqlite \(schema version 2, this one knows up to 1\)/,
    )
    expect(sha(path)).toBe(before)
  })

  it("sqliteTier() refuses another application's database and a file that is not a database", async () => {
    const foreign = scope.path('foreign.db')
    const db = new Database(foreign)
    db.exec('CREATE TABLE app (x)')
    db.pragma('user_version = 7')
    db.close()
    const before = sha(foreign)
    expect(refusal(foreign)).toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/not a tierstack cache/),
    })
    expect(sha(foreign)).toBe(before)

    const other = scope.path('other-app.db')
    const db2 = new Database(other)
    db2.pragma('application_id = 1234')
    db2.close()
    expect(refusal(other)).toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/another application/),
    })

    const text = scope.path('notes.txt')
    writeFileSync(text, 'these are not the pages you are looking for'.repeat(100))
    const textBefore = sha(text)
    expect(refusal(text)).toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/not a usable SQLite/),
    })
    expect(sha(text)).toBe(textBefore)
  })

  it('sqliteTier() adds its tables to an existing unversioned database and keeps its other tables', async () => {
    const path = scope.path('shared.db')
    const db = new Database(path)
    db.exec("CREATE TABLE app (x); INSERT INTO app VALUES ('kept')")
    db.close()
    const tier = make({ path })
    await tier.set('k', entry('v'))
    await tier.clear('')
    await tier.close()
    const check = new Database(path, { readonly: true })
    try {
      expect(check.prepare('SELECT x FROM app').pluck().get()).toBe('kept')
    } finally {
      check.close()
    }
  })

  it('sqliteTier() repairs lost counters of a capped table from its rows', async () => {
    const path = scope.path('counters.db')
    const tier = make({ path, maxEntries: 100 })
    await tier.setMany([
      ['a', entry('1')],
      ['b', entry('22')],
    ])
    const { bytes } = tier.stats()
    await tier.close()
    const db = new Database(path)
    db.prepare('DELETE FROM tierstack_tables').run()
    db.close()
    const again = make({ path, maxEntries: 100 })
    expect(again.stats()).toMatchObject({ entries: 2, bytes })
  })

  it('sqliteTier() with a cap adds counters to a table filled without one, and every writer keeps them exact', async () => {
    const path = scope.path('late-cap.db')
    const objects = () => {
      const db = new Database(path, { readonly: true })
      try {
        return db
          .prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name")
          .pluck()
          .all()
      } finally {
        db.close()
      }
    }
    const plain = make({ path })
    await plain.setMany(
      Array.from({ length: 30 }, (_, i) => [`k${i}`, entry(`v${i}`)] as [string, ReturnType<typeof entry>]),
    )
    expect(objects()).not.toContain('tierstack_cache_accessed_at')
    expect(objects()).not.toContain('tierstack_cache_count_insert')
    const expected = plain.stats()
    expect(expected.entries).toBe(30)

    const capped = make({ path, maxEntries: 40 })
    expect(objects()).toEqual(
      expect.arrayContaining(['tierstack_cache_accessed_at', 'tierstack_cache_count_insert']),
    )
    expect(capped.stats()).toMatchObject({ entries: 30, bytes: expected.bytes })
    // The uncapped connection, opened before the triggers existed, now maintains the counters too.
    await plain.setMany(
      Array.from({ length: 5 }, (_, i) => [`n${i}`, entry('new')] as [string, ReturnType<typeof entry>]),
    )
    await plain.delete(['k0', 'k1'])
    expect(capped.stats()).toMatchObject({ entries: 33 })
    expect(plain.stats()).toEqual({ ...capped.stats(), evictions: 0, expirations: 0 })
    await capped.setMany(
      Array.from({ length: 20 }, (_, i) => [`c${i}`, entry('c')] as [string, ReturnType<typeof entry>]),
    )
    expect(capped.stats().entries).toBe(40)
  })
})
