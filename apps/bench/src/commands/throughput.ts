import { cpus } from 'node:os'
import { defineCommand, formatRatio, markdownTable, note, output } from '../command.js'
import { flag, timingFlags } from '../flags.js'
import { defaultStrategies } from '../strategies.js'
import {
  lruCacheSubject,
  peerSubjects,
  populate,
  type Subject,
  type SubjectFactory,
  tierstackSubject,
} from '../subjects.js'
import { cross, interleave } from '../workloads/interleave.js'
import { collectGarbage, formatRate, type MeasureOptions, measureOps, median } from '../workloads/measure.js'
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
      const keys = f.hitKeys
      await populate(subject, keys, () => VALUE)
      const seq = f.hitSequence
      const mask = seq.length - 1
      const { opsPerSec } = await measureOps((i) => subject.get(keys[seq[i & mask]!]!), options)
      return { opsPerSec }
    }
    case 'set': {
      const keys = f.setKeys
      const n = keys.length
      const { opsPerSec } = await measureOps((i) => subject.set(keys[i % n]!, VALUE), options)
      return { opsPerSec }
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
      const { opsPerSec } = await measureOps(
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

export default defineCommand({
  name: 'throughput',
  description:
    'ops/s of tierstack (each strategy) vs lru-cache, bentocache, cache-manager, cacheable; single-flight burst; bytes per entry',
  flags: {
    strategies: flag.names(defaultStrategies, 'strategies of the tierstack subjects'),
    peers: flag.names(Object.keys(peerSubjects), 'peer libraries', { known: Object.keys(peerSubjects) }),
    workloads: flag.names(allWorkloads, 'workloads to run', { known: allWorkloads }),
    ...timingFlags({ time: 1000, warmup: 300, runs: 3 }),
    'memory-entries': flag.int(1_000_000, 'entries of the memory workload'),
    clock: flag.clock(),
  },
  async run(o) {
    const { strategies, peers, runs, clock, workloads: selected, time: timeMs, warmup: warmupMs } = o
    const memoryEntries = o['memory-entries']
    const options: MeasureOptions = { timeMs, warmupMs, clock }

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
        const keys = makeKeys(memoryEntries, 'mem:')
        const subjectsForMemory: [string, () => Promise<{ close(): Promise<void> | void }>][] = subjects.map(
          ([name, factory]) => [
            name,
            async () => {
              const s = await factory(memoryEntries)
              await populate(s, keys, (i) => i)
              return s
            },
          ],
        )
        // An engine entry always has an expiry (the namespace TTL, 1 h by default), so the rows below give the
        // same expiry to lru-cache and to each strategy's bare store: the cost of the TTL itself, apart from
        // the engine's.
        const expiryMs = 3_600_000
        subjectsForMemory.push([
          'lru-cache (ttl 1h)',
          async () => {
            const { LRUCache } = await import('lru-cache')
            const lru = new LRUCache<string, number>({ max: memoryEntries, ttl: expiryMs })
            for (let i = 0; i < keys.length; i++) lru.set(keys[i]!, i)
            return { close: () => lru.clear() }
          },
        ])
        for (const name of strategies) {
          subjectsForMemory.push([
            `${name} store only (expiry 1h)`,
            async () => {
              const { loadStrategy } = await import('../strategies.js')
              const store = (await loadStrategy(name)).create<number>({ maxEntries: memoryEntries })
              const expiresAt = Date.now() + expiryMs
              for (let i = 0; i < keys.length; i++) store.set(keys[i]!, i, expiresAt)
              return { close: () => store.clear() }
            },
          ])
        }
        for (const [name, fill] of subjectsForMemory) {
          const bytes = await retainedPerEntry(fill, memoryEntries)
          memory.push({ subject: name, entries: memoryEntries, bytesPerEntry: bytes, ratio: 0 })
          note(`memory: ${name} ${bytes.toFixed(0)} B/entry`)
        }
        const base = memory.find((m) => m.subject === 'lru-cache')?.bytesPerEntry ?? Number.NaN
        for (const m of memory) m.ratio = m.bytesPerEntry / base
      }
    }

    const fixtures = buildFixtures()
    const throughputWorkloads = (Object.keys(workloads) as WorkloadName[]).filter((w) => selected.includes(w))
    const cases = cross(throughputWorkloads, subjects)
    const samples = await interleave(cases, runs, async ([w, [name, factory]], run) => {
      const subject = await factory(workloads[w].capacity)
      const r = await measureWorkload(w, subject, fixtures, options)
      await subject.close()
      note(`run ${run + 1}/${runs} ${workloads[w].title}: ${name} ${formatRate(r.opsPerSec)} ops/s`)
      return r
    })
    const throughput: ThroughputRow[] = []
    for (const w of throughputWorkloads) {
      const of = (name: string) => samples[cases.findIndex(([cw, [cn]]) => cw === w && cn === name)]!
      const base = median(of('lru-cache').map((r) => r.opsPerSec))
      for (const [name] of subjects) {
        const s = of(name)
        const ops = median(s.map((r) => r.opsPerSec))
        const row: ThroughputRow = {
          workload: w,
          subject: name,
          opsPerSec: Math.round(ops),
          ratio: ops / base,
        }
        const hits = s.flatMap((r) => (r.hitRatio === undefined ? [] : [r.hitRatio]))
        if (hits.length > 0) row.hitRatio = median(hits)
        throughput.push(row)
      }
    }

    const concurrency: ConcurrencyRow[] = []
    if (selected.includes('concurrency')) {
      for (const [name, factory] of subjects) {
        const results = []
        for (let run = 0; run < runs; run++) results.push(await burst(factory, 1000, 50))
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
    output(o.json, { meta, throughput, concurrency, memory }, () => {
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
            row.push(formatRate(r.opsPerSec), formatRatio(r.ratio))
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
            memory.map((m) => [m.subject, m.bytesPerEntry.toFixed(0), formatRatio(m.ratio)]),
          ),
        )
      }
      return parts.join('\n\n')
    })
  },
})
