import type { BoundedStore, BoundedStoreOptions, EvictionStrategy } from '@tierstack/core'
import { CacheError } from '@tierstack/core'
import { LruStore, type LruStrategyOptions } from './lru-store.js'

/** Least-recently-used eviction on lru-cache. Build one with `lru()`. */
export class LruStrategy implements EvictionStrategy {
  readonly name = 'lru'
  readonly #options: LruStrategyOptions

  constructor(options: LruStrategyOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `@tierstack/strategy-lru: options must be an object, got ${String(options)}`,
        {
          cause: new TypeError('invalid options'),
        },
      )
    }
    const { ttlResolution } = options
    if (ttlResolution !== undefined && !(Number.isSafeInteger(ttlResolution) && ttlResolution >= 0)) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `@tierstack/strategy-lru: ttlResolution must be a non-negative integer of milliseconds, got ${String(ttlResolution)}`,
        { cause: new RangeError('invalid ttlResolution') },
      )
    }
    this.#options = { ...options }
  }

  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue> {
    return new LruStore(options, this.#options)
  }
}

/**
 * Least-recently-used eviction, on lru-cache v11: a good default when recent keys are the hot ones.
 *
 * @example
 * ```ts
 * const cache = createCache({ tiers: [memoryTier({ strategy: lru(), maxEntries: 10_000 })] })
 * ```
 */
export function lru(options?: LruStrategyOptions): LruStrategy {
  return new LruStrategy(options)
}
