import { cpus } from 'node:os'
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
import { defaultStrategies } from '../strategies.js'
import {
  lruCacheSubject,
  peerSubjects,
  type Subject,
  type SubjectFactory,
  tierstackSubject,
} from '../subjects.js'
import {
  collectGarbage,
  formatRate,
  type MeasureOptions,
  median,
  opsPerSecond,
  parseClock,
} from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices, zipfIndices } from '../workloads/random.js'

const VALUE = { id: 1, name: 'a small cached value' }

/** The throughput workloads of the peer benchmark. */
const workloads = {
  hit: { title: 'L1 hit', baseline: 'get', capacity: 10_000 },
  set: { title: 'L1 set', baseline: 'set', capacity: 100_000 },
  zipf: { title: 'Zipf 0.99 getOrSet', baseline: 'fetch', capacity: 10_000 },
} as const
type WorkloadName = keyof typeof workloads
const allWorkloads = ['hit', 'set', 'zipf', 'concurrency', 'memory']

/** One measured figure. */
export interface ThroughputRow {
  workload: WorkloadName
  subject: string
  /** Median over the runs. */
  opsPerSec: number
  /** opsPerSec / raw lru-cache's opsPerSec on the same workload in the same run (get, set, fetch). */
  ratio: number
  /** Zipf only: share of calls answered without the loader. */
  hitRatio?: number
}

/** 1000 callers on one cold key. */
export interface ConcurrencyRow {
  subject: string
  callers: number
  loaderMs: number
  /** Slowest caller, from the start of the burst to its answer (median over runs). */
  maxLatencyMs: number
  /** Loader invocations for the burst (1 = single-flight). Highest over runs. */
  loaderCalls: number
}

/** Retained heap + array buffers per entry, after a full GC. */
export interface MemoryRow {
  subject: string
  entries: number
  bytesPerEntry: number
  /** bytesPerEntry / lru-cache's. */
  ratio: number
}

interface Fixtures {
  hitKeys: string[]
  hitSequence: Uint32Array
  setKeys: string[]
  zipfKeys: string[]
  zipfSequence: Uint32Array
}

function buildFixtures(): Fixtures {
  const random = seededRandom(20240601)
  const zipfKeys = makeKeys(1_000_000, 'zipf:')
  return {
    hitKeys: makeKeys(10_000, 'hit:'),
    hitSequence: uniformIndices(10_000, 1 << 20, random),
    setKeys: makeKeys(100_000, 'set:'),
    zipfKeys,
    zipfSequence: zipfIndices(zipfKeys.length, 0.99, 1 << 21, random),
  }
}

async function measureWorkload(
  name: WorkloadName,
  subject: Subject,
  f: Fixtures,
  options: MeasureOptions,
): Promise<{ opsPerSec: number; hitRatio?: number }> {
  switch (name) {
    case 'hit': {
      for (const key of f.hitKeys) await subject.set(key, VALUE)
      const keys = f.hitKeys
      const seq = f.hitSequence
      const mask = seq.length - 1
      const opsPerSec = await opsPerSecond((i) => subject.get(keys[seq[i & mask]!]!), options)
      return { opsPerSec }
    }
    case 'set': {
      const keys = f.setKeys
      const n = keys.length
      return { opsPerSec: await opsPerSecond((i) => subject.set(keys[i % n]!, VALUE), options) }
    }
    case 'zipf': {
      const keys = f.zipfKeys
      const seq = f.zipfSequence
      const mask = seq.length - 1
      let calls = 0
      let loads = 0
      const loader = async () => {
        loads++
        return VALUE
      }
      const opsPerSec = await opsPerSecond(
        (i) => {
          calls++
          return subject.getOrSet(keys[seq[i & mask]!]!, loader)
        },
        {
          ...options,
          onMeasureStart: () => {
            calls = 0
            loads = 0
          },
        },
      )
      return { opsPerSec, hitRatio: calls === 0 ? 0 : 1 - loads / calls }
    }
  }
}

