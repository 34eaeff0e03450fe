import { statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import {
  CacheError,
  type StoredEntry,
  type Tier,
  type TierCapabilities,
  type TierHealth,
} from '@tierstack/core'
import Database from 'better-sqlite3'
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS, backoff, isBusy, NATIVE_BUSY_SLICE_MS } from './busy.js'
import { type ResolvedOptions, resolveOptions, type SqliteTierOptions } from './options.js'
import { type PrefixRange, prefixRange } from './prefix-range.js'
import { hasCapSupport, inspect, migrate, q, SCHEMA_VERSION } from './schema.js'

/** Options of `SqliteTier.health()`. */
export interface SqliteTierHealthOptions {
  /** Also run `PRAGMA quick_check` (reads the whole file: seconds on a large one). @default false */
  quickCheck?: boolean
}

/** Result of `SqliteTier.quickCheck()`. */
export interface SqliteQuickCheck {
  /** `true` when SQLite reported `ok`. */
  ok: boolean
  /** What `PRAGMA quick_check` reported (`['ok']` for a sound file). */
  messages: string[]
}

/** Counters of one tier table, as `SqliteTier.stats()` reports them. */
export interface SqliteTierStats {
  /** Rows stored now (all processes), including expired rows not yet pruned. */
  entries: number
  /** Bytes stored now as `maxBytes` counts them (envelope + key bytes), all processes. */
  bytes: number
  /** Rows this instance evicted to respect `maxEntries` / `maxBytes`. */
  evictions: number
  /** Expired rows this instance deleted (prune, opportunistic and before evicting). */
  expirations: number
}

type Statement = Database.Statement
/** `value, created_at, expires_at, stale_until, tags` in `.raw()` mode. */
type EntryRow = [Buffer, number, number, number, string | null]
/** A validated `setMany` item: the upsert parameters, then the deduplicated tags. */
type WriteRow = [
  key: string,
  value: Uint8Array,
  createdAt: number,
  expiresAt: number,
  staleUntil: number,
  tags: string | null,
  size: number,
  tagList: string[],
]

/** Pending access times / expired keys held in memory before a flush is forced. */
const MAX_PENDING = 10_000
/** How often access times are flushed when a cap is set, in ms. */
const TOUCH_FLUSH_MS = 1_000
/** Rows deleted per prune transaction (keeps each write lock short for other processes). */
const PRUNE_BATCH = 500
/** Rows read per step when evicting by bytes. */
const EVICT_SCAN = 64
/** Largest `setInterval` delay node accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1

const noop = (): void => {}

/**
 * The persistent tier: a SQLite file through better-sqlite3, in WAL mode with `synchronous=NORMAL`, shared
 * safely by several processes. It stores the envelope bytes core hands it (`kind: 'remote'`).
 *
 * - Reads never return a row past its `staleUntil`; a read that meets one queues it for deletion by the next
 *   write transaction, and a background prune (an `unref`ed timer) deletes expired rows in small batches.
 * - `getMany` runs in one read transaction, `setMany` / `delete` / `clear` / `deleteByTag` in one
 *   `BEGIN IMMEDIATE` transaction each, so a batch is atomic and acknowledged only once committed. `setMany`
 *   calls issued in the same tick share one transaction (group commit): concurrent writers pay one commit.
 * - Caps (`maxEntries`, `maxBytes`) are enforced inside the write transaction that crosses them: expired rows
 *   go first, then the least recently accessed. Access times are kept in memory and written in batches
 *   (with the next write transaction, or every second), so a read stays a single `SELECT`.
 * - `SQLITE_BUSY` is retried (see `busyTimeout`); writes of one instance keep their order while retrying.
 *
 * The methods are async per the `Tier` contract; the work itself is synchronous (better-sqlite3), which is
 * what makes a read a few microseconds.
 */
export class SqliteTier implements Tier {
  readonly name: string
  readonly kind = 'remote' as const
  readonly capabilities: TierCapabilities
  /** `maxEntryBytes` resolved to bytes: the engine refuses a bigger entry before writing any tier. */
  get maxEntryBytes(): number {
    return this.#o.maxEntryBytes
  }
  /** The database file. */
  readonly path: string
  /** The entries table. */
  readonly table: string

