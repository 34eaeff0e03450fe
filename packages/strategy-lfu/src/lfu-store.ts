import type { ResolvedStoreOptions } from './options.js'
import { growFloat64, growInt32, SlotStore } from './slot-store.js'

const NIL = -1
/** Buckets allocated up front; the bucket arrays double from there when a new count needs one. */
const INITIAL_BUCKETS = 64

/** Tuning of an LFU store (validated by `lfu()`). */
export interface LfuTuning {
  /** Accesses between two halvings; `undefined`: 10 × capacity. */
  agingInterval: number | undefined
}

/**
 * The bounded store built by `lfu()`: classic LFU with O(1) operations (Shah, Mitra & Matani, 2010) and
 * periodic halving of the counts.
 *
 * Entries with the same access count share a *bucket*; buckets form a doubly linked list in increasing
 * count order, and each bucket holds its entries in a doubly linked list in recency order. All links are
 * `Int32Array` indices (entry slots for entries, bucket ids for buckets, free buckets on a stack):
 *
 * - a hit moves the entry from bucket `n` to bucket `n + 1`, which is the next bucket or a new one linked
 *   right after it — O(1);
 * - a new entry goes to bucket 1, at the head of the list — O(1);
 * - the victim is the least recently used entry of the first bucket — O(1). The entry being written is never
 *   its own victim (classic LFU evicts before inserting).
 *
 * Aging: plain LFU keeps yesterday's hot keys forever. Every `agingInterval` accesses (default 10 × capacity)
 * every count is halved (`n → max(1, ⌊n / 2⌋)`), so popularity that is not renewed decays geometrically.
 * Halving keeps the bucket order, so it is one pass that merges neighbouring buckets: O(entries) every
 * 10 × capacity accesses, O(1) amortized.
 */
export class LfuStore<TValue> extends SlotStore<TValue> {
  // Per-entry links (indexed by slot).
  #next: Int32Array
  #prev: Int32Array
  #bucketOf: Int32Array
  // Per-bucket data (indexed by bucket id). There is at most one bucket per entry, plus one being created,
  // but in practice one per distinct count (a few thousand at most), so these arrays grow on demand instead
  // of being sized by the entry capacity (which would cost 28 bytes per entry).
  #count: Float64Array
  #first: Int32Array
  #last: Int32Array
  #up: Int32Array
  #down: Int32Array
  #freeBuckets: Int32Array
  #freeBucketTop = 0
  #freshBucket = 0
  /** Bucket with the lowest count (the eviction end). */
  #lowest = NIL

  readonly #agingInterval: number | undefined
  #accesses = 0

  constructor(options: ResolvedStoreOptions<TValue>, tuning: LfuTuning) {
    super('lfu()', options)
    const capacity = this.capacity
    this.#next = new Int32Array(capacity)
    this.#prev = new Int32Array(capacity)
    this.#bucketOf = new Int32Array(capacity)
    const buckets = Math.min(INITIAL_BUCKETS, capacity + 1)
    this.#count = new Float64Array(buckets)
    this.#first = new Int32Array(buckets)
    this.#last = new Int32Array(buckets)
    this.#up = new Int32Array(buckets)
    this.#down = new Int32Array(buckets)
    this.#freeBuckets = new Int32Array(buckets)
    this.#agingInterval = tuning.agingInterval
  }

  /** Access count of `key` as LFU sees it now (after aging), or 0 when absent. Does not record an access. */
  frequencyOf(key: string): number {
    const slot = this.map.get(key)
    return slot === undefined ? 0 : this.#count[this.#bucketOf[slot]!]!
  }

  // ---- policy hooks -------------------------------------------------------------------------------

