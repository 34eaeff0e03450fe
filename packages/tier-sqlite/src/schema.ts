import { CacheError } from '@tierstack/core'
import type BetterSqlite3 from 'better-sqlite3'

/**
 * The on-disk schema, versioned with `PRAGMA user_version` and marked with `PRAGMA application_id`.
 *
 * One file may hold the tables of several tiers (option `table`); `tierstack_tables` lists them.
 *
 * Per tier table `T`:
 * - `T` (rowid table; `key` has its unique index): the envelope BLOB plus the columns the tier needs without
 *   parsing it — times (REAL, `Infinity` allowed), tags as a JSON array (NULL when untagged), `size` (what
 *   `maxBytes` counts) and `accessed_at` (for least-recent-access eviction).
 * - an index on `stale_until` (expiry: prune and expired-first eviction).
 * - `T_tags (tag, key)`: primary key `(tag, key)` for `deleteByTag`, index on `key` for the cleanup.
 * - triggers that remove tag rows when their entry is deleted or its tags are rewritten. Triggers rather than
 *   foreign keys because they fire for every connection, including one opened without `PRAGMA foreign_keys`.
 *
 * Cap support, added by the first tier opened with `maxEntries` / `maxBytes` (see `ensureCapSupport`): an
 * index on `accessed_at` (eviction order) and triggers keeping the row and byte counters of
 * `tierstack_tables` exact inside every write transaction, so a cap check never needs a `count(*)` scan and
 * stays right with several processes writing. An uncapped table pays for neither on its writes.
 *
 * Migrations: `MIGRATIONS[v]` takes a file from version `v` to `v + 1` (for every table in
 * `tierstack_tables`); they run in one `BEGIN IMMEDIATE` transaction, so concurrent openers serialize and the
 * second sees the work done. A file with a newer version than this code knows is refused before anything
 * is written to it.
 */
export const SCHEMA_VERSION = 1
/** 'TSC1' — marks the file as a tierstack cache (`PRAGMA application_id`). */
export const APPLICATION_ID = 0x54534331

type Db = BetterSqlite3.Database

const MIGRATIONS: ((db: Db, tables: string[]) => void)[] = [
  // 0 → 1: the registry. Tables themselves are created by `ensureTable` at the current version.
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS tierstack_tables (
      name TEXT PRIMARY KEY NOT NULL,
      entries INTEGER NOT NULL DEFAULT 0,
      bytes INTEGER NOT NULL DEFAULT 0
    )`)
  },
]

/** `"name"` — callers validate `name` against `[A-Za-z0-9_]`, so no escaping is needed. */
export const q = (name: string): string => `"${name}"`

function refuse(path: string, why: string): CacheError {
  return new CacheError(
    'E_INVALID_OPTION',
    `sqliteTier: refusing to open '${path}': ${why}; the file was not modified`,
  )
}

/**
 * Checks the file before anything is written to it: refuses a file of another application or of a newer
 * tierstack schema. Returns whether the file still needs work (migration or this table's creation).
 */
export function inspect(
  db: Db,
  path: string,
  table: string,
  capped: boolean,
): { fresh: boolean; needsWork: boolean } {
  const applicationId = db.pragma('application_id', { simple: true }) as number
  const version = db.pragma('user_version', { simple: true }) as number
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw refuse(path, `it belongs to another application (application_id 0x${applicationId.toString(16)})`)
  }
  if (applicationId === 0 && version !== 0) {
    throw refuse(path, `it is not a tierstack cache (user_version ${version} was set by another application)`)
  }
  if (version > SCHEMA_VERSION) {
    throw refuse(
      path,
      `it was written by a newer @tierstack/tier-sqlite (schema version ${version}, this one knows up to ${SCHEMA_VERSION}); upgrade the package or use another path`,
    )
  }
  const pages = db.pragma('page_count', { simple: true }) as number
  if (version < SCHEMA_VERSION) return { fresh: pages === 0, needsWork: true }
  const registered = db.prepare('SELECT 1 FROM tierstack_tables WHERE name = ?').get(table) !== undefined
  return { fresh: false, needsWork: !registered || (capped && !hasCapSupport(db, table)) }
}

/** Runs pending migrations, creates `table` and (for a capped tier) its cap support, in one transaction. */
export function migrate(db: Db, path: string, table: string, capped: boolean): void {
  db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated since `inspect`.
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION)
      throw refuse(path, `another process upgraded it to schema version ${version}`)
    const tables =
      version === 0 ? [] : (db.prepare('SELECT name FROM tierstack_tables').pluck().all() as string[])
    for (let v = version; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db, tables)
    // A registry row created for a table that already has counters (lost row): count its rows again.
    if (ensureTable(db, table) && hasCapSupport(db, table)) recount(db, table)
    if (capped) ensureCapSupport(db, table)
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`)
    db.pragma(`application_id = ${APPLICATION_ID}`)
  }).immediate()
}

