import type { BoundedStoreOptions, EvictionStrategy } from '@tierstack/core'
import { LfuStore } from './lfu-store.js'
import { invalidOption, resolveStoreOptions } from './options.js'

/** Options of `lfu()`. */
export interface LfuOptions {
  /**
   * Accesses (hits and inserts) between two halvings of every access count. Smaller values forget faster.
   * @default 10 × maxEntries (10 × the current entry count for a byte-only budget), at least 640
   */
  agingInterval?: number
}

/**
 * Classic LFU with O(1) operations and aging. Evicts the least frequently used entry (least recently used
 * among equals); every `agingInterval` accesses all counts are halved so old popularity decays.
 * Prefer `tinyLfu()` as a general-purpose policy: plain LFU admits every new key and is slow to let go of
 * a hot set that went cold.
 */
export class LfuStrategy implements EvictionStrategy {
  readonly name = 'lfu'
  readonly #agingInterval: number | undefined

  constructor(options: LfuOptions = {}) {
    if (options === null || typeof options !== 'object')
      invalidOption('lfu()', 'options', 'an object', options)
    const { agingInterval } = options
    if (
      agingInterval !== undefined &&
      (typeof agingInterval !== 'number' || !Number.isInteger(agingInterval) || agingInterval < 1)
    ) {
      invalidOption('lfu()', 'agingInterval', 'a positive integer (accesses)', agingInterval)
    }
    this.#agingInterval = agingInterval
  }

  /** Builds one bounded store; throws `CacheError` `E_INVALID_OPTION` for invalid budgets. */
  create<TValue>(options: BoundedStoreOptions<TValue>): LfuStore<TValue> {
    return new LfuStore(resolveStoreOptions('lfu()', options), { agingInterval: this.#agingInterval })
  }
}

/** An `EvictionStrategy` named `'lfu'`: classic O(1) LFU with periodic halving of the counts. */
export function lfu(options?: LfuOptions): LfuStrategy {
  return new LfuStrategy(options)
}