  protected linkNew(slot: number): void {
    let bucket = this.#lowest
    if (bucket === NIL || this.#count[bucket] !== 1) bucket = this.#newBucket(NIL, 1)
    this.#add(bucket, slot)
    this.#accessed()
  }

  protected relinkUpdated(slot: number, _oldWeight: number): void {
    this.touch(slot)
  }

  protected touch(slot: number): void {
    const from = this.#bucketOf[slot]!
    const count = this.#count[from]! + 1
    let to = this.#up[from]!
    if (to === NIL || this.#count[to] !== count) to = this.#newBucket(from, count)
    this.#remove(slot)
    this.#add(to, slot)
    this.#accessed()
  }

  protected unlink(slot: number): void {
    this.#remove(slot)
  }

  protected enforce(slot: number, _isNew: boolean): void {
    let victim = NIL
    while (this.overBudget()) {
      victim = this.#lowest === NIL ? NIL : this.#first[this.#lowest]!
      // Skip the entry being written: it is the one the budget is being made for.
      if (victim === slot) victim = this.#after(slot)
      if (victim === NIL) return
      this.removeSlot(victim, 'capacity')
    }
  }

  protected growPolicy(capacity: number): void {
    this.#next = growInt32(this.#next, capacity, 0)
    this.#prev = growInt32(this.#prev, capacity, 0)
    this.#bucketOf = growInt32(this.#bucketOf, capacity, 0)
  }

  protected clearPolicy(): void {
    this.#freeBucketTop = 0
    this.#freshBucket = 0
    this.#lowest = NIL
    this.#accesses = 0
  }

  // ---- aging --------------------------------------------------------------------------------------

  #accessed(): void {
    const interval =
      this.#agingInterval ??
      10 * Math.max(64, Number.isFinite(this.maxEntries) ? this.maxEntries : this.count)
    if (++this.#accesses >= interval) {
      this.#accesses = 0
      this.#halve()
    }
  }

  /** Halves every count (minimum 1), merging buckets that land on the same count. */
  #halve(): void {
    let kept = NIL
    let bucket = this.#lowest
    while (bucket !== NIL) {
      const up = this.#up[bucket]!
      const count = Math.max(1, Math.floor(this.#count[bucket]! / 2))
      if (kept !== NIL && this.#count[kept] === count) {
        // Append this bucket's entries after the kept bucket's: they were counted more often, so they are
        // evicted after the kept bucket's own entries.
        for (let slot = this.#first[bucket]!; slot !== NIL; slot = this.#next[slot]!)
          this.#bucketOf[slot] = kept
        const tail = this.#last[kept]!
        const head = this.#first[bucket]!
        this.#next[tail] = head
        this.#prev[head] = tail
        this.#last[kept] = this.#last[bucket]!
        this.#first[bucket] = NIL
        this.#unlinkBucket(bucket)
      } else {
        this.#count[bucket] = count
        kept = bucket
      }
      bucket = up
    }
  }

  // ---- lists --------------------------------------------------------------------------------------

  /** The entry to consider after `slot` in eviction order. */
  #after(slot: number): number {
    const next = this.#next[slot]!
    if (next !== NIL) return next
    const up = this.#up[this.#bucketOf[slot]!]!
    return up === NIL ? NIL : this.#first[up]!
  }

  /** A new, empty bucket with `count`, linked right after `below` (`NIL`: at the bottom). */
  #newBucket(below: number, count: number): number {
    let bucket: number
    if (this.#freeBucketTop > 0) {
      bucket = this.#freeBuckets[--this.#freeBucketTop]!
    } else {
      if (this.#freshBucket === this.#count.length) this.#growBuckets()
      bucket = this.#freshBucket++
    }
    this.#count[bucket] = count
    this.#first[bucket] = NIL
    this.#last[bucket] = NIL
    const above = below === NIL ? this.#lowest : this.#up[below]!
    this.#down[bucket] = below
    this.#up[bucket] = above
    if (below === NIL) this.#lowest = bucket
    else this.#up[below] = bucket
    if (above !== NIL) this.#down[above] = bucket
    return bucket
  }

  /** Doubles the per-bucket arrays (amortized O(1) per bucket created). */
  #growBuckets(): void {
    const length = this.#count.length * 2
    this.#count = growFloat64(this.#count, length)
    this.#first = growInt32(this.#first, length, 0)
    this.#last = growInt32(this.#last, length, 0)
    this.#up = growInt32(this.#up, length, 0)
    this.#down = growInt32(this.#down, length, 0)
    this.#freeBuckets = growInt32(this.#freeBuckets, length, 0)
  }

  #unlinkBucket(bucket: number): void {
    const below = this.#down[bucket]!
    const above = this.#up[bucket]!
    if (below === NIL) this.#lowest = above
    else this.#up[below] = above
    if (above !== NIL) this.#down[above] = below
    this.#freeBuckets[this.#freeBucketTop++] = bucket
  }

  /** Appends `slot` at the MRU end of `bucket`. */
  #add(bucket: number, slot: number): void {
    const last = this.#last[bucket]!
    this.#bucketOf[slot] = bucket
    this.#prev[slot] = last
    this.#next[slot] = NIL
    if (last === NIL) this.#first[bucket] = slot
    else this.#next[last] = slot
    this.#last[bucket] = slot
  }

  /** Takes `slot` out of its bucket, dropping the bucket when it empties. */
  #remove(slot: number): void {
    const bucket = this.#bucketOf[slot]!
    const prev = this.#prev[slot]!
    const next = this.#next[slot]!
    if (prev === NIL) this.#first[bucket] = next
    else this.#next[prev] = next
    if (next === NIL) this.#last[bucket] = prev
    else this.#prev[next] = prev
    if (this.#first[bucket] === NIL) this.#unlinkBucket(bucket)
  }
}
