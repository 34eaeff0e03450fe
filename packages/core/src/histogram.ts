import type { LatencySummary } from './options.js'

/**
 * A fixed-size log-bucketed latency histogram: recording is one Math.log2 and an increment in a
 * preallocated typed array, so it can sit on the hot path; percentiles are read from buckets, not from a
 * growing array of samples. 8 sub-buckets per power of two from 1 µs to ~68 s (≈9 % relative error).
 */
const SUB = 8
const MIN_MS = 0.001
const BUCKETS = 27 * SUB

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS)
  #count = 0
  #sum = 0
  #max = 0

  /**
   * Records a duration in milliseconds. `weight` > 1 records a sampled observation that stands for `weight`
   * calls (the L1 hit path times 1 call in 128), keeping percentiles unbiased.
   */
  record(ms: number, weight = 1): void {
    if (!(ms >= 0)) return
    this.#count += weight
    this.#sum += ms * weight
    if (ms > this.#max) this.#max = ms
    this.#counts[LatencyHistogram.#bucket(ms)]! += weight
  }

  static #bucket(ms: number): number {
    if (ms <= MIN_MS) return 0
    const b = Math.floor(Math.log2(ms / MIN_MS) * SUB)
    return b >= BUCKETS ? BUCKETS - 1 : b
  }

  /** Upper bound of bucket `i`, ms. */
  static #upper(i: number): number {
    return MIN_MS * 2 ** ((i + 1) / SUB)
  }

  /** The duration below which `q` (0..1) of the recordings fall, ms. */
  quantile(q: number): number {
    if (this.#count === 0) return 0
    const target = q * this.#count
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!
      if (seen >= target) return Math.min(LatencyHistogram.#upper(i), this.#max)
    }
    return this.#max
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.#max,
    }
  }

  reset(): void {
    this.#counts.fill(0)
    this.#count = 0
    this.#sum = 0
    this.#max = 0
  }
}
