import type { BoundedStore, BoundedStoreOptions, EvictionReason } from '@tierstack/core'
import { CacheError, measureEntry, resolveStoreOptions } from '@tierstack/core'
import { LRUCache } from 'lru-cache'

/**
 * lru-cache reports why a value left through its `disposeAfter` reasons; this maps them to ours.
 * `'set'` (overwritten by `set`) and `'fetch'` (never used here) are not evictions and are not reported.
 */
const REASONS: Record<LRUCache.DisposeReason, EvictionReason | undefined> = {
  evict: 'capacity',
  expire: 'expired',
  delete: 'deleted',
  set: undefined,
  fetch: undefined,
}

/**
 * lru-cache treats an entry as stale when `now - start > ttl`; our contract is "absent from `expiresAt` on"
 * (`now >= expiresAt`). Shaving this much off the ttl turns `>` into `>=` for integer clocks and stays
 * far below the resolution of any real clock.
 */
const TTL_EPSILON = 2 ** -10

/** Options of `lru()`. */
export interface LruStrategyOptions {
  /**
   * How long one clock read is reused for TTL checks, in milliseconds (lru-cache's `ttlResolution`): reading
   * the clock on every `get` of an entry with an expiry costs more than the rest of the lookup. With a
   * clock injected through `now` (tests), every check reads the clock.
   * @default 1
   */
  ttlResolution?: number
}

/**
 * A `BoundedStore` on lru-cache: least recently used entries are evicted first.
 * `maxEntries` maps to lru-cache's `max`, `maxBytes` to `maxSize` (entry sizes rounded up to whole bytes,
 * at least 1, since lru-cache counts positive integers), `expiresAt` to a per-entry `ttl` measured on the
 * store's clock, and evictions are reported through `disposeAfter`, which runs after lru-cache has finished
 * its own bookkeeping, so an `onEvict` callback may safely call back into the store.
 */
export class LruStore<TValue> implements BoundedStore<TValue> {
  readonly #lru: LRUCache<string, {}>
  readonly #maxBytes: number
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #now: () => number
  /** One options object reused by every `set`: lru-cache reads it and keeps nothing, so no allocation per call. */
  readonly #setOptions: LRUCache.SetOptions<string, {}, unknown> = { size: 0, ttl: 0, start: 0 }
  /** `clear()` is not an eviction: lru-cache reports it as `'delete'`, this silences it. */
  #clearing = false
  /**
   * The last clock reading lru-cache took. It reuses one reading for `ttlResolution` ms, and that reading is
   * what its remaining TTLs are measured from, so `expiresAt()` adds them to this one (not to a fresh read).
   */
  #lruNow = 0

  constructor(options: BoundedStoreOptions<TValue>, strategyOptions: LruStrategyOptions = {}) {
    const o = resolveStoreOptions('lru', options)
    // lru-cache counts sizes in positive integers: the budget is the whole bytes of maxBytes.
    this.#maxBytes = Math.floor(o.maxBytes)
    if (this.#maxBytes < 1) {
      throw new CacheError('E_INVALID_OPTION', `lru: maxBytes must be at least 1 byte, got ${o.maxBytes}`, {
        cause: new RangeError('maxBytes below 1'),
      })
    }
    this.#sizeOf = o.sizeOf
    this.#now = o.now
    const onEvict = o.onEvict
    const lruOptions: LRUCache.Options<string, {}, unknown> = {
      max: Number.isFinite(o.maxEntries) ? o.maxEntries : 0,
      // Our expiresAt is epoch ms, so lru-cache must measure ages on the same clock (its default is
      // performance.now(), which counts from process start).
      perf: {
        now: () => {
          const now = this.#now()
          this.#lruNow = now
          return now
        },
      },
      // A debounced clock would hide time steps of an injected test clock for up to a millisecond.
      ttlResolution: options.now === undefined ? (strategyOptions.ttlResolution ?? 1) : 0,
    }
    if (Number.isFinite(this.#maxBytes)) lruOptions.maxSize = this.#maxBytes
    if (onEvict !== undefined) {
      lruOptions.disposeAfter = (value, key, reason) => {
        const ours = REASONS[reason]
        if (ours !== undefined && !this.#clearing) onEvict(key, value as TValue, ours)
      }
    }
    this.#lru = new LRUCache(lruOptions)
  }

  get(key: string): TValue | undefined {
    return this.#lru.get(key) as TValue | undefined
  }

  peek(key: string): TValue | undefined {
    return this.#lru.peek(key) as TValue | undefined
  }

  set(key: string, value: TValue, expiresAt?: number): boolean {
    if (value === undefined) {
      throw new CacheError('E_INVALID_VALUE', '@tierstack/strategy-lru: set() cannot store undefined', {
        cause: new TypeError(`undefined value for key ${JSON.stringify(key)}`),
      })
    }
    const opts = this.#setOptions
    if (this.#sizeOf !== undefined) {
      const size = Math.max(1, Math.ceil(measureEntry(this.#sizeOf, value, key)))
      // Larger than the whole budget: not stored, and nothing else is evicted to make room. The previous
      // value under this key is superseded by this write, so it must not be served any more.
      if (size > this.#maxBytes) {
        this.#lru.delete(key)
        return false
      }
      opts.size = size
    }
    if (expiresAt === undefined || expiresAt === Number.POSITIVE_INFINITY) {
      opts.ttl = 0
      opts.start = 0
    } else {
      const now = this.#now()
      const ttl = expiresAt - now - TTL_EPSILON
      // Already expired (or NaN): never visible, so not stored; the superseded value goes too.
      if (!(ttl > 0)) {
        this.#lru.delete(key)
        return false
      }
      opts.ttl = ttl
      opts.start = now
    }
    this.#lru.set(key, value as {}, opts)
    return true
  }

  /**
   * The `expiresAt` given to `set` for a live entry (`Infinity` when none was given), `undefined` when `key` is
   * absent or expired. Not an access (recency is left alone), and reclaims nothing. Rebuilt from lru-cache's
   * remaining TTL on the clock reading lru-cache used; exact for integer clocks and expiries (`Date.now`).
   */
  expiresAt(key: string): number | undefined {
    const remaining = this.#lru.getRemainingTTL(key)
    if (remaining === Number.POSITIVE_INFINITY) return remaining
    const now = this.#lruNow
    // 0 is also lru-cache's answer for an absent key; a live entry lands on exactly 0 left only with a
    // fractional clock, and has() tells the two apart.
    if (remaining < 0 || (remaining === 0 && !this.#lru.has(key))) return undefined
    return now + remaining + TTL_EPSILON
  }

  delete(key: string): boolean {
    return this.#lru.delete(key)
  }

  has(key: string): boolean {
    return this.#lru.has(key)
  }

  clear(): void {
    this.#clearing = true
    try {
      this.#lru.clear()
    } finally {
      this.#clearing = false
    }
  }

  /** Entries held, including expired ones not reclaimed yet (they are reclaimed when touched or evicted). */
  get size(): number {
    return this.#lru.size
  }

  /** Sum of entry sizes, in bytes (0 without `maxBytes`). */
  get bytes(): number {
    return this.#sizeOf === undefined ? 0 : this.#lru.calculatedSize
  }

  /** Live keys, most recently used first. */
  keys(): IterableIterator<string> {
    return this.#lru.keys()
  }
}
