import { describe, expect, it } from '@jest/globals'
import Database from 'better-sqlite3'
import { entry, payloadOf, sqliteTestBed } from './helpers.js'

const { scope, make } = sqliteTestBed()

/** Another connection to the file that takes the write lock and keeps it until `release()`. */
function holdWriteLock(path: string): { release: () => void } {
  const db = new Database(path)
  scope.defer(() => {
    if (db.open) db.close()
  })
  db.exec('BEGIN IMMEDIATE')
  return { release: () => db.exec('COMMIT') }
}

describe('sqliteTier locking', () => {
  it('set() waits for another connection’s write lock without blocking the event loop, then succeeds', async () => {
    const path = scope.path('wait.db')
    const tier = make({ path, busyTimeout: '5s' })
    await tier.set('before', entry('b'))
    const lock = holdWriteLock(path)
    let ticks = 0
    const ticker = setInterval(() => ticks++, 5)
    const write = tier.set('k', entry('v'))
    const second = tier.set('k', entry('v2')) // same tick, same transaction: the later call wins
    // Reads go on while the lock is held (WAL readers do not wait for writers).
    expect(payloadOf(await tier.get('before'))).toBe('b')
    const removed = tier.delete(['before']) // queued behind the waiting batch …
    await new Promise((r) => setTimeout(r, 300))
    const again = tier.set('before', entry('again')) // … and this behind the delete
    const ticksWhileLocked = ticks
    lock.release()
    await Promise.all([write, second, again])
    expect(await removed).toBe(1)
    clearInterval(ticker)
    expect(ticksWhileLocked).toBeGreaterThan(10)
    expect(payloadOf(await tier.get('k'))).toBe('v2')
    expect(payloadOf(await tier.get('before'))).toBe('again')
  })

  it('set() past busyTimeout rejects with E_TIER_TIMEOUT (SQLITE_BUSY as cause), never SQLITE_BUSY itself', async () => {
    const path = scope.path('timeout.db')
    const tier = make({ path, busyTimeout: 150 })
    const lock = holdWriteLock(path)
    const started = Date.now()
    const err = await tier.set('k', entry('v')).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'CacheError', code: 'E_TIER_TIMEOUT' })
    expect((err as Error & { cause: { code: string } }).cause.code).toMatch(/^SQLITE_BUSY/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    await expect(tier.delete(['k'])).rejects.toMatchObject({ code: 'E_TIER_TIMEOUT' })
    lock.release()
    await tier.set('k', entry('v'))
    expect(payloadOf(await tier.get('k'))).toBe('v')
  })
})
