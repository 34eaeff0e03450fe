import type { BoundedStoreOptions, EvictionStrategy } from '@tierstack/core'
import { randomSeed } from './hash.js'
import { invalidOption, resolveStoreOptions } from './options.js'
import { TinyLfuStore } from './tiny-lfu-store.js'

/** Options of `tinyLfu()`. */
export interface TinyLfuOptions {
  /**
   * Share of the budget given to the admission window at first (0 < x < 1). The hill climber moves it
   * afterwards unless `adaptive` is `false`.
   * @default 0.01
   */
  initialWindow?: number
  /**
   * Share of the main area (everything but the window) reserved for entries hit at least twice (0 < x < 1).
   * @default 0.8
   */
  protectedRatio?: number
  /**
   * Tune the window size by hill climbing: every sample the window moves towards the side whose evicted
   * entries came back more often (ghosts of rejected candidates vs displaced victims), and a step after
   * which the hit rate fell is undone. `false` keeps `initialWindow` fixed (W-TinyLFU as published in 2017).
   * @default true
   */
  adaptive?: boolean
  /**
   * Seed of the key hash and of the random admission of warm candidates. Set it for reproducible runs;
   * by default every store draws its own, so colliding keys cannot be precomputed.
   * @default random per store
   */
  seed?: number
}

/**
 * Adaptive W-TinyLFU (as in Caffeine): an LRU admission window in front of a segmented-LRU main area, a
 * 4-bit count-min sketch that decides which of the window's and main's victims to keep, and a hill climber
 * that sizes the window to the workload. Scans do not flush the hot set; recency-heavy workloads do not
 * collapse either. The recommended default for memory tiers.
 */
export class TinyLfuStrategy implements EvictionStrategy {
  readonly name = 'tinylfu'
  readonly #initialWindow: number
  readonly #protectedRatio: number
  readonly #adaptive: boolean
  readonly #seed: number | undefined

  constructor(options: TinyLfuOptions = {}) {
    if (options === null || typeof options !== 'object')
      invalidOption('tinyLfu()', 'options', 'an object', options)
    const { initialWindow = 0.01, protectedRatio = 0.8, adaptive = true, seed } = options
    if (typeof initialWindow !== 'number' || !(initialWindow > 0 && initialWindow < 1)) {
      invalidOption('tinyLfu()', 'initialWindow', 'a number between 0 and 1 (exclusive)', initialWindow)
    }
    if (typeof protectedRatio !== 'number' || !(protectedRatio > 0 && protectedRatio < 1)) {
      invalidOption('tinyLfu()', 'protectedRatio', 'a number between 0 and 1 (exclusive)', protectedRatio)
    }
    if (typeof adaptive !== 'boolean') invalidOption('tinyLfu()', 'adaptive', 'a boolean', adaptive)
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
      invalidOption('tinyLfu()', 'seed', 'an integer', seed)
    }
    this.#initialWindow = initialWindow
    this.#protectedRatio = protectedRatio
    this.#adaptive = adaptive
    this.#seed = seed
  }

  /** Builds one bounded store; throws `CacheError` `E_INVALID_OPTION` for invalid budgets. */
  create<TValue>(options: BoundedStoreOptions<TValue>): TinyLfuStore<TValue> {
    return new TinyLfuStore(resolveStoreOptions('tinyLfu()', options), {
      initialWindow: this.#initialWindow,
      protectedRatio: this.#protectedRatio,
      adaptive: this.#adaptive,
      seed: this.#seed === undefined ? randomSeed() : this.#seed | 0,
    })
  }
}

/** An `EvictionStrategy` named `'tinylfu'`: adaptive W-TinyLFU. See `TinyLfuOptions`. */
export function tinyLfu(options?: TinyLfuOptions): TinyLfuStrategy {
  return new TinyLfuStrategy(options)
}
