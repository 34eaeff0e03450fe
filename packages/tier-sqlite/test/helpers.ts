import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEnvelope, encodeEnvelope, type StoredEntry } from '@tierstack/core'
import { type TestScope, testScope } from '@tierstack/test-suite'
import { type SqliteTier, type SqliteTierOptions, sqliteTier } from '../src/index.js'

/**
 * Per-test resources for a test file (a temporary directory, closed after each test, see `testScope`), and
 * `make(options)`: a tier on `cache.db` in that directory (or `options.path`), closed after the test.
 */
export function sqliteTestBed(): {
  scope: TestScope
  make(options?: Partial<SqliteTierOptions>): SqliteTier
} {
  const scope = testScope('tier-sqlite-')
  return {
    scope,
    make: (options = {}) => scope.track(sqliteTier({ path: scope.path('cache.db'), ...options })),
  }
}

/** A temporary directory for database files shared by a whole file, removed by `cleanup()`. */
export function tempDir(): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tier-sqlite-'))
  let n = 0
  return {
    dir,
    file: (name) => join(dir, name ?? `db-${n++}.sqlite`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Options of {@link entry}: times relative to `now`, in ms. */
export interface EntryOptions {
  now?: number
  ttl?: number
  grace?: number
  tags?: string[]
}

/** A remote-tier entry as the engine builds it: a real envelope whose header equals the entry's fields. */
export function entry(payload: string | Uint8Array, options: EntryOptions = {}): StoredEntry<Uint8Array> {
  const createdAt = options.now ?? Date.now()
  const expiresAt = createdAt + (options.ttl ?? Number.POSITIVE_INFINITY)
  const staleUntil = expiresAt + (options.grace ?? 0)
  const tags = options.tags ?? []
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload
  const value = encodeEnvelope(
    { createdAt, expiresAt, staleUntil, tags, serializer: 'test', codecs: [] },
    bytes,
  )
  return { value, createdAt, expiresAt, staleUntil, tags }
}

/** The payload of the envelope an entry carries, as text. */
export function payloadOf(stored: StoredEntry | undefined): string | undefined {
  if (stored === undefined) return undefined
  return new TextDecoder().decode(decodeEnvelope(stored.value as Uint8Array).payload)
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
  }
}