  readonly #o: ResolvedOptions
  readonly #db: Database.Database
  readonly #now: () => number
  readonly #capped: boolean
  /** key → last read time, written to `accessed_at` in batches; only when a cap is set. */
  readonly #touched: Map<string, number> | undefined
  /** Keys a read found expired: deleted by the next write transaction if still expired. */
  readonly #expired = new Set<string>()
  /** Statements that depend on a prefix shape, prepared on first use. */
  readonly #prepared = new Map<string, Statement>()

  readonly #sGet: Statement
  readonly #sUpsert: Statement
  readonly #sInsertTag: Statement
  readonly #sDeleteKey: Statement
  readonly #sDeleteIfExpired: Statement
  readonly #sTouch: Statement
  readonly #sCounters: Statement
  readonly #sCount: Statement
  readonly #sDeleteExpired: Statement
  readonly #sCountExpired: Statement
  readonly #sEvictEntries: Statement
  readonly #sEvictScan: Statement
  readonly #sDeleteRowid: Statement

  readonly #txGetMany: Database.Transaction<(keys: string[], now: number) => (StoredEntry | undefined)[]>
  readonly #txSetMany: Database.Transaction<(rows: WriteRow[], now: number) => void>
  readonly #txDelete: Database.Transaction<(keys: string[], now: number) => number>
  readonly #txRun: Database.Transaction<(stmt: Statement, params: unknown[], now: number) => number>
  readonly #txHousekeeping: Database.Transaction<(now: number) => void>

  readonly #timer: NodeJS.Timeout | undefined
  #lastPrune: number
  /** Prune period in ms, `undefined` when the background prune is off. */
  readonly #pruneEvery: number | undefined
  #pruning: Promise<number> | undefined
  #flushScheduled = false
  #evictions = 0
  #expirations = 0
  #closed = false
  #closing: Promise<void> | undefined
  /** `setMany` rows of this tick, written together by `#flushBatch`. */
  #batch:
    | { rows: WriteRow[]; done: Promise<void>; resolve: () => void; reject: (err: unknown) => void }
    | undefined
  /** Writes waiting for their turn (while one of them is retrying a busy lock). */
  #queued = 0
  #tail: Promise<unknown> = Promise.resolve()

