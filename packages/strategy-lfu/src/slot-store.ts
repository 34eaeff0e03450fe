import { type BoundedStore, CacheError, type EvictionReason } from '@tierstack/core'
import type { ResolvedStoreOptions } from './options.js'

/** Slots allocated up front; the arrays double from there up to `maxEntries + 1`. */
const INITIAL_SLOTS = 1024

/**
 * Storage shared by the LFU and W-TinyLFU stores. Entries live in numbered slots: the key and the value in
 * two plain arrays, size and expiry in typed arrays, and a `Map<string, slot>` is used for key lookup only.
 * Freed slots go on a stack (the free list) and are reused, so a steady-state workload allocates nothing per
 * operation. A subclass keeps its own policy links in typed arrays indexed by the same slot numbers and is
 * told about every change through the protected hooks below.
 *
 * Expiry without timers: entries that carry an `expiresAt` sit in a binary min-heap of slots (keyed by
 * `expiresAt`, positions tracked per slot so removal is O(log n)). Every write first reclaims what has
 * expired (reason `'expired'`), so expired entries never push live ones out; reads check the one entry they
 * touch. Stores that never see an `expiresAt` never read the clock.
 *
 * `onEvict` callbacks are queued while the store is being changed and run once it is consistent again, so a
 * callback may safely call back into the store.
 */
export abstract class SlotStore<TValue> implements BoundedStore<TValue> {
  /** Entry budget (`Infinity` when unset). */
  protected readonly maxEntries: number
  /** Byte budget (`Infinity` when unset). */
  protected readonly maxBytes: number
  /** Clock in epoch ms. */
  protected readonly now: () => number
  /** Key → slot. Used for lookup only; order and policy live in the typed arrays. */
  protected readonly map = new Map<string, number>()
  /** Key held by each slot (`undefined` when free). */
  protected keyAt: (string | undefined)[] = []
  /** Value held by each slot. */
  protected valueAt: (TValue | undefined)[] = []
  /**
   * Size of each slot's entry in bytes. Without a byte budget every size is 0 and a one-byte-per-slot
   * `Uint8Array` of zeros stands in for the `Float64Array` (7 bytes per entry saved).
   */
  protected weightAt: Float64Array | Uint8Array
  /** Slots allocated in the arrays. */
  protected capacity: number
  /** Live entries. */
  protected count = 0
  /** Sum of `weightAt` over live entries. */
  protected totalBytes = 0

  readonly #where: string
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  #expiresAt: Float64Array
  /**
   * Min-heap of slots ordered by `#expiresAt`. `#heapPos[slot]` is the slot's index in it (>= 0), -1 for a
   * live slot outside the heap, and for a free slot `-2 - next`: the free list is threaded through the
   * same array (a free slot is never in the heap), which saves a separate 4-byte-per-slot stack.
   */
  #heap: Int32Array
  #heapPos: Int32Array
  #heapLen = 0
  /** First free slot (-1: none); the rest of the free list follows `#heapPos` (see above). */
  #freeHead = -1
  /** Slots `>= #fresh` were never used. */
  #fresh = 0
  // Deferred onEvict calls: three parallel arrays that only ever grow (truncating them would make V8
  // shrink and regrow their backing stores), filled up to #pending and cleared after each flush.
  #pendingKeys: (string | undefined)[] = []
  #pendingValues: (TValue | undefined)[] = []
  #pendingReasons: EvictionReason[] = []
  #pending = 0
  #flushing = false
  /**
   * Slot whose removal is not reported: the key being written by `set` (an expired or oversized older value
   * it replaces, or the new entry when admission turns it away — `set` then returns false).
   */
  #silent = -1

  constructor(where: string, options: ResolvedStoreOptions<TValue>) {
    this.#where = where
    this.maxEntries = options.maxEntries
    this.maxBytes = options.maxBytes
    this.#sizeOf = options.sizeOf
    this.#onEvict = options.onEvict
    this.now = options.now
    const capacity = Math.min(INITIAL_SLOTS, this.maxEntries + 1)
    this.capacity = capacity
    this.weightAt = Number.isFinite(this.maxBytes) ? new Float64Array(capacity) : new Uint8Array(capacity)
    this.#expiresAt = new Float64Array(capacity)
    this.#heap = new Int32Array(capacity)
    this.#heapPos = new Int32Array(capacity).fill(-1)
    this.keyAt = new Array<string | undefined>(capacity).fill(undefined)
    this.valueAt = new Array<TValue | undefined>(capacity).fill(undefined)
  }

