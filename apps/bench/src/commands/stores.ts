import { LRUCache } from 'lru-cache'
import { defineCommand, formatRatio, markdownTable, note, output } from '../command.js'
import { flag } from '../flags.js'
import { defaultStrategies, loadStrategy } from '../strategies.js'
import { interleave } from '../workloads/interleave.js'
import { type BenchClock, clockMs, formatRate, median } from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices, zipfIndices } from '../workloads/random.js'

/** The calls a strategy-level workload makes: synchronous, as the memory tier makes them. */
interface SyncStore {
  get(key: string): unknown
  set(key: string, value: unknown, expiresAt?: number): unknown
}

/** One row of the JSON output. */
export interface StoreRow {
  strategy: string
  /** Uniform gets over 10k resident keys, per second. */
  getHit: number
  /** Same, every entry with an expiry (the clock is read per hit). */
  getHitExpiring: number
  /** Sets of new keys into a full 10k store (one eviction each), per second. */
  setEvict: number
  /** Zipf 0.99 over 1M keys, get then set on miss, per second. */
  zipf: number
  /** Ratios to raw lru-cache on the same workloads. */
  ratios: { getHit: number; getHitExpiring: number; setEvict: number; zipf: number }
}

/**
 * Calls per second of `fn`, a loop of `ops` synchronous calls: the clock is read only around the loop, and no
 * closure or await sits between the loop and the store (unlike `measureOps`), so raw store speed shows.
 */
function rate(fn: () => void, ops: number, clock: BenchClock): number {
  const start = clockMs(clock)
  fn()
  return (ops * 1000) / (clockMs(clock) - start)
}

export default defineCommand({
  name: 'stores',
  description:
    'strategy level: synchronous BoundedStore get/set ops/s of each strategy vs raw lru-cache (no engine)',
  flags: {
    strategies: flag.names(defaultStrategies, 'strategies to measure'),
    ops: flag.int(2_000_000, 'calls per workload and run'),
    runs: flag.int(5, 'interleaved runs (the median is reported)'),
    clock: flag.clock(),
  },
  async run({ strategies, ops, runs, clock, json }) {
    const N = 10_000
    const random = seededRandom(11)
    const keys = makeKeys(N, 'hit:')
    const fresh = makeKeys(ops, 'new:')
    const seq = uniformIndices(N, 1 << 20, random)
    const zipfKeys = makeKeys(1_000_000, 'zipf:')
    const zipf = zipfIndices(zipfKeys.length, 0.99, 1 << 21, random)
    const storeClock = Date.now
    const later = Date.now() + 3_600_000

    const builders: [string, (expiring: boolean) => SyncStore][] = [
      [
        'lru-cache',
        (expiring) => {
          const lru = new LRUCache<string, {}>({ max: N, ttl: expiring ? 3_600_000 : 0 })
          return { get: (k) => lru.get(k), set: (k, v) => lru.set(k, v as {}) }
        },
      ],
    ]
    for (const name of strategies) {
      const strategy = await loadStrategy(name)
      builders.push([name, () => strategy.create<unknown>({ maxEntries: N, now: storeClock })])
    }

    let sink = 0
    const samples = await interleave(builders, runs, async ([name, build], run) => {
      const s = { getHit: 0, getHitExpiring: 0, setEvict: 0, zipf: 0 }
      for (const expiring of [false, true]) {
        const store = build(expiring)
        for (const k of keys) store.set(k, 1, expiring ? later : undefined)
        const r = rate(
          () => {
            for (let j = 0; j < ops; j++) if (store.get(keys[seq[j & 1048575]!]!) !== undefined) sink++
          },
          ops,
          clock,
        )
        if (expiring) s.getHitExpiring = r
        else s.getHit = r
      }
      const full = build(false)
      for (const k of keys) full.set(k, 1)
      s.setEvict = rate(
        () => {
          for (let j = 0; j < ops; j++) full.set(fresh[j]!, 1)
        },
        ops,
        clock,
      )
      const z = build(false)
      s.zipf = rate(
        () => {
          for (let j = 0; j < ops; j++) {
            const k = zipfKeys[zipf[j & 2097151]!]!
            if (z.get(k) === undefined) z.set(k, 1)
            else sink++
          }
        },
        ops,
        clock,
      )
      note(`run ${run + 1}/${runs} ${name}: get ${formatRate(s.getHit)}/s`)
      return s
    })
    if (sink === -1) note('unreachable')
    const med = samples.map((list) => ({
      getHit: median(list.map((r) => r.getHit)),
      getHitExpiring: median(list.map((r) => r.getHitExpiring)),
      setEvict: median(list.map((r) => r.setEvict)),
      zipf: median(list.map((r) => r.zipf)),
    }))
    const base = med[0]!
    const rows: StoreRow[] = builders.map(([name], i) => {
      const m = med[i]!
      return {
        strategy: name,
        getHit: Math.round(m.getHit),
        getHitExpiring: Math.round(m.getHitExpiring),
        setEvict: Math.round(m.setEvict),
        zipf: Math.round(m.zipf),
        ratios: {
          getHit: m.getHit / base.getHit,
          getHitExpiring: m.getHitExpiring / base.getHitExpiring,
          setEvict: m.setEvict / base.setEvict,
          zipf: m.zipf / base.zipf,
        },
      }
    })
    output(json, rows, () =>
      markdownTable(
        [
          'strategy',
          'get hit/s',
          '×',
          'get hit (expiring)/s',
          '×',
          'set + evict/s',
          '×',
          'Zipf get/set/s',
          '×',
        ],
        rows.map((r) => [
          r.strategy,
          formatRate(r.getHit),
          formatRatio(r.ratios.getHit),
          formatRate(r.getHitExpiring),
          formatRatio(r.ratios.getHitExpiring),
          formatRate(r.setEvict),
          formatRatio(r.ratios.setEvict),
          formatRate(r.zipf),
          formatRatio(r.ratios.zipf),
        ]),
      ),
    )
  },
})
