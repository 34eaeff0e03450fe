import { defineCommand, formatRatio, markdownTable, note, output } from '../command.js'
import { flag, timingFlags } from '../flags.js'
import { lruCacheSubject, populate, tierstackSubject } from '../subjects.js'
import { interleave } from '../workloads/interleave.js'
import { formatRate, measureOps, median } from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices } from '../workloads/random.js'

/** One row of the JSON output. */
export interface L1Row {
  subject: string
  /** Median `get` hits per second (each call awaited). */
  opsPerSec: number
  /** opsPerSec / raw lru-cache `get` in the same run. */
  ratio: number
}

export default defineCommand({
  name: 'l1',
  description: 'L1 hit path: cache.get on a memory-only tierstack vs raw lru-cache get, same keys, same run',
  flags: {
    strategies: flag.names(['lru'], 'strategies of the tierstack subjects'),
    keys: flag.int(10_000, 'resident keys, read uniformly at random'),
    ...timingFlags({ time: 1000, warmup: 300, runs: 5 }),
    clock: flag.clock(),
  },
  async run(o) {
    const keys = makeKeys(o.keys, 'hit:')
    const seq = uniformIndices(o.keys, 1 << 20, seededRandom(7))
    const mask = seq.length - 1
    const value = { id: 1 }
    const subjects = []
    for (const factory of [lruCacheSubject, ...o.strategies.map((s) => tierstackSubject(s))]) {
      const s = await factory(o.keys)
      await populate(s, keys, () => value)
      subjects.push(s)
    }
    const samples = await interleave(subjects, o.runs, async (s, run) => {
      const { opsPerSec } = await measureOps((j) => s.get(keys[seq[j & mask]!]!), {
        timeMs: o.time,
        warmupMs: o.warmup,
        clock: o.clock,
      })
      note(`run ${run + 1}/${o.runs} ${s.name}: ${formatRate(opsPerSec)} get/s`)
      return opsPerSec
    })
    for (const s of subjects) await s.close()
    const base = median(samples[0]!)
    const rows: L1Row[] = subjects.map((s, i) => {
      const ops = median(samples[i]!)
      return { subject: s.name, opsPerSec: Math.round(ops), ratio: ops / base }
    })
    output(o.json, rows, () =>
      markdownTable(
        ['subject', `get hits/s (${o.keys} keys, median of ${o.runs})`, '× lru-cache get'],
        rows.map((r) => [r.subject, formatRate(r.opsPerSec), formatRatio(r.ratio)]),
      ),
    )
  },
})