  constructor(options: SqliteTierOptions) {
    const o = resolveOptions(options)
    this.#o = o
    this.name = o.name
    this.path = o.path
    this.table = o.table
    this.#now = o.now
    this.#capped = Number.isFinite(o.maxEntries) || Number.isFinite(o.maxBytes)
    this.#touched = this.#capped ? new Map() : undefined
    const memory = o.path === ':memory:'
    this.capabilities = { ttlPrecisionMs: 1, tags: true, batch: true, persistent: !memory, shared: !memory }
    this.#db = openDatabase(o)

    const db = this.#db
    const t = q(o.table)
    this.#sGet = db
      .prepare(`SELECT value, created_at, expires_at, stale_until, tags FROM ${t} WHERE key = ?`)
      .raw()
    this.#sUpsert = db.prepare(
      `INSERT INTO ${t} (key, value, created_at, expires_at, stale_until, tags, size, accessed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at,
         expires_at = excluded.expires_at, stale_until = excluded.stale_until, tags = excluded.tags,
         size = excluded.size, accessed_at = excluded.accessed_at`,
    )
    this.#sInsertTag = db.prepare(`INSERT OR IGNORE INTO ${q(`${o.table}_tags`)} (tag, key) VALUES (?, ?)`)
    this.#sDeleteKey = db.prepare(`DELETE FROM ${t} WHERE key = ? RETURNING stale_until`).pluck()
    this.#sDeleteIfExpired = db.prepare(`DELETE FROM ${t} WHERE key = ? AND stale_until <= ?`)
    this.#sTouch = db.prepare(`UPDATE ${t} SET accessed_at = ? WHERE key = ? AND accessed_at < ?`)
    this.#sCounters = db.prepare('SELECT entries, bytes FROM tierstack_tables WHERE name = ?').raw()
    this.#sCount = db.prepare(`SELECT count(*), coalesce(sum(size), 0) FROM ${t}`).raw()
    this.#sDeleteExpired = db.prepare(
      `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE stale_until <= ? LIMIT ?)`,
    )
    this.#sCountExpired = db.prepare(`SELECT count(*) FROM ${t} WHERE stale_until <= ?`).pluck()
    this.#sEvictEntries = db.prepare(
      `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} ORDER BY accessed_at LIMIT ?)`,
    )
    this.#sEvictScan = db.prepare(`SELECT rowid, size FROM ${t} ORDER BY accessed_at LIMIT ?`).raw()
    this.#sDeleteRowid = db.prepare(`DELETE FROM ${t} WHERE rowid = ?`)

    this.#txGetMany = db.transaction((keys: string[], now: number) => keys.map((key) => this.#read(key, now)))
    this.#txSetMany = db.transaction((rows: WriteRow[], now: number) => {
      this.#housekeeping(now)
      for (const row of rows) {
        const key = row[0]
        if (row[4] <= now) {
          // Already past its grace: storing it would only hide an older value; remove that instead.
          this.#sDeleteKey.run(key)
          continue
        }
        this.#sUpsert.run(key, row[1], row[2], row[3], row[4], row[5], row[6], now)
        for (const tag of row[7]) this.#sInsertTag.run(tag, key)
      }
      if (this.#capped) this.#enforceCaps(now)
    })
    this.#txDelete = db.transaction((keys: string[], now: number) => {
      this.#housekeeping(now)
      let live = 0
      for (const key of keys) {
        const staleUntil = this.#sDeleteKey.get(key) as number | undefined
        if (staleUntil !== undefined && staleUntil > now) live++
      }
      return live
    })
    this.#txRun = db.transaction((stmt: Statement, params: unknown[], now: number) => {
      this.#housekeeping(now)
      if (!stmt.reader) return stmt.run(...params).changes
      // `DELETE … RETURNING stale_until`: count the rows that were still live.
      let live = 0
      for (const staleUntil of stmt.pluck().all(...params) as number[]) if (staleUntil > now) live++
      return live
    })
    this.#txHousekeeping = db.transaction((now: number) => this.#housekeeping(now))

    this.#lastPrune = this.#now()
    // One unref'ed timer: prunes every pruneInterval (when enabled) and, with a cap, flushes access times.
    const pruneEvery = o.pruneInterval > 0 && Number.isFinite(o.pruneInterval) ? o.pruneInterval : undefined
    this.#pruneEvery = pruneEvery
    const tick = Math.min(
      pruneEvery ?? MAX_TIMER_MS,
      this.#capped ? TOUCH_FLUSH_MS : MAX_TIMER_MS,
      MAX_TIMER_MS,
    )
    if (pruneEvery !== undefined || this.#capped) {
      this.#timer = setInterval(() => this.#tick(), Math.max(tick, 10))
      this.#timer.unref()
    }
  }

  get(key: string): Promise<StoredEntry | undefined> {
    if (this.#closed) return this.#rejectClosed()
    if (this.#batch !== undefined) this.#flushBatch()
    if (typeof key !== 'string') return Promise.reject(badKey(key))
    try {
      return Promise.resolve(this.#read(key, this.#now()))
    } catch (err) {
      return this.#retry('get', err, () => this.#read(key, this.#now()))
    }
  }

  getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    if (this.#closed) return this.#rejectClosed()
    if (this.#batch !== undefined) this.#flushBatch()
    const invalid = checkKeys(keys)
    if (invalid) return Promise.reject(invalid)
    if (keys.length === 0) return Promise.resolve([])
    try {
      return Promise.resolve(this.#txGetMany(keys, this.#now()))
    } catch (err) {
      return this.#retry('getMany', err, () => this.#txGetMany(keys, this.#now()))
    }
  }

  set(key: string, entry: StoredEntry): Promise<void> {
    return this.setMany([[key, entry]])
  }

  setMany(items: [string, StoredEntry][]): Promise<void> {
    if (this.#closed) return this.#rejectClosed()
    let rows: WriteRow[]
    try {
      rows = this.#toRows(items)
    } catch (err) {
      return Promise.reject(err)
    }
    if (rows.length === 0) return Promise.resolve()
    // Group commit: writes issued in the same tick share one transaction (see `#flushBatch`).
    let batch = this.#batch
    if (batch === undefined) {
      let resolve!: () => void
      let reject!: (err: unknown) => void
      const done = new Promise<void>((res, rej) => {
        resolve = res
        reject = rej
      })
      batch = this.#batch = { rows, done, resolve, reject }
      queueMicrotask(() => {
        if (this.#batch === batch) this.#flushBatch()
      })
      return done
    }
    for (const row of rows) batch.rows.push(row)
    return batch.done
  }

  delete(keys: string[]): Promise<number> {
    if (this.#closed) return this.#rejectClosed()
    const invalid = checkKeys(keys)
    if (invalid) return Promise.reject(invalid)
    if (keys.length === 0) return Promise.resolve(0)
    return this.#write('delete', () => this.#txDelete.immediate(keys, this.#now()))
  }

  clear(prefix: string): Promise<void> {
    if (this.#closed) return this.#rejectClosed()
    if (typeof prefix !== 'string') return Promise.reject(badPrefix(prefix))
    const t = q(this.#o.table)
    let stmt: Statement
    let params: unknown[]
    if (prefix === '') {
      stmt = this.#statement(`DELETE FROM ${t}`)
      params = []
    } else {
      const range = prefixRange(prefix)
      stmt = this.#statement(`DELETE FROM ${t} WHERE ${rangeSql(range)}`)
      params = rangeParams(range)
    }
    return this.#write('clear', () => {
      this.#txRun.immediate(stmt, params, this.#now())
    })
  }

  deleteByTag(tags: string[], prefix: string): Promise<number> {
    if (this.#closed) return this.#rejectClosed()
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
      return Promise.reject(
        new CacheError('E_INVALID_OPTION', 'sqliteTier: deleteByTag() tags must be an array of strings'),
      )
    }
    if (typeof prefix !== 'string') return Promise.reject(badPrefix(prefix))
    const unique = [...new Set(tags)]
    if (unique.length === 0) return Promise.resolve(0)
    const range = prefix === '' ? undefined : prefixRange(prefix)
    const t = q(this.#o.table)
    const tagList = unique.map(() => '?').join(', ')
    const stmt = this.#statement(
      `DELETE FROM ${t} WHERE key IN (SELECT key FROM ${q(`${this.#o.table}_tags`)} WHERE tag IN (${tagList})${
        range ? ` AND ${rangeSql(range)}` : ''
      }) RETURNING stale_until`,
    )
    const params = range ? [...unique, ...rangeParams(range)] : unique
    return this.#write('deleteByTag', () => this.#txRun.immediate(stmt, params, this.#now()))
  }

  /**
   * Reports the file path, its size on disk (database + WAL), rows, live entries and bytes. With
   * `{ quickCheck: true }` it also runs `PRAGMA quick_check`, and `ok` is false when that finds a problem.
   */
  async health(options: SqliteTierHealthOptions = {}): Promise<TierHealth> {
    const started = performance.now()
    const detail: Record<string, unknown> = { path: this.path, table: this.#o.table }
    if (this.#closed) return { ok: false, latencyMs: 0, detail: { ...detail, error: 'closed' } }
    if (this.#batch !== undefined) this.#flushBatch()
    try {
      const probe = () => {
        const now = this.#now()
        const [rows, bytes] = this.#counts()
        return { rows, bytes, expired: this.#sCountExpired.get(now) as number }
      }
      let counts: { rows: number; bytes: number; expired: number }
      try {
        counts = probe()
      } catch (err) {
        counts = await this.#retry('health', err, probe)
      }
      Object.assign(detail, {
        entries: counts.rows - counts.expired,
        rows: counts.rows,
        bytes: counts.bytes,
        ...this.#diskUsage(),
        schemaVersion: SCHEMA_VERSION,
        journalMode: this.#db.pragma('journal_mode', { simple: true }),
        maxEntries: Number.isFinite(this.#o.maxEntries) ? this.#o.maxEntries : null,
        maxBytes: Number.isFinite(this.#o.maxBytes) ? this.#o.maxBytes : null,
        evictions: this.#evictions,
        expirations: this.#expirations,
      })
      let ok = true
      if (options.quickCheck) {
        const check = await this.quickCheck()
        detail.quickCheck = check.ok ? 'ok' : check.messages
        ok = check.ok
      }
      return { ok, latencyMs: performance.now() - started, detail }
    } catch (err) {
      detail.error = err instanceof Error ? err.message : String(err)
      return { ok: false, latencyMs: performance.now() - started, detail }
    }
  }

  /** Runs `PRAGMA quick_check` (O(file size); no index-content cross-check, unlike `integrity_check`). */
  quickCheck(): Promise<SqliteQuickCheck> {
    if (this.#closed) return this.#rejectClosed()
    const run = (): SqliteQuickCheck => {
      const messages = this.#db.pragma('quick_check', { simple: false }) as { quick_check: string }[]
      const list = messages.map((m) => m.quick_check)
      return { ok: list.length === 1 && list[0] === 'ok', messages: list }
    }
    try {
      return Promise.resolve(run())
    } catch (err) {
      return this.#retry('quickCheck', err, run)
    }
  }

  /**
   * Deletes expired rows now, in batches of 500 (one short transaction each), then returns free pages to the
   * file system when many are free. Runs by itself every `pruneInterval`; resolves to how many rows it deleted.
   */
  prune(): Promise<number> {
    if (this.#closed) return this.#rejectClosed()
    this.#pruning ??= this.#prune().finally(() => {
      this.#pruning = undefined
    })
    return this.#pruning
  }

  /**
   * Rows and bytes of the table (all processes) and this instance's eviction counts. Synchronous; O(1) once a
   * capped tier has used the table (counters), a scan of the table otherwise.
   */
  stats(): SqliteTierStats {
    if (this.#closed) throw this.#closedError()
    if (this.#batch !== undefined) this.#flushBatch()
    const [entries, bytes] = this.#counts()
    return { entries, bytes, evictions: this.#evictions, expirations: this.#expirations }
  }

  /** Waits for queued writes, writes pending access times, stops the timer and closes the file. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing
    if (this.#batch !== undefined) this.#flushBatch()
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    this.#closing = (async () => {
      await this.#tail
      await this.#pruning?.catch(noop)
      try {
        if (this.#expired.size > 0 || (this.#touched?.size ?? 0) > 0)
          this.#txHousekeeping.immediate(this.#now())
      } catch {
        // Best effort: access times are a hint, expired rows are pruned by the next opener.
      }
      this.#db.close()
    })()
    return this.#closing
  }

  // ---- internals -------------------------------------------------------------------------------------

  /**
   * Writes the pending `setMany` batch in one transaction. It runs in a microtask after the first `setMany` of a
   * tick, or earlier, synchronously, when any other operation comes (so reads see the writes issued before
   * them and writes keep their call order). Every `setMany` of the batch is acknowledged once the transaction
   * commits, so each stays atomic; concurrent writers share the commit instead of paying one each.
   */
  #flushBatch(): void {
    const batch = this.#batch!
    this.#batch = undefined
    this.#write('setMany', () => this.#txSetMany.immediate(batch.rows, this.#now())).then(
      batch.resolve,
      batch.reject,
    )
  }

  /** `[rows, bytes]`: the counters when the table has them (always with a cap), else a scan. */
  #counts(): [number, number] {
    if (this.#capped || hasCapSupport(this.#db, this.#o.table)) {
      return this.#sCounters.get(this.#o.table) as [number, number]
    }
    return this.#sCount.get() as [number, number]
  }

  /** One key, inside or outside a transaction. */
  #read(key: string, now: number): StoredEntry | undefined {
    const row = this.#sGet.get(key) as EntryRow | undefined
    if (row === undefined) return undefined
    if (row[3] <= now) {
      this.#expired.add(key)
      if (this.#expired.size >= MAX_PENDING) this.#scheduleFlush()
      return undefined
    }
    if (this.#touched !== undefined) {
      this.#touched.set(key, now)
      if (this.#touched.size >= MAX_PENDING) this.#scheduleFlush()
    }
    return {
      value: row[0],
      createdAt: row[1],
      expiresAt: row[2],
      staleUntil: row[3],
      tags: row[4] === null ? [] : JSON.parse(row[4]),
    }
  }

  /** Validates a batch before the transaction, so a bad item writes nothing. */
  #toRows(items: [string, StoredEntry][]): WriteRow[] {
    if (!Array.isArray(items))
      throw new CacheError('E_INVALID_VALUE', 'sqliteTier: setMany() expects an array of [key, entry]')
    const rows: WriteRow[] = new Array(items.length)
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const key = item?.[0]
      const entry = item?.[1]
      if (typeof key !== 'string') throw badKey(key)
      if (entry === null || typeof entry !== 'object' || !(entry.value instanceof Uint8Array)) {
        throw new CacheError(
          'E_INVALID_VALUE',
          `sqliteTier: entry for key '${key}' must carry envelope bytes (a Uint8Array value), got ${typeof entry?.value}`,
        )
      }
      const { createdAt, expiresAt, staleUntil, tags } = entry
      if (!isTime(createdAt) || !isTime(expiresAt) || !isTime(staleUntil)) {
        throw new CacheError(
          'E_INVALID_TTL',
          `sqliteTier: entry for key '${key}' has a non-numeric createdAt / expiresAt / staleUntil`,
        )
      }
      const size = entry.value.byteLength + Buffer.byteLength(key, 'utf8')
      if (size > this.#o.maxEntryBytes) {
        throw new CacheError(
          'E_VALUE_TOO_LARGE',
          `sqliteTier: entry for key '${key}' is ${size} bytes, over the ${this.name} tier's maxEntryBytes of ${this.#o.maxEntryBytes}`,
        )
      }
      let tagList: string[] = []
      if (tags !== undefined && tags !== null) {
        if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
          throw new CacheError(
            'E_INVALID_VALUE',
            `sqliteTier: entry for key '${key}' has tags that are not an array of strings`,
          )
        }
        if (tags.length > 0) tagList = [...new Set(tags)]
      }
      rows[i] = [
        key,
        entry.value,
        createdAt,
        expiresAt,
        staleUntil,
        tagList.length > 0 ? JSON.stringify(tagList) : null,
        size,
        tagList,
      ]
    }
    return rows
  }

  /** Inside a write transaction: writes batched access times, deletes expired rows that reads found. */
  #housekeeping(now: number): void {
    const touched = this.#touched
    if (touched !== undefined && touched.size > 0) {
      for (const [key, at] of touched) this.#sTouch.run(at, key, at)
      touched.clear()
    }
    if (this.#expired.size > 0) {
      for (const key of this.#expired) this.#expirations += this.#sDeleteIfExpired.run(key, now).changes
      this.#expired.clear()
    }
  }

  /**
   * Inside a write transaction, after its writes: brings the table back under `maxEntries` / `maxBytes`.
   * Expired rows go first; then rows by ascending `accessed_at` (last write or batched read), oldest first.
   */
  #enforceCaps(now: number): void {
    const { maxEntries, maxBytes, table } = this.#o
    let [entries, bytes] = this.#sCounters.get(table) as [number, number]
    if (entries <= maxEntries && bytes <= maxBytes) return
    this.#expirations += this.#sDeleteExpired.run(now, Math.max(PRUNE_BATCH, entries - maxEntries)).changes
    ;[entries, bytes] = this.#sCounters.get(table) as [number, number]
    if (entries > maxEntries) {
      this.#evictions += this.#sEvictEntries.run(entries - maxEntries).changes
      ;[entries, bytes] = this.#sCounters.get(table) as [number, number]
    }
    while (bytes > maxBytes) {
      const victims = this.#sEvictScan.all(EVICT_SCAN) as [number, number][]
      if (victims.length === 0) break
      for (const [rowid, size] of victims) {
        this.#evictions += this.#sDeleteRowid.run(rowid).changes
        bytes -= size
        if (bytes <= maxBytes) break
      }
    }
  }

  async #prune(): Promise<number> {
    this.#lastPrune = this.#now()
    let total = 0
    for (;;) {
      const deleted = await this.#write('prune', () => {
        const now = this.#now()
        return this.#txRun.immediate(this.#sDeleteExpired, [now, PRUNE_BATCH], now)
      })
      total += deleted
      if (deleted < PRUNE_BATCH || this.#closed) break
      await new Promise((resolve) => setImmediate(resolve)) // let other work (and processes) in between
    }
    this.#expirations += total
    if (total > 0 && !this.#closed) {
      // Give free pages back when a quarter of the file is free (files created with auto_vacuum=INCREMENTAL).
      await this.#write('prune', () => {
        const free = this.#db.pragma('freelist_count', { simple: true }) as number
        const pages = this.#db.pragma('page_count', { simple: true }) as number
        if (free > 256 && free * 4 > pages) this.#db.pragma('incremental_vacuum')
      })
    }
    return total
  }

  #tick(): void {
    if (this.#closed) return
    if (this.#expired.size > 0 || (this.#touched?.size ?? 0) > 0) {
      this.#write('flush', () => this.#txHousekeeping.immediate(this.#now())).catch(noop)
    }
    if (this.#pruneEvery !== undefined && this.#now() - this.#lastPrune >= this.#pruneEvery) {
      this.prune().catch(noop)
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      if (!this.#closed) this.#write('flush', () => this.#txHousekeeping.immediate(this.#now())).catch(noop)
    })
  }

  /**
   * Runs a write now when no other write of this instance is waiting; otherwise, or when the lock is busy,
   * queues it behind them (so one instance's writes keep their order) and retries until `busyTimeout`.
   */
  #write<T>(what: string, op: () => T): Promise<T> {
    if (this.#closed) return this.#rejectClosed()
    if (this.#batch !== undefined) this.#flushBatch() // keep call order: sets issued before this write go first
    let first: unknown
    if (this.#queued === 0) {
      try {
        return Promise.resolve(op())
      } catch (err) {
        if (!isBusy(err)) return Promise.reject(this.#wrap(what, err))
        first = err
      }
    }
    this.#queued++
    const deadline = Date.now() + this.#o.busyTimeout
    const run = this.#tail.then(() => this.#attempt(what, op, deadline, first))
    this.#tail = run.then(noop, noop)
    return run.finally(() => {
      this.#queued--
    })
  }

  /** Retries a read (no ordering needed) after it met a busy lock. */
  #retry<T>(what: string, err: unknown, op: () => T): Promise<T> {
    if (!isBusy(err)) return Promise.reject(this.#wrap(what, err))
    return this.#attempt(what, op, Date.now() + this.#o.busyTimeout, err)
  }

  async #attempt<T>(what: string, op: () => T, deadline: number, failed: unknown): Promise<T> {
    let delay = BACKOFF_MIN_MS
    let last = failed
    for (;;) {
      if (last !== undefined) {
        if (Date.now() >= deadline) {
          throw new CacheError(
            'E_TIER_TIMEOUT',
            `sqliteTier: ${what} on '${this.path}' could not take the database lock within busyTimeout (${this.#o.busyTimeout} ms)`,
            { cause: last },
          )
        }
        await backoff(delay)
        delay = Math.min(delay * 2, BACKOFF_MAX_MS)
      }
      if (!this.#db.open) throw this.#closedError()
      try {
        return op()
      } catch (err) {
        if (!isBusy(err)) throw this.#wrap(what, err)
        last = err
      }
    }
  }

  #statement(sql: string): Statement {
    let stmt = this.#prepared.get(sql)
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql)
      if (this.#prepared.size < 64) this.#prepared.set(sql, stmt)
    }
    return stmt
  }

  #diskUsage(): { sizeOnDisk: number; walBytes: number } {
    if (this.path === ':memory:') {
      const pages = this.#db.pragma('page_count', { simple: true }) as number
      const pageSize = this.#db.pragma('page_size', { simple: true }) as number
      return { sizeOnDisk: pages * pageSize, walBytes: 0 }
    }
    const size = (file: string) => {
      try {
        return statSync(file).size
      } catch {
        return 0
      }
    }
    const walBytes = size(`${this.path}-wal`)
    return { sizeOnDisk: size(this.path) + walBytes, walBytes }
  }

  #wrap(what: string, err: unknown): CacheError {
    if (err instanceof CacheError) return err
    const message = err instanceof Error ? err.message : String(err)
    return new CacheError('E_TIER_ERROR', `sqliteTier: ${what} on '${this.path}' failed: ${message}`, {
      cause: err,
    })
  }

  #closedError(): CacheError {
    return new CacheError('E_CLOSED', `sqliteTier: the ${this.name} tier ('${this.path}') is closed`)
  }

  #rejectClosed<T>(): Promise<T> {
    return Promise.reject(this.#closedError())
  }
}

