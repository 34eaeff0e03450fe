// Micro-benchmark of get/set throughput: tinyLfu() and lfu() stores against raw lru-cache (v11, from
// apps/bench/node_modules). Not shipped. Prints ops/s and the ratio to lru-cache for each workload.
//
//   node --import ./scripts/register.mjs scripts/throughput.ts [--rounds 5]
import { createRequire } from 'node:module'
import { lfu, tinyLfu } from '@tierstack/strategy-lfu'

const require = createRequire(new URL('../../../apps/bench/package.json', import.meta.url))
const { LRUCache } = require('lru-cache') as typeof import('lru-cache')

interface Subject {
  get(key: string): unknown
  set(key: string, value: unknown): unknown
}

const SIZE = 10_000
const subjects: Record<string, () => Subject> = {
  'lru-cache': () => new LRUCache<string, unknown>({ max: SIZE }),
  tinylfu: () => tinyLfu().create<unknown>({ maxEntries: SIZE }),
  lfu: () => lfu().create<unknown>({ maxEntries: SIZE }),
}

function xorshift(seed: number): () => number {
  let s = seed
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x1_0000_0000
  }
}

function zipfKeys(n: number, items: number, s: number, seed: number): string[] {
  const cdf = new Float64Array(items)
  let sum = 0
  for (let i = 0; i < items; i++) {
    sum += 1 / (i + 1) ** s
    cdf[i] = sum
  }
  const rand = xorshift(seed)
  return Array.from({ length: n }, () => {
    const x = rand() * sum
    let lo = 0
    let hi = items - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return `key:${lo}`
  })
}

const value = { payload: 'x' }
const hitKeys = Array.from({ length: SIZE }, (_, i) => `key:${i}`)
const uniform = (() => {
  const rand = xorshift(7)
  return Array.from({ length: 1_000_000 }, () => hitKeys[Math.floor(rand() * SIZE)]!)
})()
const setKeys = Array.from({ length: 100_000 }, (_, i) => `set:${i}`)
const zipf = zipfKeys(1_000_000, 1_000_000, 0.99, 9)

const workloads: Record<string, (s: Subject) => number> = {
  /** 1M gets on 10k resident keys (every one a hit). */
  'get hit (10k keys, uniform)': (s) => {
    for (const k of hitKeys) s.set(k, value)
    const t = performance.now()
    let n = 0
    for (const k of uniform) if (s.get(k) !== undefined) n++
    if (n !== uniform.length) throw new Error('expected hits only')
    return uniform.length / ((performance.now() - t) / 1000)
  },
  /** 100k sets of new keys into a full 10k store (every set evicts). */
  'set (100k new keys, 10k store)': (s) => {
    for (const k of hitKeys) s.set(k, value)
    const t = performance.now()
    for (let r = 0; r < 5; r++) for (const k of setKeys) s.set(k, value)
    return (5 * setKeys.length) / ((performance.now() - t) / 1000)
  },
  /** 1M requests, Zipf 0.99 over 1M keys: get, and set on a miss. */
  'zipf 0.99 get/set-on-miss (1M keys, 10k store)': (s) => {
    const t = performance.now()
    for (const k of zipf) if (s.get(k) === undefined) s.set(k, value)
    return zipf.length / ((performance.now() - t) / 1000)
  },
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

const rounds = Number(arg('rounds') ?? 7)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `Node ${process.version}, ${rounds} interleaved rounds: median ops/s (median per-round ratio to lru-cache)\n`,
)
console.log(`| workload | ${Object.keys(subjects).join(' | ')} |`)
console.log(
  `|---|${Object.keys(subjects)
    .map(() => '---:|')
    .join('')}`,
)
for (const [name, run] of Object.entries(workloads)) {
  const ops: Record<string, number[]> = {}
  const ratios: Record<string, number[]> = {}
  for (let r = 0; r < rounds; r++) {
    // Subjects take turns within a round, so a noisy neighbour slows all of them alike.
    const round: Record<string, number> = {}
    for (const [subject, make] of Object.entries(subjects)) round[subject] = run(make())
    for (const subject of Object.keys(subjects)) {
      ;(ops[subject] ??= []).push(round[subject]!)
      ;(ratios[subject] ??= []).push(round[subject]! / round['lru-cache']!)
    }
  }
  const cells = Object.keys(subjects).map(
    (s) => `${(median(ops[s]!) / 1e6).toFixed(2)}M (${median(ratios[s]!).toFixed(2)}×)`,
  )
  console.log(`| ${name} | ${cells.join(' | ')} |`)
}
