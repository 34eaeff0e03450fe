/**
 * `bench sqlite`: get and set throughput of the SQLite tier alone, of tierstack stacks on it (sqlite only,
 * memory + sqlite) and of Keyv + @keyv/sqlite (its defaults, and tuned to WAL like ours), all in the same
 * run, each on its own file in one temporary directory. Gets are hits on populated keys (uniform random);
 * sets overwrite populated keys. Ratios are against Keyv + @keyv/sqlite with its defaults.
 *
 *   pnpm --filter bench bench sqlite [--keys 10000] [--l1 1000] [--zipf 0] [--concurrency 1,16] [--time 2000]
 *                                    [--warmup 500] [--runs 3] [--subjects tier,tierstack,…] [--json]
 *
 * `--zipf s` draws keys from a Zipf distribution with exponent s (rank 0 most popular) instead of uniformly,
 * which is where a small memory tier in front of SQLite earns its place.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type Command,
  jsonFlag,
  markdownTable,
  note,
  output,
  parseIntList,
  parseNameList,
} from '../command.js'
import { formatRate, median } from '../workloads/measure.js'
import { seededRandom, zipfIndices } from '../workloads/random.js'

/** One cache under test, reduced to what the workload needs. */
interface SqliteSubject {
  readonly name: string
  get(key: string): Promise<unknown>
  set(key: string, value: unknown): Promise<unknown>
  close(): Promise<void>
  /** Wraps the initial fill (not measured) in one transaction, where a subject would otherwise fsync each write. */
  bulk?(fill: () => Promise<void>): Promise<void>
}

interface SubjectConfig {
  /** A fresh database file for this subject. */
  path: string
  /** L1 capacity in entries (memory + sqlite stack). */
  l1: number
}

type SubjectFactory = (config: SubjectConfig) => Promise<SqliteSubject>

/**
 * The tier by itself, through the `Tier` API the engine uses: envelope bytes in and out. Values are
 * serialized to JSON and wrapped in an envelope on set, and unwrapped and parsed on get, so the work matches
 * what Keyv does (JSON) — this is the storage floor under the engine.
 */
const tierSubject: SubjectFactory = async ({ path }) => {
  const { decodeEnvelope, encodeEnvelope } = await import('@tierstack/core')
  const { sqliteTier } = await import('@tierstack/tier-sqlite')
  const tier = sqliteTier({ path })
  const utf8 = new TextEncoder()
  const fromUtf8 = new TextDecoder()
  return {
    name: 'sqliteTier (Tier API + JSON)',
    get: async (key) => {
      const entry = await tier.get(key)
      return entry === undefined
        ? undefined
        : JSON.parse(fromUtf8.decode(decodeEnvelope(entry.value as Uint8Array).payload))
    },
    set: (key, value) => {
      const createdAt = Date.now()
      const expiresAt = createdAt + 3_600_000
      const header = { createdAt, expiresAt, staleUntil: expiresAt, tags: [], serializer: 'json', codecs: [] }
      const bytes = encodeEnvelope(header, utf8.encode(JSON.stringify(value)))
      return tier.set(key, { value: bytes, createdAt, expiresAt, staleUntil: expiresAt, tags: [] })
    },
    close: () => tier.close(),
  }
}

function tierstackSubject(withMemory: boolean): SubjectFactory {
  return async ({ path, l1 }) => {
    const { createCache, memoryTier } = await import('@tierstack/core')
    const { sqliteTier } = await import('@tierstack/tier-sqlite')
    const tiers = withMemory ? [memoryTier({ maxEntries: l1 }), sqliteTier({ path })] : [sqliteTier({ path })]
    const cache = createCache({ tiers, defaults: { ttl: '1h' } })
    return {
      name: withMemory ? `tierstack memory(${l1})+sqlite` : 'tierstack sqlite',
      get: (key) => cache.get(key),
      set: (key, value) => cache.set(key, value),
      close: () => cache.close(),
    }
  }
}

