import { type ByteSize, CacheError, type Duration, parseBytes, parseDuration } from '@tierstack/core'

/** Options of `sqliteTier`. */
export interface SqliteTierOptions {
  /**
   * Path of the database file (created if missing, with its directory's permissions). Several processes of
   * the same application may open the same file. `':memory:'` gives a private, non-persistent database (tests).
   */
  path: string
  /**
   * Name of the entries table. Tables of several tiers can live in one file. Letters, digits and `_`,
   * starting with a letter or `_`, at most 48 characters; the tier also creates `<table>_tags`.
   * @default 'tierstack_cache'
   */
  table?: string
  /**
   * Size cap: the sum, over stored rows, of the envelope's byte length plus the key's UTF-8 byte length.
   * Page overhead, indexes, the tags table and the WAL are not counted, so the file on disk is larger
   * (typically 1.1–1.5×). Bytes or a string like `'500mb'`. Past it, least-recently-accessed rows are evicted.
   * @default unbounded
   */
  maxBytes?: ByteSize
  /** Cap on stored rows (expired rows not yet pruned count). Past it, least-recently-accessed rows are evicted. @default unbounded */
  maxEntries?: number
  /**
   * Largest single entry (envelope + key bytes, as counted by `maxBytes`); `set` / `setMany` reject a bigger
   * one with `E_VALUE_TOO_LARGE` and write nothing. Bytes or a string. @default maxBytes
   */
  maxEntryBytes?: ByteSize
  /**
   * How often expired rows are deleted in the background (an `unref`ed timer), as a duration (`'30s'`) or
   * ms. `0` or `'infinite'` disables the timer; expired rows are then only removed opportunistically
   * (after a read found them, and when a cap is reached). @default '1m'
   */
  pruneInterval?: Duration
  /**
   * How long an operation waits for another process's write lock before it fails with `E_TIER_TIMEOUT`.
   * `SQLITE_BUSY` never reaches the caller: the wait is done in short native slices (at most 25 ms of a
   * blocked event loop each) with asynchronous back-off in between. @default '5s'
   */
  busyTimeout?: Duration
  /** Tier name used in namespace `tiers` lists, stats and events. @default 'sqlite' */
  name?: string
  /** Clock in epoch ms (tests). All processes sharing a file must agree on it. @default Date.now */
  now?: () => number
}

/** Options after validation, in milliseconds and bytes. */
export interface ResolvedOptions {
  path: string
  table: string
  maxBytes: number
  maxEntries: number
  maxEntryBytes: number
  pruneInterval: number
  busyTimeout: number
  name: string
  now: () => number
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

function invalid(message: string): CacheError {
  return new CacheError('E_INVALID_OPTION', `sqliteTier: ${message}`)
}

function bytesOption(value: ByteSize | undefined, option: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  const bytes = parseBytes(value, `sqliteTier: ${option}`)
  if (bytes === 0) throw invalid(`${option} must be greater than 0, got ${String(value)}`)
  return bytes
}

/** Validates the options once, naming the offending option in the `CacheError`. */
export function resolveOptions(options: SqliteTierOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object with a path')
  const { path } = options
  if (typeof path !== 'string' || path === '') {
    throw invalid(`path must be a non-empty string (a file path or ':memory:'), got ${String(path)}`)
  }
  const table = options.table ?? 'tierstack_cache'
  if (typeof table !== 'string' || !TABLE_NAME.test(table) || /^(sqlite_|tierstack_tables$)/i.test(table)) {
    throw invalid(
      `table must be 1–48 letters, digits or '_' (not starting with a digit or 'sqlite_', not 'tierstack_tables'), got ${String(table)}`,
    )
  }
  const maxBytes = bytesOption(options.maxBytes, 'maxBytes')
  const maxEntryBytes =
    options.maxEntryBytes === undefined ? maxBytes : bytesOption(options.maxEntryBytes, 'maxEntryBytes')
  let maxEntries = Number.POSITIVE_INFINITY
  if (options.maxEntries !== undefined) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw invalid(`maxEntries must be a positive integer, got ${String(options.maxEntries)}`)
    }
    maxEntries = options.maxEntries
  }
  const pruneInterval = parseDuration(
    options.pruneInterval ?? 60_000,
    'sqliteTier: pruneInterval',
    'E_INVALID_OPTION',
  )
  const busyTimeout = parseDuration(
    options.busyTimeout ?? 5_000,
    'sqliteTier: busyTimeout',
    'E_INVALID_OPTION',
  )
  if (!Number.isFinite(busyTimeout)) throw invalid('busyTimeout must be finite')
  const name = options.name ?? 'sqlite'
  if (typeof name !== 'string' || name === '')
    throw invalid(`name must be a non-empty string, got ${String(name)}`)
  const now = options.now ?? Date.now
  if (typeof now !== 'function') throw invalid('now must be a function returning epoch ms')
  return { path, table, maxBytes, maxEntries, maxEntryBytes, pruneInterval, busyTimeout, name, now }
}
