import type { BoundedStore, BoundedStoreOptions, EvictionStrategy } from '@tierstack/core'
import { TtlStore } from './ttl-store.js'

/** Expiry-ordered eviction. Build one with `ttl()`. */
export class TtlStrategy implements EvictionStrategy {
  readonly name = 'ttl'

  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue> {
    return new TtlStore(options)
  }
}

/**
 * Evicts the entry closest to its expiry first (entries without an expiry last, oldest write first among
 * equals), on an indexed binary heap. Expired entries are reclaimed without a timer per key: when read, and
 * from the top of the heap on every `set`. Suits caches whose entries have very different TTLs, where the
 * one about to expire anyway is the cheapest to lose. Reads do not change the order.
 *
 * @example
 * ```ts
 * memoryTier({ strategy: ttl(), maxEntries: 10_000 })
 * ```
 */
export function ttl(): TtlStrategy {
  return new TtlStrategy()
}