function keyvSubject(wal: boolean): SubjectFactory {
  return async ({ path }) => {
    const { Keyv } = await import('keyv')
    const { default: KeyvSqlite } = await import('@keyv/sqlite')
    const store = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5_000 })
    if (wal) {
      await store.query('PRAGMA journal_mode = WAL')
      await store.query('PRAGMA synchronous = NORMAL')
    }
    const keyv = new Keyv({ store, ttl: 3_600_000 })
    return {
      name: wal ? 'Keyv + @keyv/sqlite (WAL, sync=NORMAL)' : 'Keyv + @keyv/sqlite',
      get: (key) => keyv.get(key),
      set: (key, value) => keyv.set(key, value),
      close: () => keyv.disconnect(),
      bulk: async (fill) => {
        await store.query('BEGIN')
        await fill()
        await store.query('COMMIT')
      },
    }
  }
}

/** Subjects by command-line name, in table order. `keyv` is the baseline of the ratios. */
const subjects: Record<string, SubjectFactory> = {
  keyv: keyvSubject(false),
  'keyv-wal': keyvSubject(true),
  tier: tierSubject,
  tierstack: tierstackSubject(false),
  'tierstack-memory': tierstackSubject(true),
}

/** One measured figure. */
export interface SqliteBenchRow {
  subject: string
  op: 'get' | 'set'
  concurrency: number
  /** Median over the runs. */
  opsPerSec: number
  /** opsPerSec / Keyv + @keyv/sqlite's (same op, concurrency and run). */
  ratioToKeyv: number
  /** Share of gets that returned a value (must be 1: gets are hits); `null` for sets. */
  hitRatio: number | null
  runs: number[]
}

function valueFor(i: number): unknown {
  return {
    id: i,
    name: `user-${i}`,
    email: `user-${i}@example.com`,
    roles: ['reader', 'writer'],
    score: i / 7,
  }
}

/**
 * `concurrency` callers, each awaiting one call after another, for `timeMs`; returns ops/s and hits. The
 * clock is read every 64 calls rather than with a timer: a SQLite tier answers with already-settled promises,
 * so the callers never yield to the timer queue.
 */