/** Opens, checks and (if needed) migrates the file; see `schema.ts`. */
function openDatabase(o: ResolvedOptions): Database.Database {
  let db: Database.Database
  try {
    // During setup the native busy handler may wait the whole busyTimeout: it runs once, at startup.
    db = new Database(o.path, { timeout: o.busyTimeout })
  } catch (err) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `sqliteTier: cannot open path '${o.path}': ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  try {
    const capped = Number.isFinite(o.maxEntries) || Number.isFinite(o.maxBytes)
    const { fresh, needsWork } = inspect(db, o.path, o.table, capped)
    // Must precede the first write of a new file; lets prune() hand free pages back to the file system.
    if (fresh) db.pragma('auto_vacuum = INCREMENTAL')
    db.pragma('journal_mode = WAL')
    // In WAL mode NORMAL never corrupts; a commit survives a process crash, and only a power loss or OS
    // crash may roll back the last transactions.
    db.pragma('synchronous = NORMAL')
    if (needsWork) migrate(db, o.path, o.table, capped)
    db.pragma(`busy_timeout = ${Math.min(NATIVE_BUSY_SLICE_MS, o.busyTimeout)}`)
    return db
  } catch (err) {
    db.close()
    if (err instanceof CacheError) throw err
    const code = (err as { code?: string }).code
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `sqliteTier: path '${o.path}' is not a usable SQLite database (${code}); the file was not modified`,
        {
          cause: err,
        },
      )
    }
    if (isBusy(err)) {
      throw new CacheError(
        'E_TIER_TIMEOUT',
        `sqliteTier: could not lock '${o.path}' to set it up within busyTimeout (${o.busyTimeout} ms)`,
        {
          cause: err,
        },
      )
    }
    throw new CacheError('E_TIER_ERROR', `sqliteTier: cannot set up '${o.path}': ${(err as Error).message}`, {
      cause: err,
    })
  }
}

function rangeSql(range: PrefixRange): string {
  let sql = range.upper === undefined ? 'key >= ?' : 'key >= ? AND key < ?'
  if (!range.exact) sql += ' AND substr(key, 1, ?) = ?'
  return sql
}

function rangeParams(range: PrefixRange): unknown[] {
  const params: unknown[] = [range.lower]
  if (range.upper !== undefined) params.push(range.upper)
  if (!range.exact) params.push(range.length, range.lower)
  return params
}

function isTime(t: unknown): t is number {
  return typeof t === 'number' && !Number.isNaN(t)
}

function badKey(key: unknown): CacheError {
  return new CacheError(
    'E_INVALID_KEY',
    `sqliteTier: a key must be a string, got ${key === null ? 'null' : typeof key}`,
  )
}

function badPrefix(prefix: unknown): CacheError {
  return new CacheError(
    'E_INVALID_KEY',
    `sqliteTier: a prefix must be a string, got ${prefix === null ? 'null' : typeof prefix}`,
  )
}

function checkKeys(keys: unknown): CacheError | undefined {
  if (!Array.isArray(keys))
    return new CacheError('E_INVALID_KEY', 'sqliteTier: keys must be an array of strings')
  for (const key of keys) if (typeof key !== 'string') return badKey(key)
  return undefined
}

/** Creates the persistent SQLite tier. See {@link SqliteTierOptions}. */
export function sqliteTier(options: SqliteTierOptions): SqliteTier {
  return new SqliteTier(options)
}
