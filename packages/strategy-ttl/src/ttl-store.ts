import type { BoundedStore, BoundedStoreOptions, EvictionReason } from '@tierstack/core'
import { CacheError, measureEntry, resolveStoreOptions } from '@tierstack/core'

const INITIAL_SLOTS = 64
const MAX_SLOTS = 2 ** 32 - 1
/** Largest write sequence a `Uint32Array` holds; reaching it renumbers the live entries from 1. */
const SEQ_LIMIT = 2 ** 32 - 1
const INFINITY = Number.POSITIVE_INFINITY
/** Free-list end marker; never a slot, since slots are below `MAX_SLOTS`. */
const NO_SLOT = MAX_SLOTS

/**
 * A `BoundedStore` that evicts the entry closest to its expiry first.
 *
 * Entries live in slots of preallocated typed arrays (grown by doubling up to `maxEntries`). An indexed
 * binary min-heap of slots orders them by `(expiresAt, write sequence)`: entries without an expiry sort
 * last (`Infinity`), ties go to the oldest write, so without expiries this is FIFO. `#pos` maps a slot to
 * its heap position, which makes removal of any entry O(log n); free slots reuse `#pos` as the free-list
 * link. There is no timer per key: an expired entry is dropped when it is read, and every `set` pops the
 * expired entries off the top of the heap before making room. Reads never touch the heap.
 *
 * Memory: 20 bytes per slot besides the key map and the key and value arrays (expiry 8, write sequence 4,
 * heap 4, position 4, and sizes 8 only with `maxBytes`). The write sequence is 32-bit: once 2^32 − 1 writes
 * have been numbered, the live entries are renumbered from 1 in their order (O(n log n), once per 4 billion
 * writes).
 */
export class TtlStore<TValue> implements BoundedStore<TValue> {
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  readonly #now: () => number
  readonly #map = new Map<string, number>()

  #capacity: number
  #keys: (string | undefined)[]
  #values: (TValue | undefined)[]
  /** Expiry per slot, epoch ms (`Infinity` = none). */
  #expires: Float64Array
  /** Write sequence per slot: the tie-break between equal expiries (older first). */
  #seqs: Uint32Array
  /** Heap position → slot. */
  #heap: Uint32Array
  /** Slot → heap position; for a free slot, the next free slot (`NO_SLOT` for none). */
  #pos: Uint32Array
  #sizes: Float64Array | undefined

  #count = 0
  #bytes = 0
  #seq = 0
  /** `#seq` value that triggers a renumbering (`SEQ_LIMIT`; lower in tests). */
  readonly #seqLimit: number
  /** Slots below `#top` have been used at least once. */
  #top = 0
  /** Head of the free list (`-1` when empty). */
  #free = -1

  /**
   * Evictions found while `set` rearranges the heap are reported after it is done, so that an `onEvict`
   * callback may call back into the store. The arrays are reused, not reallocated.
   */
  #inSet = false
  #flushing = false
  readonly #pendingKeys: string[] = []
  readonly #pendingValues: TValue[] = []
  readonly #pendingReasons: EvictionReason[] = []

  /** @param seqLimit Write sequence that triggers a renumbering; only tests lower it. @default 2^32 − 1 */
  constructor(options: BoundedStoreOptions<TValue>, seqLimit: number = SEQ_LIMIT) {
    const o = resolveStoreOptions('ttl', options)
    this.#seqLimit = seqLimit
    this.#maxEntries = o.maxEntries
    this.#maxBytes = o.maxBytes
    this.#sizeOf = o.sizeOf
    this.#onEvict = o.onEvict
    this.#now = o.now
    this.#capacity = Math.min(INITIAL_SLOTS, o.maxEntries)
    this.#keys = new Array(this.#capacity).fill(undefined)
    this.#values = new Array(this.#capacity).fill(undefined)
    this.#expires = new Float64Array(this.#capacity)
    this.#seqs = new Uint32Array(this.#capacity)
    this.#heap = new Uint32Array(this.#capacity)
    this.#pos = new Uint32Array(this.#capacity)
    this.#sizes = o.sizeOf === undefined ? undefined : new Float64Array(this.#capacity)
  }