  // ---- policy hooks -------------------------------------------------------------------------------

  /** A new entry was stored in `slot` (already in the map and counted). */
  protected abstract linkNew(slot: number): void
  /** The entry in `slot` was replaced by `set` (value, weight or expiry changed); `oldWeight` was its size. */
  protected abstract relinkUpdated(slot: number, oldWeight: number): void
  /** `get` hit the entry in `slot`. */
  protected abstract touch(slot: number): void
  /** The entry in `slot` is about to be removed: drop it from the policy structures. */
  protected abstract unlink(slot: number): void
  /**
   * Called after every write to `slot`; must restore the budgets by calling `removeSlot(…, 'capacity')`.
   * An overwritten entry (`isNew` false) must survive: `set` of a key already held always stores. A new
   * entry may be refused (admission): `set` then returns `false` and reports no `onEvict` for it.
   */
  protected abstract enforce(slot: number, isNew: boolean): void
  /** The slot arrays grew to `capacity`: grow the policy arrays, keeping their contents. */
  protected abstract growPolicy(capacity: number): void
  /** `clear()` emptied the store: reset the policy structures. */
  protected abstract clearPolicy(): void

  // ---- BoundedStore -------------------------------------------------------------------------------

  get(key: string): TValue | undefined {
    const slot = this.map.get(key)
    if (slot === undefined) return undefined
    const expiresAt = this.#expiresAt[slot]!
    if (expiresAt !== Number.POSITIVE_INFINITY && this.now() >= expiresAt) {
      this.removeSlot(slot, 'expired')
      this.#flush()
      return undefined
    }
    this.touch(slot)
    return this.valueAt[slot]
  }

  peek(key: string): TValue | undefined {
    const slot = this.#live(key)
    return slot === -1 ? undefined : this.valueAt[slot]
  }

  has(key: string): boolean {
    return this.#live(key) !== -1
  }

  set(key: string, value: TValue, expiresAt: number = Number.POSITIVE_INFINITY): boolean {
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new CacheError(
        'E_INVALID_TTL',
        `tierstack: strategy-lfu: ${this.#where} set() expiresAt must be an epoch-ms number, got ${String(expiresAt)}`,
      )
    }
    let weight = 0
    if (this.#sizeOf !== undefined) {
      weight = this.#sizeOf(value, key)
      if (typeof weight !== 'number' || !(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
        throw new CacheError(
          'E_INVALID_OPTION',
          `tierstack: strategy-lfu: ${this.#where} option sizeOf must return a finite number >= 0, got ${String(weight)} for key ${JSON.stringify(key)}`,
        )
      }
    }
    let slot = this.map.get(key)
    if (expiresAt !== Number.POSITIVE_INFINITY || this.#heapLen > 0) {
      const now = this.now()
      // Removals caused by this set() of `key` itself are overwrites: they are not reported to onEvict.
      if (slot !== undefined) this.#silent = slot
      this.#purge(now)
      // The purge may have reclaimed the older value of `key` itself.
      if (slot !== undefined && this.keyAt[slot] !== key) slot = undefined
      if (expiresAt <= now) return this.#refuse(slot)
    }
    // Larger than the whole byte budget: never stored (and an older value of the key is dropped).
    if (weight > this.maxBytes) return this.#refuse(slot)

    const isNew = slot === undefined
    if (slot !== undefined) {
      const oldWeight = this.weightAt[slot]!
      this.valueAt[slot] = value
      this.weightAt[slot] = weight
      this.totalBytes += weight - oldWeight
      this.#setExpiry(slot, expiresAt)
      this.relinkUpdated(slot, oldWeight)
    } else {
      slot = this.#allocate()
      this.keyAt[slot] = key
      this.valueAt[slot] = value
      this.weightAt[slot] = weight
      this.#expiresAt[slot] = expiresAt
      if (expiresAt !== Number.POSITIVE_INFINITY) this.#heapPush(slot)
      this.map.set(key, slot)
      this.count++
      this.totalBytes += weight
      this.linkNew(slot)
    }
    this.#silent = slot
    this.enforce(slot, isNew)
    this.#silent = -1
    const stored = this.keyAt[slot] === key
    this.#flush()
    return stored
  }

