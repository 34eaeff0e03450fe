// Replays public cache traces through the strategies of this package and prints hit ratios next to LRU and
// the published references of /work/shared/traces/README.md. Not shipped (scripts/ is outside `files`).
//
//   node --import ./scripts/register.mjs scripts/hit-ratio.ts [--traces DIR_OR_FILES] [--sizes 250,500]
//        [--strategies lru,lfu,tinylfu,tinylfu-fixed] [--format arc|lirs|cache2k|corda|oracleGeneral] [--json]
//        [--seed 42]
//
// Each request is `get(key)`; on a miss `set(key, key)`; capacity is `maxEntries`; hit ratio = hits / requests.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { BoundedStore, EvictionStrategy } from '@tierstack/core'
import { lfu, tinyLfu } from '@tierstack/strategy-lfu'
import { WORKLOADS } from './synthetic.ts'
import { guessFormat, readTrace, type TraceFormat } from './traces.ts'

/** Reference rows: [trace, size, LRU, OPT, Caffeine 2.3, adaptive W-TinyLFU] (README of the traces folder). */
const REFERENCE: [string, number, number, number, number | undefined, number | undefined][] = [
  ['arc-oltp', 250, 16.47, 38.43, undefined, 23.7],
  ['arc-oltp', 500, 23.45, 46.42, undefined, 32.2],
  ['arc-oltp', 1000, 32.83, 53.61, 35.5, 39.9],
  ['arc-oltp', 2000, 42.47, 60.4, 42.07, 45.9],
  ['arc-oltp', 5000, 53.65, 68.27, 52.45, undefined],
  ['arc-oltp', 10000, 60.7, 73.02, 59.42, undefined],
  ['lirs-loop', 500, 0, 49.36, undefined, undefined],
  ['lirs-loop', 1000, 0, 98.71, undefined, undefined],
  ['lirs-loop', 1250, 99.8, 99.8, undefined, undefined],
  ['lirs-gli', 500, 0.95, 34.26, 33.04, 32.7],
  ['lirs-gli', 1000, 11.21, 53.13, 49.28, 50.2],
  ['lirs-gli', 2000, 57.41, 57.96, 57.96, 57.5],
  ['lirs-multi2', 600, 37.13, 55.51, 50.81, undefined],
  ['lirs-multi2', 1800, 48.49, 73.13, 67.56, undefined],
  ['lirs-multi2', 3000, 71.18, 78.4, 77.94, undefined],
  ['cache2k-web07', 75, 31.14, 46.54, 30.9, undefined],
  ['cache2k-web07', 300, 41.9, 55.88, 43.49, undefined],
  ['cache2k-web07', 1200, 51.65, 64.64, 53.8, undefined],
  ['cache2k-web07', 3000, 58.54, 70.28, 59.34, undefined],
]

/** The smallest possible LRU: a Map keeps insertion order, re-inserting on a hit moves a key to the end. */
class MapLru implements BoundedStore<unknown> {
  readonly #map = new Map<string, unknown>()
  readonly #max: number
  constructor(max: number) {
    this.#max = max
  }
  get(key: string): unknown {
    const value = this.#map.get(key)
    if (value === undefined) return undefined
    this.#map.delete(key)
    this.#map.set(key, value)
    return value
  }
  peek(key: string): unknown {
    return this.#map.get(key)
  }
  set(key: string, value: unknown): boolean {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string)
    return true
  }
  delete(key: string): boolean {
    return this.#map.delete(key)
  }
  has(key: string): boolean {
    return this.#map.has(key)
  }
  clear(): void {
    this.#map.clear()
  }
  get size(): number {
    return this.#map.size
  }
  get bytes(): number {
    return 0
  }
  keys(): IterableIterator<string> {
    return this.#map.keys()
  }
}

const mapLru: EvictionStrategy = { name: 'lru', create: (o) => new MapLru(o.maxEntries!) as never }

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