  get(key: string): TValue | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const e = this.#expires[slot]!
    // The clock is read only for entries that have an expiry.
    if (e !== INFINITY && e <= this.#now()) {
      this.#remove(slot, 'expired')
      return undefined
    }
    return this.#values[slot]
  }

  /** Same as `get`: expiry order does not depend on reads. */
  peek(key: string): TValue | undefined {
    return this.get(key)
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /**
   * The `expiresAt` given to `set` for a live entry (`Infinity` when none was given), `undefined` when `key` is
   * absent or expired. Reclaims nothing (reads do not change the order anyway).
   */
  expiresAt(key: string): number | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const e = this.#expires[slot]!
    return e !== INFINITY && e <= this.#now() ? undefined : e
  }

  set(key: string, value: TValue, expiresAt?: number): boolean {
    if (value === undefined) {
      throw new CacheError('E_INVALID_VALUE', '@tierstack/strategy-ttl: set() cannot store undefined', {
        cause: new TypeError(`undefined value for key ${JSON.stringify(key)}`),
      })
    }
    this.#inSet = true
    try {
      return this.#set(key, value, expiresAt)
    } finally {
      this.#inSet = false
      if (this.#pendingKeys.length !== 0 && !this.#flushing) this.#flush()
    }
  }

  delete(key: string): boolean {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    this.#remove(slot, 'deleted')
    return true
  }

  clear(): void {
    this.#map.clear()
    this.#keys.fill(undefined, 0, this.#top)
    this.#values.fill(undefined, 0, this.#top)
    this.#count = 0
    this.#bytes = 0
    this.#top = 0
    this.#free = -1
  }

  /** Entries held, including expired ones not reclaimed yet (reclaimed when read or on the next `set`). */
  get size(): number {
    return this.#count
  }

  /** Sum of `sizeOf` over the entries held, in bytes (0 without `maxBytes`). */
  get bytes(): number {
    return this.#bytes
  }

  /** Live keys, in heap order (not sorted). */
  *keys(): IterableIterator<string> {
    const now = this.#now()
    for (let i = 0; i < this.#count; i++) {
      const slot = this.#heap[i]!
      if (!(this.#expires[slot]! <= now)) yield this.#keys[slot]!
    }
  }

  #set(key: string, value: TValue, expiresAt: number | undefined): boolean {
    let size = 0
    if (this.#sizeOf !== undefined) {
      size = measureEntry(this.#sizeOf, value, key)
      // Larger than the whole budget: not stored, nothing else evicted. The value this write supersedes
      // must not be served any more.
      if (size > this.#maxBytes) return this.#dropSuperseded(key)
    }
    const expires = expiresAt ?? INFINITY
    // The clock is read only when this entry or the heap top has an expiry (a min-heap whose top never
    // expires holds nothing that does).
    let now = Number.NaN
    if (expires !== INFINITY) {
      now = this.#now()
      // Already expired (or NaN): never visible, so not stored.
      if (!(expires > now)) return this.#dropSuperseded(key)
    }

    let slot = this.#map.get(key)
    if (slot !== undefined) {
      // Out of the heap while room is made, so that it cannot be its own victim; back in below with its
      // new expiry and a fresh sequence.
      this.#heapRemove(this.#pos[slot]!)
      this.#count--
      if (this.#sizes !== undefined) this.#bytes -= this.#sizes[slot]!
    }
    // Reclaim what has expired, then make room by evicting whatever expires soonest.
    const heap = this.#heap
    if (this.#count !== 0 && this.#expires[heap[0]!]! !== INFINITY) {
      if (Number.isNaN(now)) now = this.#now()
      while (this.#count !== 0 && this.#expires[heap[0]!]! <= now) this.#evictTop('expired')
    }
    while (this.#count >= this.#maxEntries || this.#bytes + size > this.#maxBytes) this.#evictTop('capacity')

    if (slot === undefined) {
      slot = this.#allocate()
      this.#keys[slot] = key
      this.#map.set(key, slot)
    }
    this.#values[slot] = value
    this.#expires[slot] = expires
    if (this.#seq >= this.#seqLimit) this.#renumber()
    this.#seqs[slot] = ++this.#seq
    if (this.#sizes !== undefined) this.#sizes[slot] = size
    this.#bytes += size
    // Not `heap`: allocate() may have grown the arrays.
    const i = this.#count++
    this.#heap[i] = slot
    this.#pos[slot] = i
    this.#siftUp(i)
    return true
  }

  #dropSuperseded(key: string): false {
    const slot = this.#map.get(key)
    if (slot !== undefined) this.#remove(slot, 'deleted')
    return false
  }

  #evictTop(reason: EvictionReason): void {
    this.#remove(this.#heap[0]!, reason)
  }

  #remove(slot: number, reason: EvictionReason): void {
    const key = this.#keys[slot]!
    const value = this.#values[slot] as TValue
    this.#heapRemove(this.#pos[slot]!)
    this.#count--
    if (this.#sizes !== undefined) this.#bytes -= this.#sizes[slot]!
    this.#map.delete(key)
    this.#keys[slot] = undefined
    this.#values[slot] = undefined
    this.#pos[slot] = this.#free === -1 ? NO_SLOT : this.#free
    this.#free = slot
    if (this.#onEvict === undefined) return
    if (this.#inSet) {
      this.#pendingKeys.push(key)
      this.#pendingValues.push(value)
      this.#pendingReasons.push(reason)
    } else {
      this.#onEvict(key, value, reason)
    }
  }

  #flush(): void {
    this.#flushing = true
    try {
      // A callback may `set` again, which appends here; the loop picks those up too.
      for (let i = 0; i < this.#pendingKeys.length; i++) {
        this.#onEvict!(this.#pendingKeys[i]!, this.#pendingValues[i]!, this.#pendingReasons[i]!)
      }
    } finally {
      this.#pendingKeys.length = 0
      this.#pendingValues.length = 0
      this.#pendingReasons.length = 0
      this.#flushing = false
    }
  }

  /**
   * Gives the entries in the heap the sequences 1…count in their current order, so that `#seq` can count on
   * from there. Relative order is kept, so the heap stays valid as it is.
   */
  #renumber(): void {
    const seqs = this.#seqs
    const slots = Array.from(this.#heap.subarray(0, this.#count))
    slots.sort((a, b) => seqs[a]! - seqs[b]!)
    for (let i = 0; i < slots.length; i++) seqs[slots[i]!] = i + 1
    this.#seq = slots.length
  }

  /** `true` when slot `a` expires before slot `b` (or at the same time, written earlier). */
  #before(a: number, b: number): boolean {
    const ea = this.#expires[a]!
    const eb = this.#expires[b]!
    return ea < eb || (ea === eb && this.#seqs[a]! < this.#seqs[b]!)
  }

  /** Removes heap position `i`; the caller decrements `#count` afterwards (the heap is `#count` long). */
  #heapRemove(i: number): void {
    const last = this.#count - 1
    if (i === last) return
    const heap = this.#heap
    const moved = heap[last]!
    heap[i] = moved
    this.#pos[moved] = i
    // The moved slot may belong above or below its new position; the heap ends at `last` now.
    if (i > 0 && this.#before(moved, heap[(i - 1) >>> 1]!)) this.#siftUp(i)
    else this.#siftDown(i, last)
  }

  #siftUp(i: number): void {
    const heap = this.#heap
    const pos = this.#pos
    const slot = heap[i]!
    while (i > 0) {
      const parentIndex = (i - 1) >>> 1
      const parent = heap[parentIndex]!
      if (!this.#before(slot, parent)) break
      heap[i] = parent
      pos[parent] = i
      i = parentIndex
    }
    heap[i] = slot
    pos[slot] = i
  }

  #siftDown(i: number, length: number): void {
    const heap = this.#heap
    const pos = this.#pos
    const slot = heap[i]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= length) break
      if (child + 1 < length && this.#before(heap[child + 1]!, heap[child]!)) child++
      const c = heap[child]!
      if (!this.#before(c, slot)) break
      heap[i] = c
      pos[c] = i
      i = child
    }
    heap[i] = slot
    pos[slot] = i
  }

  #allocate(): number {
    if (this.#free !== -1) {
      const slot = this.#free
      const next = this.#pos[slot]!
      this.#free = next === NO_SLOT ? -1 : next
      return slot
    }
    if (this.#top === this.#capacity) this.#grow()
    return this.#top++
  }

  /** Doubles every per-slot array, up to `maxEntries` slots. Amortized O(1); never happens once full. */
  #grow(): void {
    const capacity = Math.min(this.#capacity * 2, this.#maxEntries, MAX_SLOTS)
    if (capacity <= this.#capacity) {
      throw new CacheError('E_INVALID_OPTION', '@tierstack/strategy-ttl: store cannot hold more entries', {
        cause: new RangeError(`more than ${MAX_SLOTS} entries`),
      })
    }
    // Exact-size copies: growing by push() would leave V8's slack (up to half again) in both arrays.
    this.#keys = grownArray(this.#keys, capacity)
    this.#values = grownArray(this.#values, capacity)
    this.#expires = grown(this.#expires, new Float64Array(capacity))
    this.#seqs = grown(this.#seqs, new Uint32Array(capacity))
    this.#heap = grown(this.#heap, new Uint32Array(capacity))
    this.#pos = grown(this.#pos, new Uint32Array(capacity))
    if (this.#sizes !== undefined) this.#sizes = grown(this.#sizes, new Float64Array(capacity))
    this.#capacity = capacity
  }
}

function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never)
  return to
}

/** A copy of `array` with `length` elements (the new ones `undefined`). */
function grownArray<T>(array: (T | undefined)[], length: number): (T | undefined)[] {
  const next = new Array<T | undefined>(length).fill(undefined)
  for (let i = 0; i < array.length; i++) next[i] = array[i]
  return next
}