/** Creates the table and its companions if missing; returns `true` when it (re-)registered the table. */
function ensureTable(db: Db, table: string): boolean {
  const t = q(table)
  const tags = q(`${table}_tags`)
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${t} (
      key TEXT PRIMARY KEY NOT NULL,
      value BLOB NOT NULL,
      created_at REAL NOT NULL,
      expires_at REAL NOT NULL,
      stale_until REAL NOT NULL,
      tags TEXT,
      size INTEGER NOT NULL,
      accessed_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${q(`${table}_stale_until`)} ON ${t} (stale_until);
    CREATE TABLE IF NOT EXISTS ${tags} (
      tag TEXT NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (tag, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS ${q(`${table}_tags_key`)} ON ${tags} (key);
    CREATE TRIGGER IF NOT EXISTS ${q(`${table}_tags_delete`)} AFTER DELETE ON ${t} WHEN old.tags IS NOT NULL BEGIN
      DELETE FROM ${tags} WHERE key = old.key;
    END;
    CREATE TRIGGER IF NOT EXISTS ${q(`${table}_tags_rewrite`)} AFTER UPDATE OF tags ON ${t} WHEN old.tags IS NOT NULL BEGIN
      DELETE FROM ${tags} WHERE key = old.key;
    END;
  `)
  const info = db
    .prepare('INSERT INTO tierstack_tables (name) VALUES (?) ON CONFLICT (name) DO NOTHING')
    .run(table)
  return info.changes > 0
}

/** Name of the trigger whose presence says the table has cap support. */
const countTrigger = (table: string) => `${table}_count_insert`

/** `true` once a capped tier has added the recency index and the counters to `table`. */
export function hasCapSupport(db: Db, table: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(countTrigger(table)) !==
    undefined
  )
}

/**
 * Adds the recency index and the counter triggers to `table`, and sets the counters from its rows — in the
 * caller's write transaction, so no write of another process can slip between the count and the triggers.
 */
function ensureCapSupport(db: Db, table: string): void {
  if (hasCapSupport(db, table)) return
  const t = q(table)
  const lit = `'${table}'`
  db.exec(`
    CREATE INDEX IF NOT EXISTS ${q(`${table}_accessed_at`)} ON ${t} (accessed_at);
    CREATE TRIGGER ${q(countTrigger(table))} AFTER INSERT ON ${t} BEGIN
      UPDATE tierstack_tables SET entries = entries + 1, bytes = bytes + new.size WHERE name = ${lit};
    END;
    CREATE TRIGGER IF NOT EXISTS ${q(`${table}_count_delete`)} AFTER DELETE ON ${t} BEGIN
      UPDATE tierstack_tables SET entries = entries - 1, bytes = bytes - old.size WHERE name = ${lit};
    END;
    CREATE TRIGGER IF NOT EXISTS ${q(`${table}_count_size`)} AFTER UPDATE OF size ON ${t} BEGIN
      UPDATE tierstack_tables SET bytes = bytes - old.size + new.size WHERE name = ${lit};
    END;
  `)
  recount(db, table)
}

/** Sets the counters of `table` from its rows (when they start being maintained, or were lost). */
function recount(db: Db, table: string): void {
  const t = q(table)
  db.prepare(
    `UPDATE tierstack_tables
     SET entries = (SELECT count(*) FROM ${t}), bytes = (SELECT coalesce(sum(size), 0) FROM ${t})
     WHERE name = ?`,
  ).run(table)
}
