import { setTimeout as sleep } from 'node:timers/promises'

/** Calls made to one upstream and what they cost. */
export interface Meter {
  /** Calls made. */
  calls: number
  /** Money spent, in dollars. */
  cost: number
  /** Time spent waiting or computing, in ms. */
  busyMs: number
}

/** An answer of the fake LLM. */
export interface LlmAnswer {
  question: string
  answer: string
  model: string
  tokens: number
  generatedAt: string
}

/** A series of the fake statistics API. */
export interface StatsSeries {
  dataset: string
  unit: string
  years: number[]
  values: number[]
  fetchedAt: string
}

/** A sales forecast. */
export interface Forecast {
  product: string
  horizonDays: number
  mean: number[]
  p10: number[]
  p90: number[]
  simulations: number
  computedAt: string
}

/** Dollars per LLM call (prompt + completion), and per forecast (CPU time). */
export const LLM_COST_PER_CALL = 0.002
export const STATS_COST_PER_CALL = 0.0001
export const FORECAST_COST_PER_CALL = 0.0005

const WORDS =
  'cache tier memory redis sqlite entry key value ttl grace stale refresh loader miss hit ratio latency bytes compression eviction frequency recency admission namespace tag invalidation bus lock breaker probe backfill envelope serializer codec throughput'.split(
    ' ',
  )

/** A small deterministic PRNG (mulberry32) so the same input gives the same output. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/**
 * Deliberately slow, metered stand-ins for the services the demo caches: an LLM (300–800 ms and a price per
 * call), a public statistics API (200 ms) and a CPU-heavy forecasting model. `scale` multiplies every delay
 * and the amount of CPU work (tests run at 0.02).
 */
export class Upstreams {
  readonly meters: Record<'llm' | 'stats' | 'forecast', Meter> = {
    llm: { calls: 0, cost: 0, busyMs: 0 },
    stats: { calls: 0, cost: 0, busyMs: 0 },
    forecast: { calls: 0, cost: 0, busyMs: 0 },
  }
  readonly #scale: number
  readonly #random: () => number

  constructor(scale = 1, random: () => number = Math.random) {
    this.#scale = scale
    this.#random = random
  }

  /** The "LLM": 300–800 ms, $0.002 per call, a few KB of text (compressible, like real answers). */
  async llmAnswer(question: string): Promise<LlmAnswer> {
    const started = performance.now()
    await sleep((300 + this.#random() * 500) * this.#scale)
    const rnd = prng(hash(question))
    const sentences: string[] = []
    const count = 20 + Math.floor(rnd() * 20)
    for (let i = 0; i < count; i++) {
      const words = Array.from(
        { length: 8 + Math.floor(rnd() * 10) },
        () => WORDS[Math.floor(rnd() * WORDS.length)],
      )
      sentences.push(`${words.join(' ')}.`)
    }
    const answer = sentences.join(' ')
    this.#meter('llm', LLM_COST_PER_CALL, started)
    return {
      question,
      answer,
      model: 'demo-llm-1',
      tokens: Math.round(answer.length / 4),
      generatedAt: new Date().toISOString(),
    }
  }

  /** The "public statistics API": 200 ms per call. */
  async publicStats(dataset: string): Promise<StatsSeries> {
    const started = performance.now()
    await sleep(200 * this.#scale)
    const rnd = prng(hash(dataset))
    const years = Array.from({ length: 25 }, (_, i) => 2000 + i)
    let v = 50 + rnd() * 100
    const values = years.map(() => {
      v *= 1 + (rnd() - 0.45) * 0.08
      return Math.round(v * 100) / 100
    })
    this.#meter('stats', STATS_COST_PER_CALL, started)
    return { dataset, unit: 'index', years, values, fetchedAt: new Date().toISOString() }
  }

  /** The "sales forecast model": a Monte Carlo simulation that keeps a CPU core busy (~100 ms at scale 1). */
  salesForecast(product: string, horizonDays: number): Forecast {
    const started = performance.now()
    const simulations = Math.max(20, Math.round(4000 * this.#scale))
    const rnd = prng(hash(`${product}:${horizonDays}`))
    const base = 100 + rnd() * 400
    const paths: Float64Array[] = []
    for (let s = 0; s < simulations; s++) {
      const path = new Float64Array(horizonDays)
      let level = base
      for (let d = 0; d < horizonDays; d++) {
        // Box-Muller normal noise plus a weekly season: enough arithmetic to cost real CPU time.
        const u = Math.max(rnd(), 1e-12)
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd())
        level = Math.max(0, level * (1 + 0.002 + 0.03 * z))
        path[d] = level * (1 + 0.15 * Math.sin((2 * Math.PI * d) / 7))
      }
      paths.push(path)
    }
    const mean: number[] = []
    const p10: number[] = []
    const p90: number[] = []
    const column = new Float64Array(simulations)
    for (let d = 0; d < horizonDays; d++) {
      let sum = 0
      for (let s = 0; s < simulations; s++) {
        const x = (paths[s] as Float64Array)[d] as number
        column[s] = x
        sum += x
      }
      column.sort()
      mean.push(Math.round((sum / simulations) * 10) / 10)
      p10.push(Math.round((column[Math.floor(simulations * 0.1)] as number) * 10) / 10)
      p90.push(Math.round((column[Math.floor(simulations * 0.9)] as number) * 10) / 10)
    }
    this.#meter('forecast', FORECAST_COST_PER_CALL, started)
    return { product, horizonDays, mean, p10, p90, simulations, computedAt: new Date().toISOString() }
  }

  #meter(name: 'llm' | 'stats' | 'forecast', cost: number, started: number): void {
    const m = this.meters[name]
    m.calls++
    m.cost += cost
    m.busyMs += performance.now() - started
  }
}