  delete(key: string): boolean {
    const slot = this.#live(key)
    if (slot === -1) return false
    this.removeSlot(slot, 'deleted')
    this.#flush()
    return true
  }

  clear(): void {
    this.map.clear()
    this.keyAt.fill(undefined, 0, this.#fresh)
    this.valueAt.fill(undefined, 0, this.#fresh)
    this.weightAt.fill(0, 0, this.#fresh)
    this.#heapPos.fill(-1, 0, this.#fresh)
    this.#heapLen = 0
    this.#freeHead = -1
    this.#fresh = 0
    this.count = 0
    this.totalBytes = 0
    this.clearPolicy()
  }

  /** Live entries (expired ones are reclaimed first). */
  get size(): number {
    if (this.#heapLen > 0) this.#purgeNow()
    return this.count
  }

  /** Sum of `sizeOf` over live entries (0 without `maxBytes`). */
  get bytes(): number {
    if (this.#heapLen > 0) this.#purgeNow()
    return this.totalBytes
  }

  /** Keys of live entries, in insertion order (expired ones are reclaimed first). */
  keys(): IterableIterator<string> {
    if (this.#heapLen > 0) this.#purgeNow()
    return this.map.keys()
  }

  // ---- helpers for subclasses ---------------------------------------------------------------------

  /** `true` while an entry or byte budget is exceeded. */
  protected overBudget(): boolean {
    return this.count > this.maxEntries || this.totalBytes > this.maxBytes
  }

  /** Removes the entry in `slot` and queues its `onEvict` call. */
  protected removeSlot(slot: number, reason: EvictionReason): void {
    const key = this.keyAt[slot]!
    const value = this.valueAt[slot] as TValue
    this.unlink(slot)
    this.map.delete(key)
    if (this.#heapPos[slot]! >= 0) this.#heapRemove(slot)
    this.count--
    this.totalBytes -= this.weightAt[slot]!
    this.keyAt[slot] = undefined
    this.valueAt[slot] = undefined
    this.weightAt[slot] = 0
    this.#heapPos[slot] = -2 - this.#freeHead
    this.#freeHead = slot
    if (this.#onEvict !== undefined && slot !== this.#silent) {
      const i = this.#pending++
      this.#pendingKeys[i] = key
      this.#pendingValues[i] = value
      this.#pendingReasons[i] = reason
    }
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** Slot of a live `key`, or -1; an expired entry found on the way is reclaimed. */
  #live(key: string): number {
    const slot = this.map.get(key)
    if (slot === undefined) return -1
    const expiresAt = this.#expiresAt[slot]!
    if (expiresAt !== Number.POSITIVE_INFINITY && this.now() >= expiresAt) {
      this.removeSlot(slot, 'expired')
      this.#flush()
      return -1
    }
    return slot
  }

  /** `set` that cannot store: silently drops the older value of the key (in `slot`) and reports `false`. */
  #refuse(slot: number | undefined): false {
    if (slot !== undefined) {
      this.#silent = slot
      this.removeSlot(slot, 'deleted')
    }
    this.#silent = -1
    this.#flush()
    return false
  }

  #allocate(): number {
    const free = this.#freeHead
    if (free !== -1) {
      this.#freeHead = -2 - this.#heapPos[free]!
      this.#heapPos[free] = -1
      return free
    }
    if (this.#fresh === this.capacity) this.#grow()
    return this.#fresh++
  }

  #grow(): void {
    const capacity = Math.min(this.capacity * 2, this.maxEntries + 1)
    this.weightAt =
      this.weightAt instanceof Float64Array ? growFloat64(this.weightAt, capacity) : new Uint8Array(capacity)
    this.#expiresAt = growFloat64(this.#expiresAt, capacity)
    this.#heap = growInt32(this.#heap, capacity, 0)
    this.#heapPos = growInt32(this.#heapPos, capacity, -1)
    // Exact-size copies: growing by push() would leave V8's 50% slack in both arrays.
    this.keyAt = growArray(this.keyAt, capacity)
    this.valueAt = growArray(this.valueAt, capacity)
    this.capacity = capacity
    this.growPolicy(capacity)
  }

  #purgeNow(): void {
    this.#purge(this.now())
    this.#flush()
  }

  /** Reclaims every entry with `expiresAt <= now` (heap top first). */
  #purge(now: number): void {
    const heap = this.#heap
    const expiresAt = this.#expiresAt
    while (this.#heapLen > 0) {
      const slot = heap[0]!
      if (expiresAt[slot]! > now) return
      this.removeSlot(slot, 'expired')
    }
  }

  /** Runs the queued `onEvict` calls. Re-entrant calls append to the queue and are run by the outer loop. */
  #flush(): void {
    if (this.#flushing || this.#pending === 0) return
    const onEvict = this.#onEvict!
    const keys = this.#pendingKeys
    const values = this.#pendingValues
    const reasons = this.#pendingReasons
    this.#flushing = true
    let i = 0
    try {
      for (; i < this.#pending; i++) {
        const key = keys[i]!
        const value = values[i] as TValue
        keys[i] = undefined
        values[i] = undefined
        onEvict(key, value, reasons[i]!)
      }
    } finally {
      // After a throwing callback the rest of the batch is dropped (the store itself is consistent).
      for (; i < this.#pending; i++) {
        keys[i] = undefined
        values[i] = undefined
      }
      this.#pending = 0
      this.#flushing = false
    }
  }

  #setExpiry(slot: number, expiresAt: number): void {
    const inHeap = this.#heapPos[slot]! >= 0
    const old = this.#expiresAt[slot]!
    if (expiresAt === Number.POSITIVE_INFINITY) {
      // Leave the heap first: #heapRemove compares against the slot's current (old) expiry.
      if (inHeap) this.#heapRemove(slot)
      this.#expiresAt[slot] = expiresAt
      return
    }
    this.#expiresAt[slot] = expiresAt
    if (!inHeap) {
      this.#heapPush(slot)
    } else if (expiresAt < old) {
      this.#siftUp(this.#heapPos[slot]!, slot)
    } else {
      this.#siftDown(this.#heapPos[slot]!, slot)
    }
  }

  #heapPush(slot: number): void {
    this.#siftUp(this.#heapLen++, slot)
  }

  #heapRemove(slot: number): void {
    const i = this.#heapPos[slot]!
    this.#heapPos[slot] = -1
    const last = this.#heap[--this.#heapLen]!
    if (last === slot) return
    if (this.#expiresAt[last]! < this.#expiresAt[slot]!) this.#siftUp(i, last)
    else this.#siftDown(i, last)
  }

  #siftUp(index: number, slot: number): void {
    const heap = this.#heap
    const pos = this.#heapPos
    const exp = this.#expiresAt
    const key = exp[slot]!
    let i = index
    while (i > 0) {
      const parent = (i - 1) >>> 1
      const up = heap[parent]!
      if (exp[up]! <= key) break
      heap[i] = up
      pos[up] = i
      i = parent
    }
    heap[i] = slot
    pos[slot] = i
  }

  #siftDown(index: number, slot: number): void {
    const heap = this.#heap
    const pos = this.#heapPos
    const exp = this.#expiresAt
    const key = exp[slot]!
    const n = this.#heapLen
    let i = index
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      let down = heap[child]!
      if (child + 1 < n && exp[heap[child + 1]!]! < exp[down]!) {
        child++
        down = heap[child]!
      }
      if (exp[down]! >= key) break
      heap[i] = down
      pos[down] = i
      i = child
    }
    heap[i] = slot
    pos[slot] = i
  }
}

/** A copy of `array` with room for `length` elements. */
export function growInt32(array: Int32Array, length: number, fill: number): Int32Array {
  const next = new Int32Array(length)
  next.set(array)
  if (fill !== 0) next.fill(fill, array.length)
  return next
}

/** A copy of `array` with `length` elements (the new ones `undefined`). */
function growArray<T>(array: (T | undefined)[], length: number): (T | undefined)[] {
  const next = new Array<T | undefined>(length).fill(undefined)
  for (let i = 0; i < array.length; i++) next[i] = array[i]
  return next
}

/** A copy of `array` with room for `length` elements. */
export function growFloat64(array: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length)
  next.set(array)
  return next
}
