import { type BoundedStore, CacheError, type EvictionReason } from '@tierstack/core'
import { ExpiryTable } from './expiry-table.js'
import type { ResolvedStoreOptions } from './options.js'

/** Slots allocated up front; the arrays double from there up to `maxEntries + 1`. */
const INITIAL_SLOTS = 1024
/**
 * Slots the expiry sweep examines per `set` (see `SlotStore`). An expired entry waits `capacity / (2 × step)`
 * writes on average, taking room from live ones. On Zipf 0.99 into a full 10k-entry store whose entries live
 * 20 capacities' worth of requests, a step of 8 kept W-TinyLFU within 0.05 points of the hit ratio an expiry
 * heap gives (a step of 2 lost half a point), for a write cost within measurement noise.
 */
const SWEEP_STEP = 8
const INFINITY = Number.POSITIVE_INFINITY

/**
 * Storage shared by the LFU and W-TinyLFU stores. Entries live in numbered slots: the key and the value in
 * two plain arrays, expiry (from the first entry that has one: 32-bit offsets, see `ExpiryTable`) and size
 * (with a byte budget) in typed arrays,
 * and a `Map<string, slot>` is used for key lookup only. Freed slots go on a free list threaded through the
 * value array and are reused, so a steady-state workload allocates nothing per operation. A subclass keeps its
 * own policy links in typed arrays indexed by the same slot numbers and is told about every change through
 * the protected hooks below.
 *
 * Expiry without timers and without an index: `get` / `peek` / `has` / `delete` check the one entry they touch
 * and reclaim it when it has expired (reason `'expired'`); every `set` also examines the next eight slots of a
 * round-robin sweep and reclaims the expired ones, so an expired entry nobody reads is reclaimed within
 * `capacity / 8` writes, for O(1) work per write; and a capacity victim that has expired is reported as
 * `'expired'` (W-TinyLFU also evicts an expired candidate or victim before consulting the sketch). An index
 * ordered by expiry (a heap) would reclaim earlier but costs 8 bytes per entry. Stores that hold no entry
 * with an `expiresAt` never read the clock.
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
  /** Value held by each slot; for a free slot, the next free slot (-1: none). Read only by `SlotStore`. */
  protected valueAt: (TValue | undefined)[] = []
  /** Size of each slot's entry in bytes; only with a byte budget (every size is 0 otherwise). */
  protected weightAt: Float64Array | undefined
  /** Slots allocated in the arrays. */
  protected capacity: number
  /** Live entries. */
  protected count = 0
  /** Sum of the entry sizes over live entries. */
  protected totalBytes = 0

  readonly #where: string
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  /** Expiry per slot (epoch ms, `Infinity` = none); allocated by the first `set` with an `expiresAt`. */
  #expiresAt: ExpiryTable | undefined
  /** First free slot (-1: none); the rest of the free list follows `valueAt` (see above). */
  #freeHead = -1
  /** Slots `>= #fresh` were never used. */
  #fresh = 0
  /** Live entries with a finite expiry: while 0, writes neither sweep nor read the clock. */
  #expiring = 0
  /** Next slot the expiry sweep examines. */
  #cursor = 0
  /** Clock of the `set` in progress (NaN when it did not read it): capacity victims expired by then are reported as such. */
  #writeNow = Number.NaN
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
    this.weightAt = Number.isFinite(this.maxBytes) ? new Float64Array(capacity) : undefined
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
    if (this.#expiresAt !== undefined && this.#expiredOnRead(slot)) return undefined
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

  /**
   * The `expiresAt` given to `set` for a live entry (`Infinity` when none was given), `undefined` when `key` is
   * absent or expired. Not an access, and an expired entry is left for the next read or sweep to reclaim.
   */
  expiresAt(key: string): number | undefined {
    const slot = this.map.get(key)
    if (slot === undefined) return undefined
    const expiresAt = this.#expiryOf(slot)
    return expiresAt !== INFINITY && this.now() >= expiresAt ? undefined : expiresAt
  }

  set(key: string, value: TValue, expiresAt: number = INFINITY): boolean {
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new CacheError(
        'E_INVALID_TTL',
        `tierstack: strategy-lfu: ${this.#where} set() expiresAt must be an epoch-ms number, got ${String(expiresAt)}`,
      )
    }
    let weight = 0
    if (this.#sizeOf !== undefined) {
      weight = this.#sizeOf(value, key)
      if (typeof weight !== 'number' || !(weight >= 0) || weight === INFINITY) {
        throw new CacheError(
          'E_INVALID_OPTION',
          `tierstack: strategy-lfu: ${this.#where} option sizeOf must return a finite number >= 0, got ${String(weight)} for key ${JSON.stringify(key)}`,
        )
      }
    }
    let slot = this.map.get(key)
    let now = Number.NaN
    if (expiresAt !== INFINITY || this.#expiring > 0) {
      now = this.now()
      if (this.#expiring > 0) {
        // Removals caused by this set() of `key` itself are overwrites: they are not reported to onEvict.
        if (slot !== undefined) {
          this.#silent = slot
          // An expired older value is gone: `key` is written as a new entry, as if it had been reclaimed.
          if (this.#expiresAt!.at(slot) <= now) {
            this.removeSlot(slot, 'expired')
            slot = undefined
          }
        }
        this.#sweep(now)
        this.#silent = -1
      }
      if (expiresAt <= now) return this.#refuse(slot)
    }
    this.#writeNow = now
    // Larger than the whole byte budget: never stored (and an older value of the key is dropped).
    if (weight > this.maxBytes) return this.#refuse(slot)

    const isNew = slot === undefined
    if (slot !== undefined) {
      const weights = this.weightAt
      let oldWeight = 0
      if (weights !== undefined) {
        oldWeight = weights[slot]!
        weights[slot] = weight
        this.totalBytes += weight - oldWeight
      }
      this.valueAt[slot] = value
      if (this.#expiryOf(slot) !== INFINITY) this.#expiring--
      this.#setExpiry(slot, expiresAt, now)
      this.relinkUpdated(slot, oldWeight)
    } else {
      slot = this.#allocate()
      this.keyAt[slot] = key
      this.valueAt[slot] = value
      if (this.weightAt !== undefined) this.weightAt[slot] = weight
      this.#setExpiry(slot, expiresAt, now)
      this.map.set(key, slot)
      this.count++
      this.totalBytes += weight
      this.linkNew(slot)
    }
    this.#silent = slot
    this.enforce(slot, isNew)
    this.#silent = -1
    this.#writeNow = Number.NaN
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
    this.weightAt?.fill(0, 0, this.#fresh)
    this.#expiresAt?.clear()
    this.#freeHead = -1
    this.#fresh = 0
    this.#expiring = 0
    this.#cursor = 0
    this.count = 0
    this.totalBytes = 0
    this.clearPolicy()
  }

  /** Entries held, including expired ones not reclaimed yet (reclaimed when touched, swept or evicted). */
  get size(): number {
    return this.count
  }

  /** Sum of `sizeOf` over the entries held (0 without `maxBytes`), including expired ones not reclaimed yet. */
  get bytes(): number {
    return this.totalBytes
  }

  /** Keys of live entries, in insertion order (expired ones are reclaimed first: O(capacity)). */
  keys(): IterableIterator<string> {
    if (this.#expiring > 0) {
      const now = this.now()
      const keys = this.keyAt
      const expiresAt = this.#expiresAt!
      for (let slot = 0; slot < this.#fresh && this.#expiring > 0; slot++) {
        if (keys[slot] !== undefined && expiresAt.at(slot) <= now) this.removeSlot(slot, 'expired')
      }
      this.#flush()
    }
    return this.map.keys()
  }

  // ---- helpers for subclasses ---------------------------------------------------------------------

  /** `true` while an entry or byte budget is exceeded. */
  protected overBudget(): boolean {
    return this.count > this.maxEntries || this.totalBytes > this.maxBytes
  }

  /** Size of the entry in `slot` in bytes (0 without a byte budget). */
  protected weightOf(slot: number): number {
    const weights = this.weightAt
    return weights === undefined ? 0 : weights[slot]!
  }

  /** `true` when the entry in `slot` had expired when the `set` in progress read the clock. */
  protected expiredAtWrite(slot: number): boolean {
    return this.#expiryOf(slot) <= this.#writeNow
  }

  /**
   * Removes the entry in `slot` and queues its `onEvict` call. A `'capacity'` victim that had expired when
   * the current `set` read the clock is reported as `'expired'`.
   */
  protected removeSlot(slot: number, reason: EvictionReason): void {
    const key = this.keyAt[slot]!
    const value = this.valueAt[slot] as TValue
    const expiresAt = this.#expiryOf(slot)
    let why = reason
    this.unlink(slot)
    this.map.delete(key)
    if (expiresAt !== INFINITY) {
      this.#expiring--
      this.#expiresAt!.remove(slot)
      if (why === 'capacity' && expiresAt <= this.#writeNow) why = 'expired'
    }
    this.count--
    const weights = this.weightAt
    if (weights !== undefined) {
      this.totalBytes -= weights[slot]!
      weights[slot] = 0
    }
    this.keyAt[slot] = undefined
    ;(this.valueAt as unknown as number[])[slot] = this.#freeHead
    this.#freeHead = slot
    if (this.#onEvict !== undefined && slot !== this.#silent) {
      const i = this.#pending++
      this.#pendingKeys[i] = key
      this.#pendingValues[i] = value
      this.#pendingReasons[i] = why
    }
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** Slot of a live `key`, or -1; an expired entry found on the way is reclaimed. */
  #live(key: string): number {
    const slot = this.map.get(key)
    if (slot === undefined) return -1
    const expiresAt = this.#expiryOf(slot)
    if (expiresAt !== INFINITY && this.now() >= expiresAt) {
      this.removeSlot(slot, 'expired')
      this.#flush()
      return -1
    }
    return slot
  }

  /** `true` (and the entry reclaimed) when the entry in `slot` has expired; kept out of `get` to keep it small. */
  #expiredOnRead(slot: number): boolean {
    const expiresAt = this.#expiresAt!.at(slot)
    if (expiresAt === INFINITY || this.now() < expiresAt) return false
    this.removeSlot(slot, 'expired')
    this.#flush()
    return true
  }

  /** Examines the next `SWEEP_STEP` slots round-robin and reclaims the expired entries among them. */
  #sweep(now: number): void {
    const keys = this.keyAt
    const expiresAt = this.#expiresAt!
    const fresh = this.#fresh
    let slot = this.#cursor
    for (let i = 0; i < SWEEP_STEP; i++, slot++) {
      if (slot >= fresh) slot = 0
      if (keys[slot] !== undefined && expiresAt.at(slot) <= now) this.removeSlot(slot, 'expired')
    }
    this.#cursor = slot
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
      this.#freeHead = (this.valueAt as unknown as number[])[free]!
      return free
    }
    if (this.#fresh === this.capacity) this.#grow()
    return this.#fresh++
  }

  #grow(): void {
    const capacity = Math.min(this.capacity * 2, this.maxEntries + 1)
    if (this.weightAt !== undefined) this.weightAt = growFloat64(this.weightAt, capacity)
    this.#expiresAt?.grow(capacity)
    // Exact-size copies: growing by push() would leave V8's 50% slack in both arrays.
    this.keyAt = growArray(this.keyAt, capacity)
    this.valueAt = growArray(this.valueAt, capacity)
    this.capacity = capacity
    this.growPolicy(capacity)
  }

  /** Expiry of the entry in `slot` (`Infinity` = none). */
  #expiryOf(slot: number): number {
    const expiry = this.#expiresAt
    return expiry === undefined ? INFINITY : expiry.at(slot)
  }

  /**
   * Records the expiry of the entry just written to `slot`, counting it in `#expiring` when finite. `now` is
   * the clock reading of this `set` (it is always read when `expiresAt` is finite).
   */
  #setExpiry(slot: number, expiresAt: number, now: number): void {
    let table = this.#expiresAt
    if (expiresAt !== INFINITY) {
      // Stores that never see an expiry never pay its 4 bytes per slot.
      if (table === undefined) {
        table = new ExpiryTable(this.capacity, now)
        this.#expiresAt = table
      } else if (table.needsRebase(now)) {
        table.rebase(now)
      }
      this.#expiring++
    } else if (table === undefined) {
      return
    }
    table.set(slot, expiresAt)
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