async function burst(factory: SubjectFactory, callers: number, loaderMs: number) {
  const subject = await factory(10_000)
  let loaderCalls = 0
  const loader = () =>
    new Promise<unknown>((resolve) => {
      loaderCalls++
      setTimeout(() => resolve(VALUE), loaderMs)
    })
  const start = performance.now()
  const latencies = await Promise.all(
    Array.from({ length: callers }, () =>
      subject.getOrSet('cold-key', loader).then(() => performance.now() - start),
    ),
  )
  await subject.close()
  return { maxLatencyMs: Math.max(...latencies), loaderCalls }
}

/** Bytes retained per entry: heap plus array buffers (typed arrays live outside the JS heap). */
async function retainedPerEntry(
  fill: () => Promise<{ close(): Promise<void> | void }>,
  entries: number,
): Promise<number> {
  const used = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }
  collectGarbage()
  const before = used()
  let held: { close(): Promise<void> | void } | undefined = await fill()
  collectGarbage()
  const after = used()
  await held.close()
  held = undefined
  collectGarbage()
  return (after - before) / entries
}

const command: Command = {
  name: 'throughput',
  description:
    'ops/s of tierstack (each strategy) vs lru-cache, bentocache, cache-manager, cacheable; single-flight burst; bytes per entry [--json]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        strategies: { type: 'string', default: defaultStrategies.join(',') },
        peers: { type: 'string', default: Object.keys(peerSubjects).join(',') },
        workloads: { type: 'string', default: allWorkloads.join(',') },
        time: { type: 'string', default: '1000' },
        warmup: { type: 'string', default: '300' },
        runs: { type: 'string', default: '3' },
        'memory-entries': { type: 'string', default: '1000000' },
        clock: { type: 'string', default: 'cpu' },
        ...jsonFlag,
      },
    })
    const clock = parseClock(values.clock as string)
    const strategies = parseNameList(values.strategies!)
    const peers = parseNameList(values.peers!)
    for (const p of peers)
      if (!(p in peerSubjects))
        throw new Error(`unknown peer '${p}' (known: ${Object.keys(peerSubjects).join(', ')})`)
    const selected = parseNameList(values.workloads!)
    for (const w of selected)
      if (!allWorkloads.includes(w))
        throw new Error(`unknown workload '${w}' (known: ${allWorkloads.join(', ')})`)
    const [timeMs] = parseIntList(values.time!, '--time')
    const [warmupMs] = parseIntList(values.warmup!, '--warmup')
    const [runs] = parseIntList(values.runs!, '--runs')
    const [memoryEntries] = parseIntList(values['memory-entries']!, '--memory-entries')
    const options: MeasureOptions = { timeMs: timeMs!, warmupMs: warmupMs!, clock }

    const subjects: [string, SubjectFactory][] = [
      ['lru-cache', lruCacheSubject],
      ...strategies.map((s): [string, SubjectFactory] => [`tierstack (${s})`, tierstackSubject(s)]),
      ...peers.map((p): [string, SubjectFactory] => [p, peerSubjects[p]!]),
    ]

    // Memory first, on a quiet heap.
    const memory: MemoryRow[] = []
    if (selected.includes('memory')) {
      if (!collectGarbage()) {
        note('memory: skipped, run with --expose-gc (the package scripts do: tsx --expose-gc)')
      } else {
        const keys = makeKeys(memoryEntries!, 'mem:')
        const subjectsForMemory: [string, () => Promise<{ close(): Promise<void> | void }>][] = subjects.map(
          ([name, factory]) => [
            name,
            async () => {
              const s = await factory(memoryEntries!)
              for (let i = 0; i < keys.length; i++) await s.set(keys[i]!, i)
              return s
            },
          ],
        )
        for (const name of strategies) {
          subjectsForMemory.push([
            `${name} store only`,
            async () => {
              const { loadStrategy } = await import('../strategies.js')
              const store = (await loadStrategy(name)).create<number>({ maxEntries: memoryEntries! })
              for (let i = 0; i < keys.length; i++) store.set(keys[i]!, i)
              return { close: () => store.clear() }
            },
          ])
        }
        for (const [name, fill] of subjectsForMemory) {
          const bytes = await retainedPerEntry(fill, memoryEntries!)
          memory.push({ subject: name, entries: memoryEntries!, bytesPerEntry: bytes, ratio: 0 })
          note(`memory: ${name} ${bytes.toFixed(0)} B/entry`)
        }
        const base = memory.find((m) => m.subject === 'lru-cache')?.bytesPerEntry ?? Number.NaN
        for (const m of memory) m.ratio = m.bytesPerEntry / base
      }
    }

    const fixtures = buildFixtures()
    const samples = new Map<string, { ops: number[]; hits: number[] }>()
    const throughputWorkloads = (Object.keys(workloads) as WorkloadName[]).filter((w) => selected.includes(w))
    for (let run = 0; run < runs!; run++) {
      for (const w of throughputWorkloads) {
        for (const [name, factory] of subjects) {
          const subject = await factory(workloads[w].capacity)
          const r = await measureWorkload(w, subject, fixtures, options)
          await subject.close()
          const key = `${w}\u0000${name}`
          const s = samples.get(key) ?? { ops: [], hits: [] }
          s.ops.push(r.opsPerSec)
          if (r.hitRatio !== undefined) s.hits.push(r.hitRatio)
          samples.set(key, s)
          note(`run ${run + 1}/${runs} ${workloads[w].title}: ${name} ${formatRate(r.opsPerSec)} ops/s`)
        }
      }
    }
    const throughput: ThroughputRow[] = []
    for (const w of throughputWorkloads) {
      const base = median(samples.get(`${w}\u0000lru-cache`)!.ops)
      for (const [name] of subjects) {
        const s = samples.get(`${w}\u0000${name}`)!
        const ops = median(s.ops)
        const row: ThroughputRow = {
          workload: w,
          subject: name,
          opsPerSec: Math.round(ops),
          ratio: ops / base,
        }
        if (s.hits.length > 0) row.hitRatio = median(s.hits)
        throughput.push(row)
      }
    }

    const concurrency: ConcurrencyRow[] = []
    if (selected.includes('concurrency')) {
      for (const [name, factory] of subjects) {
        const results = []
        for (let run = 0; run < runs!; run++) results.push(await burst(factory, 1000, 50))
        concurrency.push({
          subject: name,
          callers: 1000,
          loaderMs: 50,
          maxLatencyMs: median(results.map((r) => r.maxLatencyMs)),
          loaderCalls: Math.max(...results.map((r) => r.loaderCalls)),
        })
      }
    }

    const meta = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      timeMs,
      warmupMs,
      runs,
      clock,
    }
    output(values.json === true, { meta, throughput, concurrency, memory }, () => {
      const parts = [
        `${meta.date} · Node ${meta.node} · ${meta.cpus} CPUs (${meta.cpuModel}) · median of ${runs} runs of ${timeMs} ms (${clock} clock)`,
      ]
      if (throughput.length > 0) {
        const header = ['subject']
        for (const w of throughputWorkloads)
          header.push(`${workloads[w].title} ops/s`, `× lru-cache ${workloads[w].baseline}`)
        if (throughputWorkloads.includes('zipf')) header.push('Zipf hit %')
        const rows = subjects.map(([name]) => {
          const row: (string | number)[] = [name]
          for (const w of throughputWorkloads) {
            const r = throughput.find((t) => t.workload === w && t.subject === name)!
            row.push(formatRate(r.opsPerSec), `${r.ratio.toFixed(2)}×`)
          }
          const z = throughput.find((t) => t.workload === 'zipf' && t.subject === name)
          if (z?.hitRatio !== undefined) row.push((z.hitRatio * 100).toFixed(1))
          return row
        })
        parts.push(markdownTable(header, rows))
      }
      if (concurrency.length > 0) {
        parts.push(
          markdownTable(
            ['subject', '1000 callers, 50 ms loader: max latency ms', 'loader calls'],
            concurrency.map((c) => [c.subject, c.maxLatencyMs.toFixed(1), c.loaderCalls]),
          ),
        )
      }
      if (memory.length > 0) {
        parts.push(
          markdownTable(
            ['subject', `bytes/entry (${memoryEntries} entries)`, '× lru-cache'],
            memory.map((m) => [m.subject, m.bytesPerEntry.toFixed(0), `${m.ratio.toFixed(2)}×`]),
          ),
        )
      }
      return parts.join('\n\n')
    })
  },
}

export default command