/** Seed of `tinylfu` and `tinylfu-fixed` (`--seed`, default 42): one fixed seed makes runs reproducible. */
const seed = Number(arg('seed') ?? 42)

const STRATEGIES: Record<string, () => EvictionStrategy> = {
  lru: () => mapLru,
  lfu: () => lfu(),
  tinylfu: () => tinyLfu({ seed }),
  'tinylfu-random': () => tinyLfu(),
  'tinylfu-fixed': () => tinyLfu({ adaptive: false, seed }),
}

function replay(keys: string[], strategy: EvictionStrategy, size: number): number {
  const store = strategy.create<string>({ maxEntries: size })
  let hits = 0
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (store.get(key) !== undefined) hits++
    else store.set(key, key)
  }
  return hits / keys.length
}

function traceName(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.gz$/, '').replace(/\.(lis|trace)$/, '')
}

async function main(): Promise<void> {
  const source = arg('traces') ?? '/work/shared/traces'
  const synthetic = arg('synthetic')
  const files = synthetic
    ? synthetic.split(',').map((w) => `synthetic:${w}`)
    : source.split(',').flatMap((p) =>
        statSync(p).isDirectory()
          ? readdirSync(p)
              .filter((f) => f.endsWith('.gz'))
              .sort()
              .map((f) => join(p, f))
          : [p],
      )
  const strategies = (arg('strategies') ?? 'lru,lfu,tinylfu,tinylfu-fixed').split(',')
  const sizesArg = arg('sizes')
  const json = process.argv.includes('--json')
  const rows: Record<string, unknown>[] = []
  if (!json) {
    console.log(
      `| trace | size | ${strategies.join(' | ')} | ref LRU | OPT | Caffeine 2.3 | adaptive W-TinyLFU | target | tinylfu − target |`,
    )
    console.log(`|---|---:|${strategies.map(() => '---:|').join('')}---:|---:|---:|---:|---:|---:|`)
  }
  for (const file of files) {
    const name = traceName(file)
    const workload = file.startsWith('synthetic:') ? WORKLOADS[file.slice(10)] : undefined
    const keys = workload
      ? workload(Number(arg('requests') ?? 1_000_000))
      : await readTrace(file, (arg('format') as TraceFormat | undefined) ?? guessFormat(file))
    const sizes = sizesArg
      ? sizesArg.split(',').map(Number)
      : REFERENCE.filter((r) => r[0] === name).map((r) => r[1])
    for (const size of sizes) {
      const ratios: Record<string, number> = {}
      for (const s of strategies) {
        const make = STRATEGIES[s]
        if (!make) throw new Error(`unknown strategy ${s}`)
        ratios[s] = replay(keys, make(), size)
      }
      const ref = REFERENCE.find((r) => r[0] === name && r[1] === size)
      const lru = ratios.lru !== undefined ? ratios.lru * 100 : ref?.[2]
      const target =
        Math.max(
          lru ?? 0,
          ref?.[2] ?? 0,
          ref?.[4] ?? Number.NEGATIVE_INFINITY,
          ref?.[5] ?? Number.NEGATIVE_INFINITY,
        ) - 1
      const tiny = ratios.tinylfu !== undefined ? ratios.tinylfu * 100 : undefined
      rows.push({ trace: name, size, requests: keys.length, ...ratios, target: target / 100 })
      if (!json) {
        const pct = (x: number | undefined) => (x === undefined ? '' : x.toFixed(2))
        const cells = strategies.map((s) => pct(ratios[s]! * 100)).join(' | ')
        const margin =
          tiny === undefined ? '' : `${tiny - target >= 0 ? '+' : ''}${(tiny - target).toFixed(2)}`
        console.log(
          `| ${name} | ${size} | ${cells} | ${pct(ref?.[2])} | ${pct(ref?.[3])} | ${pct(ref?.[4])} | ${pct(ref?.[5])} | ${pct(target)} | ${margin} |`,
        )
      }
    }
  }
  if (json) console.log(JSON.stringify(rows, null, 2))
}

await main()
