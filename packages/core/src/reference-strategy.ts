import type { BoundedStore, BoundedStoreOptions, EvictionStrategy } from './contracts.js'
import { measureEntry, resolveStoreOptions, type ResolvedStoreOptions } from './store-options.js'

interface Slot<TValue> {
  value: TValue
  size: number
  expiresAt: number
}

/**
 * A small LRU on a `Map` (insertion order = recency order: a hit re-inserts the key at the end). It exists
 * so core can be tested and used without a strategy package; the strategy packages are faster and smarter.
 */
class ReferenceStore<TValue> implements BoundedStore<TValue> {
  readonly #map = new Map<string, Slot<TValue>>()
  readonly #o: ResolvedStoreOptions<TValue>
  #bytes = 0

  constructor(options: BoundedStoreOptions<TValue>) {
    this.#o = resolveStoreOptions('referenceStrategy', options)
  }

  get size(): number {
    return this.#map.size
  }

  get bytes(): number {
    return this.#bytes
  }

  #live(key: string): Slot<TValue> | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    if (slot.expiresAt <= this.#o.now()) {
      this.#remove(key, slot, 'expired')
      return undefined
    }
    return slot
  }

  get(key: string): TValue | undefined {
    const slot = this.#live(key)
    if (slot === undefined) return undefined
    this.#map.delete(key)
    this.#map.set(key, slot)
    return slot.value
  }

  peek(key: string): TValue | undefined {
    return this.#live(key)?.value
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined
  }

  expiresAt(key: string): number | undefined {
    const slot = this.#map.get(key)
    // A read of the expiry only: an expired entry is reported absent but left for get()/peek() to reclaim.
    return slot === undefined || slot.expiresAt <= this.#o.now() ? undefined : slot.expiresAt
  }

  set(key: string, value: TValue, expiresAt = Number.POSITIVE_INFINITY): boolean {
    const size = this.#o.sizeOf ? measureEntry(this.#o.sizeOf, value, key) : 0
    const old = this.#map.get(key)
    if (old !== undefined) {
      this.#map.delete(key)
      this.#bytes -= old.size
    }
    if (size > this.#o.maxBytes) {
      if (old !== undefined) this.#o.onEvict?.(key, old.value, 'deleted')
      return false
    }
    this.#map.set(key, { value, size, expiresAt })
    this.#bytes += size
    while (this.#map.size > this.#o.maxEntries || this.#bytes > this.#o.maxBytes) {
      const [k, slot] = this.#map.entries().next().value as [string, Slot<TValue>]
      this.#remove(k, slot, slot.expiresAt <= this.#o.now() ? 'expired' : 'capacity')
    }
    return true
  }

  delete(key: string): boolean {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    this.#remove(key, slot, 'deleted')
    return true
  }

  clear(): void {
    this.#map.clear()
    this.#bytes = 0
  }

  keys(): IterableIterator<string> {
    return this.#map.keys()
  }

  #remove(key: string, slot: Slot<TValue>, reason: 'capacity' | 'expired' | 'deleted'): void {
    this.#map.delete(key)
    this.#bytes -= slot.size
    this.#o.onEvict?.(key, slot.value, reason)
  }
}

/** The reference eviction strategy (`'reference-lru'`): a Map-based LRU. Used when a memory tier is given no strategy. */
export function referenceStrategy(): EvictionStrategy {
  return {
    name: 'reference-lru',
    create: <TValue>(options: BoundedStoreOptions<TValue>) => new ReferenceStore<TValue>(options),
  }
}
