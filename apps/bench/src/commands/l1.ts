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
import { lruCacheSubject, type Subject, tierstackSubject } from '../subjects.js'
import { formatRate, median, opsPerSecond, parseClock } from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices } from '../workloads/random.js'

/** One row of the JSON output. */
export interface L1Row {
  subject: string
  /** Median `get` hits per second (each call awaited). */
  opsPerSec: number
  /** opsPerSec / raw lru-cache `get` in the same run. */
  ratio: number
}

const command: Command = {
  name: 'l1',
  description:
    'L1 hit path: cache.get on a memory-only tierstack vs raw lru-cache get, same keys, same run [--strategies lru] [--json]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        strategies: { type: 'string', default: 'lru' },
        keys: { type: 'string', default: '10000' },
        time: { type: 'string', default: '1000' },
        warmup: { type: 'string', default: '300' },
        runs: { type: 'string', default: '5' },
        clock: { type: 'string', default: 'cpu' },
        ...jsonFlag,
      },
    })
    const clock = parseClock(values.clock as string)
    const strategies = parseNameList(values.strategies!)
    const [n] = parseIntList(values.keys!, '--keys')
    const [timeMs] = parseIntList(values.time!, '--time')
    const [warmupMs] = parseIntList(values.warmup!, '--warmup')
    const [runs] = parseIntList(values.runs!, '--runs')
    const keys = makeKeys(n!, 'hit:')
    const seq = uniformIndices(n!, 1 << 20, seededRandom(7))
    const mask = seq.length - 1
    const value = { id: 1 }
    const factories = [lruCacheSubject, ...strategies.map((s) => tierstackSubject(s))]
    const subjects: Subject[] = []
    for (const f of factories) {
      const s = await f(n!)
      for (const k of keys) await s.set(k, value)
      subjects.push(s)
    }
    // Interleaved: every run measures every subject once, so machine noise hits them alike.
    const samples = subjects.map(() => [] as number[])
    for (let run = 0; run < runs!; run++) {
      for (const [i, s] of subjects.entries()) {
        const ops = await opsPerSecond((j) => s.get(keys[seq[j & mask]!]!), {
          timeMs: timeMs!,
          warmupMs: warmupMs!,
        })
        samples[i]!.push(ops)
        note(`run ${run + 1}/${runs} ${s.name}: ${formatRate(ops)} get/s`)
      }
    }
    for (const s of subjects) await s.close()
    const base = median(samples[0]!)
    const rows: L1Row[] = subjects.map((s, i) => {
      const ops = median(samples[i]!)
      return { subject: s.name, opsPerSec: Math.round(ops), ratio: ops / base }
    })
    output(values.json === true, rows, () =>
      markdownTable(
        ['subject', `get hits/s (${n} keys, median of ${runs})`, '× lru-cache get'],
        rows.map((r) => [r.subject, formatRate(r.opsPerSec), `${r.ratio.toFixed(2)}×`]),
      ),
    )
  },
}

export default command
