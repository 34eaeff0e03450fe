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
import { defineCommand, markdownTable, note, output } from '../command.js'
import { flag, timingFlags } from '../flags.js'
import { type CacheSubject, populate, usingSubjects } from '../subjects.js'
import { cross, interleave } from '../workloads/interleave.js'
import { measureKeyed } from '../workloads/keyed.js'
import { formatRate, median } from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices, zipfIndices } from '../workloads/random.js'

interface SubjectConfig {
  /** A fresh database file for this subject. */
  path: string
  /** L1 capacity in entries (memory + sqlite stack). */
  l1: number
}

type SubjectFactory = (config: SubjectConfig) => Promise<CacheSubject>

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
 * `concurrency` callers of `op` for `timeMs` of wall time. The clock is read every 64 calls rather than with a
 * timer: a SQLite tier answers with already-settled promises, so the callers never yield to the timer queue.
 */
function measure(
  subject: CacheSubject,
  op: 'get' | 'set',
  keys: string[],
  sequence: Uint32Array,
  concurrency: number,
  timeMs: number,
) {
  return measureKeyed(subject, op, keys, sequence, valueFor, {
    timeMs,
    concurrency,
    checkEvery: 64,
    clock: 'wall',
  })
}

export const command = defineCommand({
  name: 'sqlite',
  description: 'SQLite tier, tierstack sqlite and memory+sqlite stacks vs Keyv + @keyv/sqlite: get/set ops/s',
  flags: {
    keys: flag.int(10_000, 'populated keys'),
    l1: flag.int(1000, 'memory tier capacity of the memory+sqlite stack, entries'),
    zipf: flag.number(0, 'Zipf exponent of the key distribution (0: uniform)'),
    concurrency: flag.ints([1, 16], 'callers in flight'),
    ...timingFlags({ time: 2000, warmup: 500, runs: 3 }),
    subjects: flag.subjects(Object.keys(subjects), 'keyv'),
  },
  async run(o) {
    const { l1, zipf, runs, keys: keyCount, concurrency: concurrencies, time: timeMs, subjects: names } = o

    const dir = mkdtempSync(join(tmpdir(), 'bench-sqlite-'))
    const keys = makeKeys(keyCount, 'user:')
    const random = seededRandom(42)
    const sequence =
      zipf > 0 ? zipfIndices(keyCount, zipf, 1 << 16, random) : uniformIndices(keyCount, 1 << 16, random)

    try {
      await usingSubjects(
        names.map((n) => () => subjects[n]!({ path: join(dir, `${n}.db`), l1 })),
        async (subject) => {
          note(`populating ${subject.name} (${keyCount} keys)…`)
          await populate(subject, keys, valueFor)
          await measure(subject, 'get', keys, sequence, 1, o.warmup)
          await measure(subject, 'set', keys, sequence, 1, o.warmup)
        },
        async (built) => {
          const cases = cross(cross(['get', 'set'] as const, concurrencies), built)
          const samples = await interleave(cases, runs, async ([[op, c], subject], r) => {
            const m = await measure(subject, op, keys, sequence, c, timeMs)
            note(`run ${r + 1}/${runs} ${op} ×${c} ${subject.name}: ${formatRate(m.opsPerSec)} ops/s`)
            return m
          })
          const rows: SqliteBenchRow[] = []
          for (const [i, [[op, c], s]] of cases.entries()) {
            const list = samples[i]!
            const baseline =
              samples[cases.findIndex(([[bo, bc], b]) => bo === op && bc === c && b === built[0])]!
            const ops = median(list.map((m) => m.opsPerSec))
            const calls = list.reduce((a, m) => a + m.calls, 0)
            rows.push({
              subject: s.name,
              op,
              concurrency: c,
              opsPerSec: ops,
              ratioToKeyv: ops / median(baseline.map((m) => m.opsPerSec)),
              hitRatio: op === 'get' ? list.reduce((a, m) => a + m.hits, 0) / calls : null,
              runs: list.map((m) => m.opsPerSec),
            })
          }
          const distribution = zipf > 0 ? `Zipf s=${zipf}` : 'uniform'
          const summary = { keys: keyCount, l1, distribution, concurrencies, timeMs, runs, rows }
          output(o.json, summary, () => {
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
        },
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
})

export default command