async function measure(
  subject: SqliteSubject,
  op: 'get' | 'set',
  keys: string[],
  sequence: Uint32Array,
  concurrency: number,
  timeMs: number,
): Promise<{ opsPerSec: number; hits: number; calls: number }> {
  let calls = 0
  let hits = 0
  const start = performance.now()
  const end = start + timeMs
  const worker = async (w: number) => {
    let i = w * 7919
    for (;;) {
      for (let j = 0; j < 64; j++) {
        const k = sequence[i++ % sequence.length]!
        if (op === 'get') {
          const value = await subject.get(keys[k]!)
          if (value !== undefined && value !== null) hits++
        } else {
          await subject.set(keys[k]!, valueFor(k))
        }
        calls++
      }
      if (performance.now() >= end) return
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  const elapsed = performance.now() - start
  return { opsPerSec: (calls * 1000) / elapsed, hits, calls }
}

async function populate(subject: SqliteSubject, keys: string[]): Promise<void> {
  const fill = async () => {
    for (let start = 0; start < keys.length; start += 256) {
      await Promise.all(keys.slice(start, start + 256).map((k, j) => subject.set(k, valueFor(start + j))))
    }
  }
  await (subject.bulk ? subject.bulk(fill) : fill())
}

export const command: Command = {
  name: 'sqlite',
  description: 'SQLite tier, tierstack sqlite and memory+sqlite stacks vs Keyv + @keyv/sqlite: get/set ops/s',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...jsonFlag,
        keys: { type: 'string', default: '10000' },
        l1: { type: 'string', default: '1000' },
        zipf: { type: 'string', default: '0' },
        concurrency: { type: 'string', default: '1,16' },
        time: { type: 'string', default: '2000' },
        warmup: { type: 'string', default: '500' },
        runs: { type: 'string', default: '3' },
        subjects: { type: 'string', default: Object.keys(subjects).join(',') },
      },
    })
    const int = (flag: string, v: string) => {
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n <= 0)
        throw new Error(`--${flag} must be a positive integer, got '${v}'`)
      return n
    }
    const keyCount = int('keys', values.keys)
    const l1 = int('l1', values.l1)
    const zipf = Number(values.zipf)
    if (!Number.isFinite(zipf) || zipf < 0)
      throw new Error(`--zipf must be a number >= 0, got '${values.zipf}'`)
    const concurrencies = parseIntList(values.concurrency, '--concurrency')
    const timeMs = int('time', values.time)
    const warmupMs = int('warmup', values.warmup)
    const runs = int('runs', values.runs)
    const names = parseNameList(values.subjects)
    for (const n of names) {
      if (!(n in subjects))
        throw new Error(`unknown subject '${n}' (known: ${Object.keys(subjects).join(', ')})`)
    }
    if (!names.includes('keyv')) names.unshift('keyv')

    const dir = mkdtempSync(join(tmpdir(), 'bench-sqlite-'))
    const keys = Array.from({ length: keyCount }, (_, i) => `user:${i}`)
    const random = seededRandom(42)
    let sequence: Uint32Array = new Uint32Array(1 << 16)
    if (zipf > 0) sequence = zipfIndices(keyCount, zipf, sequence.length, random)
    else for (let i = 0; i < sequence.length; i++) sequence[i] = Math.floor(random() * keyCount)

    const built: SqliteSubject[] = []
    try {
      for (const n of names) {
        const subject = await subjects[n]!({ path: join(dir, `${n}.db`), l1 })
        built.push(subject)
        note(`populating ${subject.name} (${keyCount} keys)…`)
        await populate(subject, keys)
        await measure(subject, 'get', keys, sequence, 1, warmupMs)
        await measure(subject, 'set', keys, sequence, 1, warmupMs)
      }
      type Acc = { ops: number[]; hits: number; calls: number }
      const results = new Map<string, Acc>()
      const id = (s: SqliteSubject, op: string, c: number) => `${s.name}|${op}|${c}`
      for (let r = 0; r < runs; r++) {
        // Rotate the order so no subject always runs right after the same one.
        const order = built.map((_, i) => built[(i + r) % built.length]!)
        for (const op of ['get', 'set'] as const) {
          for (const c of concurrencies) {
            for (const subject of order) {
              const m = await measure(subject, op, keys, sequence, c, timeMs)
              const acc = results.get(id(subject, op, c)) ?? { ops: [], hits: 0, calls: 0 }
              results.set(id(subject, op, c), acc)
              acc.ops.push(m.opsPerSec)
              acc.hits += m.hits
              acc.calls += m.calls
              note(`run ${r + 1}/${runs} ${op} ×${c} ${subject.name}: ${formatRate(m.opsPerSec)} ops/s`)
            }
          }
        }
      }
      const rows: SqliteBenchRow[] = []
      for (const op of ['get', 'set'] as const) {
        for (const c of concurrencies) {
          const baseline = median(results.get(id(built[0]!, op, c))!.ops)
          for (const s of built) {
            const acc = results.get(id(s, op, c))!
            const ops = median(acc.ops)
            rows.push({
              subject: s.name,
              op,
              concurrency: c,
              opsPerSec: ops,
              ratioToKeyv: ops / baseline,
              hitRatio: op === 'get' ? acc.hits / acc.calls : null,
              runs: acc.ops,
            })
          }
        }
      }
      const distribution = zipf > 0 ? `Zipf s=${zipf}` : 'uniform'
      const summary = { keys: keyCount, l1, distribution, concurrencies, timeMs, runs, rows }
      output(values.json, summary, () => {
        const table = markdownTable(
          ['op', 'concurrency', 'subject', 'ops/s', '× Keyv+@keyv/sqlite', 'hit ratio'],
          rows.map((row) => [
            row.op,
            row.concurrency,
            row.subject,
            formatRate(row.opsPerSec),
            row.ratioToKeyv.toFixed(2),
            row.hitRatio === null ? '-' : `${(row.hitRatio * 100).toFixed(1)}%`,
          ]),
        )
        return `SQLite: ${keyCount} keys (${distribution}), gets are hits, sets overwrite; median of ${runs} × ${timeMs} ms\n\n${table}`
      })
    } finally {
      for (const s of built) await s.close().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

export default command
