import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { datasets, horizons, products, questions } from './catalog.js'
import type { Demo } from './server.js'
import { createDemo } from './server.js'
import type { DashboardSnapshot } from './service.js'
import { prng } from './upstreams.js'
import { zipf } from './zipf.js'

/** One phase of the load test. */
export interface PhaseResult {
  name: string
  requests: number
  hits: number
  /** Requests that joined a load of the same key already in flight (no upstream call of their own). */
  coalesced: number
  p50: number
  p99: number
  mean: number
  upstreamCalls: number
  upstreamCost: number
  seconds: number
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  url: string
  requests: number
  concurrency: number
  /** Zipf exponent: higher = more skewed popularity. */
  s: number
  seed: number
}

/** Request paths: 50 % LLM, 30 % statistics, 20 % forecasts, each key space Zipf-distributed. */
export function zipfPaths(count: number, s: number, seed: number): string[] {
  const random = prng(seed)
  const q = zipf(questions.length, s, random)
  const d = zipf(datasets.length, s, random)
  const p = zipf(products.length, s, random)
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const r = random()
    if (r < 0.5) out.push(`/api/llm?q=${encodeURIComponent(questions[q()] as string)}`)
    else if (r < 0.8) out.push(`/api/stats/${datasets[d()]}`)
    else
      out.push(`/api/forecast/${products[p()]}?horizon=${horizons[Math.floor(random() * horizons.length)]}`)
  }
  return out
}

async function snapshot(url: string): Promise<DashboardSnapshot> {
  const res = await fetch(`${url}/api/dashboard`)
  if (!res.ok) throw new Error(`GET /api/dashboard answered ${res.status}`)
  return (await res.json()) as DashboardSnapshot
}

function quantile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number)
}

/** Sends every path (`concurrency` at a time) and measures what the client sees. */
export async function runPhase(
  name: string,
  url: string,
  paths: string[],
  concurrency: number,
  bypass: boolean,
): Promise<PhaseResult> {
  const before = await snapshot(url)
  const latencies: number[] = []
  let hits = 0
  let coalesced = 0
  let next = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] as string
      const t0 = performance.now()
      const suffix = bypass ? `${path.includes('?') ? '&' : '?'}cache=off` : ''
      const res = await fetch(`${url}${path}${suffix}`)
      await res.arrayBuffer()
      latencies.push(performance.now() - t0)
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`)
      const outcome = res.headers.get('x-cache')
      if (outcome === 'hit') hits++
      else if (outcome === 'coalesced') coalesced++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker))
  const seconds = (performance.now() - started) / 1000
  const after = await snapshot(url)
  latencies.sort((a, b) => a - b)
  return {
    name,
    requests: paths.length,
    hits,
    coalesced,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    upstreamCalls: after.totals.upstreamCalls - before.totals.upstreamCalls,
    upstreamCost: after.totals.upstreamCost - before.totals.upstreamCost,
    seconds,
  }
}

/** Runs the three phases: without cache, with a cold cache, with a warm cache (the same request sequence). */
export async function runLoad(options: LoadOptions): Promise<PhaseResult[]> {
  const paths = zipfPaths(options.requests, options.s, options.seed)
  return [
    await runPhase('without cache', options.url, paths, options.concurrency, true),
    await runPhase('with cache (cold)', options.url, paths, options.concurrency, false),
    await runPhase('with cache (warm)', options.url, paths, options.concurrency, false),
  ]
}

/** The before/after table. */
export function formatTable(results: PhaseResult[]): string {
  const header = [
    '',
    'requests',
    'hit ratio',
    'coalesced',
    'p50 ms',
    'p99 ms',
    'mean ms',
    'upstream calls',
    'upstream $',
    'wall s',
  ]
  const rows = results.map((r) => [
    r.name,
    String(r.requests),
    r.name.startsWith('without') ? '—' : `${((r.hits / r.requests) * 100).toFixed(1)}%`,
    r.name.startsWith('without') ? '—' : String(r.coalesced),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    r.mean.toFixed(2),
    String(r.upstreamCalls),
    r.upstreamCost.toFixed(4),
    r.seconds.toFixed(2),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      requests: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '16' },
      s: { type: 'string', default: '1.1' },
      seed: { type: 'string', default: '42' },
    },
  })
  const requests = Number(values.requests)
  const concurrency = Number(values.concurrency)
  const s = Number(values.s)
  const seed = Number(values.seed)
  if (!Number.isInteger(requests) || requests < 1)
    throw new Error(`--requests must be a positive integer, got ${values.requests}`)
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`)
  if (!(s > 0)) throw new Error(`--s must be > 0, got ${values.s}`)
  let url = values.url ?? process.env.DEMO_URL
  let demo: Demo | undefined
  let dataDir: string | undefined
  if (url === undefined) {
    // No server given: start one in-process on a free port with an empty cache, so "cold" means cold.
    dataDir = mkdtempSync(join(tmpdir(), 'tierstack-demo-load-'))
    demo = await createDemo({
      port: 0,
      dataDir,
      adminToken: process.env.TIERSTACK_ADMIN_TOKEN ?? 'load-test-token-not-secret',
    })
    url = demo.url
    process.stdout.write(
      `started a demo on ${url} (${demo.stack.tiers.join(' → ')}), empty cache in ${dataDir}\n`,
    )
  } else {
    process.stdout.write(`driving ${url} (its cache may already be warm)\n`)
  }
  process.stdout.write(
    `${requests} requests per phase, concurrency ${concurrency}, Zipf s=${s}, seed ${seed}: 50% llm, 30% stats, 20% forecast\n\n`,
  )
  try {
    const results = await runLoad({ url, requests, concurrency, s, seed })
    process.stdout.write(`${formatTable(results)}\n`)
  } finally {
    await demo?.close()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  }
}

// Run only as a script (tests import the functions).
if (process.argv[1] !== undefined && /load\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `demo:load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exit(1)
  })
}
