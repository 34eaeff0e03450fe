import type { BoundedStore, EvictionReason } from './contracts.js'
import { CacheError } from './errors.js'
import { measureEntry, type ResolvedStoreOptions } from './store-options.js'

const INFINITY = Number.POSITIVE_INFINITY
/** "No slot": what `victim()` returns when it has nothing to offer, and `slotOf()` for an absent key. */
const NO_SLOT = -1
/** Heap positions live in an `Int32Array` (-1 = not in the heap), so slots stay below 2^31. */
const MAX_SLOTS = 2 ** 31 - 1
const DEFAULT_INITIAL_SLOTS = 64

// `SlotTableConfig.expiry`, as small integers for the hot paths.
const LAZY = 0
const RECLAIM = 1
const ORDER = 2

/**
 * How a `SlotTable` keeps track of expiry times (`SlotTableConfig.expiry`):
 *
 * - `'lazy'`: no index. An expired entry is reclaimed (`'expired'`) when it is read, or when `makeRoom()`
 *   evicts it; until then it counts in `size` and `bytes`, `keys()` skips it and `delete()` removes it as
 *   `'deleted'`. The expiry array exists only once an `expiresAt` has been seen, so a store that never gets
 *   one never reads the clock.
 * - `'reclaim'`: entries that have an `expiresAt` also sit in a binary min-heap. Every write first reclaims
 *   everything that has expired, so expired entries never push live ones out, and `size`, `bytes` and
 *   `keys()` reclaim before answering: an expired entry is never observable (`delete()` of one returns
 *   `false`). The heap is allocated with the first `expiresAt`.
 * - `'order'`: every entry sits in the heap, ordered by `expiresAt` (none = last), then by write order;
 *   `firstToExpire()` is the next victim of an expiry-ordered policy. Writes reclaim what has expired from
 *   the top; otherwise expired entries are held until reclaimed, as with `'lazy'`.
 */
export type SlotExpiry = 'lazy' | 'reclaim' | 'order'

/** What a strategy tells its `SlotTable` once, in the constructor. */
export interface SlotTableConfig {
  /** Prefix of the errors `set()` throws: the package and the strategy, e.g. `'@tierstack/strategy-fifo: sieve()'`. */
  label: string
  /**
   * Slots `0 … reservedSlots - 1` never hold entries: the policy may use them as sentinels of its
   * index-linked lists (with policy arrays indexed by slot, a sentinel removes every head/tail case).
   * @default 0
   */
  reservedSlots?: number
  /**
   * Slots allocated up front. The arrays double from there, up to `maxEntries + 1` (a new entry is counted
   * before the policy makes room for it) plus `reservedSlots`.
   * @default 64
   */
  initialSlots?: number
  /** How expiry times are tracked and expired entries reclaimed; see `SlotExpiry`. @default 'lazy' */
  expiry?: SlotExpiry
  /**
   * `set()` refuses a value larger than `maxBytes` or already expired, and then also drops the value it
   * would have replaced (a stale value must not outlive a newer write). `'deleted'` reports that older value
   * to `onEvict` as `'deleted'`; `'silent'` does not, as for any overwrite.
   * @default 'deleted'
   */
  refusedOverwrite?: 'deleted' | 'silent'
}

/**
 * The storage half of a bounded store, for strategy authors: a subclass brings the eviction policy, the
 * table does everything else — the `BoundedStore` methods, the key → slot `Map`, keys and values in plain
 * arrays, sizes and expiry times in typed arrays, the entry and byte budgets, expiry against the injected
 * clock, and the deferred `onEvict` queue.
 *
 * Entries live in numbered slots. A policy keeps its own per-slot data (links, counters, queue ids) in typed
 * arrays indexed by the same numbers, allocated with `capacity` slots and grown in `onGrow()`. Freed slots
 * go on a stack and are reused, and the arrays grow by doubling up to the entry budget, so once warm no
 * operation allocates; the `Map` is the only hash lookup per operation.
 *
 * The table tells the policy what happens through hooks, one per event, never a callback per operation:
 * `onInsert` / `onUpdate` after a write (the policy links the entry and calls `makeRoom()`, which asks
 * `victim()` for entries to evict until both budgets hold), `onAccess` on a `get()` hit, `onRemove` before
 * a slot is freed, `onGrow` and `onClear`. Hooks must not call the public methods; those may be called
 * from `onEvict`, which runs once the table is consistent again.
 *
 * Rules it keeps for every strategy (those of `strategyComplianceSuite`): `undefined` values and NaN
 * expiry times are refused with `CacheError` (`E_INVALID_VALUE`, `E_INVALID_TTL`); a value larger than
 * `maxBytes` or already expired is not stored and evicts nothing else; an overwrite is never its own
 * victim; a new entry the policy evicts in `onInsert` (admission) makes `set()` return `false` and is not
 * reported; evictions are reported `'expired'` when the entry had expired, else `'capacity'`; `clear()` and
 * overwrites report nothing; `keys()` yields live keys in insertion order.
 *
 * @example
 * ```ts
 * // FIFO in a few lines: evict the oldest slot (a real policy would keep an index-linked list).
 * class FifoStore<TValue> extends SlotTable<TValue> {
 *   readonly #order = new Set<number>()
 *   protected onInsert(slot: number) { this.makeRoom(slot); this.#order.add(slot) }
 *   protected onUpdate(slot: number) { this.makeRoom(slot) }
 *   protected onRemove(slot: number) { this.#order.delete(slot) }
 *   protected victim(protect: number) {
 *     for (const slot of this.#order) if (slot !== protect) return slot
 *     return -1
 *   }
 * }
 * new FifoStore(resolveStoreOptions('fifo', { maxEntries: 100 }), { label: 'my-fifo' })
 * ```
 */
export abstract class SlotTable<TValue> implements BoundedStore<TValue> {
  readonly #label: string
  readonly #reserved: number
  readonly #mode: number
  readonly #silentRefusal: boolean
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  readonly #now: () => number
  /** Key → slot: lookup only; order and policy live in the policy's arrays. */
  readonly #map = new Map<string, number>()

  #capacity: number
  #keys: (string | undefined)[]
  #values: (TValue | undefined)[]
  /** Entry sizes; only with a byte budget (every size is 0 otherwise). */
  #sizes: Float64Array | undefined
  /** Expiry times in epoch ms (`Infinity` = none); allocated with the first `expiresAt` (`'order'`: up front). */
  #expires: Float64Array | undefined
  /** Write order, the heap's tie-break between equal expiry times (older first). With the heap. */
  #seqs: Float64Array | undefined
  /** Binary min-heap of slots by (`#expires`, `#seqs`); `#heapPos[slot]` is the slot's index, -1 outside. */
  #heap: Int32Array | undefined
  #heapPos: Int32Array | undefined
  #heapLen = 0
  #seq = 0
  /** Freed slots, a stack: the most recently freed (still in cache) is reused first. */
  #free: Uint32Array
  #freeTop = 0
  /** Slots from `#top` on were never used. */
  #top: number
  #count = 0
  #bytes = 0
  /**
   * The slot whose removal is not reported: the key being written by `set` (its expired older value, or the
   * new entry when the policy turns it away).
   */
  #silent = NO_SLOT

  // Deferred onEvict calls: parallel arrays that only ever grow (truncating them would make V8 shrink and
  // regrow their backing stores), filled up to #pending and emptied by #flush().
  readonly #pendingKeys: (string | undefined)[] = []
  readonly #pendingValues: (TValue | undefined)[] = []
  readonly #pendingReasons: EvictionReason[] = []
  #pending = 0
  #flushing = false

  /**
   * @param options the `BoundedStoreOptions` after `resolveStoreOptions()` (validate them in the
   *   strategy's `create()`, with its name in the messages).
   * @param config what the policy needs from the table; see `SlotTableConfig`.
   */
  constructor(options: ResolvedStoreOptions<TValue>, config: SlotTableConfig) {
    this.#label = config.label
    this.#reserved = config.reservedSlots ?? 0
    this.#mode = config.expiry === 'order' ? ORDER : config.expiry === 'reclaim' ? RECLAIM : LAZY
    this.#silentRefusal = config.refusedOverwrite === 'silent'
    this.#maxEntries = options.maxEntries
    this.#maxBytes = options.maxBytes
    this.#sizeOf = options.sizeOf
    this.#onEvict = options.onEvict
    this.#now = options.now
    const capacity =
      Math.min(config.initialSlots ?? DEFAULT_INITIAL_SLOTS, options.maxEntries + 1, MAX_SLOTS) +
      this.#reserved
    this.#capacity = capacity
    this.#keys = new Array<string | undefined>(capacity).fill(undefined)
    this.#values = new Array<TValue | undefined>(capacity).fill(undefined)
    this.#sizes = options.sizeOf === undefined ? undefined : new Float64Array(capacity)
    this.#free = new Uint32Array(capacity)
    this.#top = this.#reserved
    if (this.#mode === ORDER) this.#trackExpiry()
  }

  // ---- hooks: the policy ---------------------------------------------------------------------------

  /**
   * A new entry was written to `slot` (already counted in `size` and `bytes`). Link it and call
   * `makeRoom(slot)` — before linking when the new entry must not take part in the victim search, after
   * when it competes (admission: evicting `slot` itself refuses it, and `set()` returns `false`).
   */
  protected abstract onInsert(slot: number): void
  /**
   * `set()` overwrote the entry in `slot` (value, size and expiry may all have changed; `oldSize` was its
   * size). Relink it and call `makeRoom(slot)`; the entry itself must survive.
   */
  protected abstract onUpdate(slot: number, oldSize: number): void
  /** The entry in `slot` is about to be freed (evicted, expired, deleted or refused): unlink it. */
  protected abstract onRemove(slot: number): void
  /**
   * The next entry to evict for `makeRoom()`, or -1 when there is none (`makeRoom()` then gives up). Never
   * `protect`, unless the policy refuses the entry being written (admission). The returned slot is evicted
   * right away. Default: -1 (a policy that evicts with its own loop calls `evict()` instead).
   */
  protected victim(_protect: number): number {
    return NO_SLOT
  }
  /** `get()` hit the entry in `slot`. Default: nothing (the order does not depend on reads). */
  protected onAccess(_slot: number): void {}
  /** The slot arrays grew to `capacity` slots: grow the policy's per-slot arrays, keeping their contents. */
  protected onGrow(_capacity: number): void {}
  /** `clear()` emptied the table: reset the policy's structures. */
  protected onClear(): void {}

  // ---- helpers for the policy ----------------------------------------------------------------------

  /** Slots allocated in the arrays: the length the policy's per-slot arrays need. */
  protected get capacity(): number {
    return this.#capacity
  }

  /** Entries held, without reclaiming anything (`size` may reclaim first). */
  protected get count(): number {
    return this.#count
  }

  /** Entry budget (`Infinity` when unset). */
  protected get maxEntries(): number {
    return this.#maxEntries
  }

  /** Byte budget (`Infinity` when unset). */
  protected get maxBytes(): number {
    return this.#maxBytes
  }

  /** Key held by a live `slot`. */
  protected keyAt(slot: number): string {
    return this.#keys[slot]!
  }

  /** Size of the entry in `slot`, in bytes (0 without a byte budget). */
  protected sizeAt(slot: number): number {
    return this.#sizes === undefined ? 0 : this.#sizes[slot]!
  }

  /** Slot of `key`, or -1; expired entries included, nothing reclaimed, no access recorded. */
  protected slotOf(key: string): number {
    return this.#map.get(key) ?? NO_SLOT
  }

  /** `true` when the entry in `slot` has an `expiresAt` that has passed (the clock is read only then). */
  protected isExpired(slot: number): boolean {
    const expires = this.#expires
    if (expires === undefined) return false
    const e = expires[slot]!
    return e !== INFINITY && e <= this.#now()
  }

  /**
   * With an expiry heap: the slot that expires first (ties: the older write; entries without an expiry
   * last), or -1 when the heap is empty. The entry being written is out of the heap until its hook returns.
   */
  protected firstToExpire(): number {
    return this.#heapLen === 0 ? NO_SLOT : this.#heap![0]!
  }

  /** `true` while the entry or the byte budget is exceeded. */
  protected overBudget(): boolean {
    return this.#count > this.#maxEntries || this.#bytes > this.#maxBytes
  }

  /** Evicts the entry in `slot` to make room: reported `'expired'` if its `expiresAt` has passed, else `'capacity'`. */
  protected evict(slot: number): void {
    this.#remove(slot, this.isExpired(slot) ? 'expired' : 'capacity')
  }

  /** Evicts `victim(protect)` until both budgets hold, or until the policy has no victim left. */
  protected makeRoom(protect: number): void {
    while (this.#count > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const slot = this.victim(protect)
      if (slot === NO_SLOT) return
      this.evict(slot)
    }
  }

  // ---- BoundedStore --------------------------------------------------------------------------------

  /** The value of a live `key`, recording the access (`onAccess`); an expired entry is reclaimed. */
  get(key: string): TValue | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const expires = this.#expires
    // The clock is read only for entries that have an expiry.
    if (expires !== undefined) {
      const e = expires[slot]!
      if (e !== INFINITY && e <= this.#now()) return this.#expire(slot)
    }
    this.onAccess(slot)
    return this.#values[slot]
  }

  /** The value of a live `key`, without recording an access; an expired entry is reclaimed. */
  peek(key: string): TValue | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const expires = this.#expires
    if (expires !== undefined) {
      const e = expires[slot]!
      if (e !== INFINITY && e <= this.#now()) return this.#expire(slot)
    }
    return this.#values[slot]
  }

  /** `true` when `key` is live (no access recorded). */
  has(key: string): boolean {
    return this.peek(key) !== undefined
  }

  /**
   * Stores `value` under `key` until `expiresAt` (epoch ms; default: no expiry) and restores the budgets.
   * Returns `false` when nothing was stored: larger than `maxBytes`, already expired (both also drop the
   * value it would have replaced), or turned away by the policy.
   */
  set(key: string, value: TValue, expiresAt: number = INFINITY): boolean {
    if (value === undefined) {
      throw new CacheError('E_INVALID_VALUE', `${this.#label}: set() cannot store undefined`, {
        cause: new TypeError(`undefined value for key ${JSON.stringify(key)}`),
      })
    }
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new CacheError(
        'E_INVALID_TTL',
        `${this.#label}: set() expiresAt must be an epoch-ms number, got ${String(expiresAt)}`,
        { cause: new TypeError(`invalid expiresAt for key ${JSON.stringify(key)}`) },
      )
    }
    const size = this.#sizeOf === undefined ? 0 : measureEntry(this.#sizeOf, value, key)
    let slot = this.#map.get(key) ?? NO_SLOT
    // Refused before anything changes: nothing else is evicted or reclaimed.
    if (size > this.#maxBytes) return this.#refuse(slot)
    let now = Number.NaN
    if (expiresAt !== INFINITY) {
      now = this.#now()
      if (expiresAt <= now) return this.#refuse(slot)
      if (this.#expires === undefined) this.#trackExpiry()
    }
    // Reclaim what has expired first, so expired entries never push live ones out. A min-heap whose top
    // never expires holds nothing that does, so the clock is read only when the top has an expiry.
    if (this.#heapLen !== 0 && this.#expires![this.#heap![0]!]! !== INFINITY) {
      if (Number.isNaN(now)) now = this.#now()
      // The key's own older value, if expired, is being replaced: not reported, and the write is an insert.
      this.#silent = slot
      this.#purge(now)
      if (slot !== NO_SLOT && this.#keys[slot] !== key) slot = NO_SLOT
    }

    if (slot !== NO_SLOT) {
      const sizes = this.#sizes
      const oldSize = sizes === undefined ? 0 : sizes[slot]!
      // Out of the heap while the policy makes room, so an expiry-ordered policy cannot pick it.
      if (this.#heapPos !== undefined && this.#heapPos[slot]! >= 0) this.#heapRemove(slot)
      this.#values[slot] = value
      if (sizes !== undefined) {
        sizes[slot] = size
        this.#bytes += size - oldSize
      }
      if (this.#expires !== undefined) this.#expires[slot] = expiresAt
      this.#silent = slot
      this.onUpdate(slot, oldSize)
    } else {
      // The policy's makeRoom() comes after the new entry is counted: the budgets then hold exactly when
      // the store with the new entry fits.
      slot = this.#allocate()
      this.#keys[slot] = key
      this.#values[slot] = value
      if (this.#sizes !== undefined) this.#sizes[slot] = size
      if (this.#expires !== undefined) this.#expires[slot] = expiresAt
      this.#map.set(key, slot)
      this.#count++
      this.#bytes += size
      this.#silent = slot
      this.onInsert(slot)
    }
    this.#silent = NO_SLOT
    const stored = this.#keys[slot] === key
    if (stored && this.#heap !== undefined && (this.#mode === ORDER || expiresAt !== INFINITY)) {
      this.#seqs![slot] = ++this.#seq
      this.#heapPush(slot)
    }
    if (this.#pending !== 0) this.#flush()
    return stored
  }

  /**
   * Removes `key`, reported `'deleted'`; returns whether it was held. An expired entry not reclaimed yet is
   * held in `'lazy'` and `'order'` modes; in `'reclaim'` mode it is reclaimed as `'expired'` and `false` returned.
   */
  delete(key: string): boolean {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    if (this.#mode === RECLAIM && this.isExpired(slot)) {
      this.#expire(slot)
      return false
    }
    this.#remove(slot, 'deleted')
    if (this.#pending !== 0) this.#flush()
    return true
  }

  /** Empties the table without reporting anything to `onEvict`. */
  clear(): void {
    const top = this.#top
    this.#map.clear()
    this.#keys.fill(undefined, 0, top)
    this.#values.fill(undefined, 0, top)
    this.#heapPos?.fill(-1, 0, top)
    this.#heapLen = 0
    this.#top = this.#reserved
    this.#freeTop = 0
    this.#count = 0
    this.#bytes = 0
    this.onClear()
  }

  /** Entries held (`'reclaim'`: live entries; otherwise expired ones not reclaimed yet count too). */
  get size(): number {
    if (this.#mode === RECLAIM && this.#heapLen !== 0) this.#reclaimNow()
    return this.#count
  }

  /** Sum of `sizeOf` over the entries `size` counts, in bytes (0 without `maxBytes`). */
  get bytes(): number {
    if (this.#mode === RECLAIM && this.#heapLen !== 0) this.#reclaimNow()
    return this.#bytes
  }

  /** Keys of live entries, in insertion order (`'reclaim'`: expired ones are reclaimed first). */
  keys(): IterableIterator<string> {
    if (this.#mode === RECLAIM) {
      if (this.#heapLen !== 0) this.#reclaimNow()
      return this.#map.keys()
    }
    return this.#expires === undefined ? this.#map.keys() : this.#liveKeys(this.#now())
  }

  // ---- internals -----------------------------------------------------------------------------------

  *#liveKeys(now: number): IterableIterator<string> {
    for (const [key, slot] of this.#map) if (!(this.#expires![slot]! <= now)) yield key
  }

  /** Reclaims the expired entry in `slot` (read by `get`, `peek`, `has` or `delete`). */
  #expire(slot: number): undefined {
    this.#remove(slot, 'expired')
    if (this.#pending !== 0) this.#flush()
    return undefined
  }

  /** `set` that cannot store: drops the older value of the key (in `slot`, if any) and returns `false`. */
  #refuse(slot: number): false {
    if (slot !== NO_SLOT) {
      if (this.#silentRefusal) this.#silent = slot
      this.#remove(slot, 'deleted')
      this.#silent = NO_SLOT
      if (this.#pending !== 0) this.#flush()
    }
    return false
  }

  /** Frees `slot` (after `onRemove`) and queues its `onEvict` call. Kept small: it is on every eviction. */
  #remove(slot: number, reason: EvictionReason): void {
    this.onRemove(slot)
    this.#map.delete(this.#keys[slot]!)
    if (this.#heapPos !== undefined && this.#heapPos[slot]! >= 0) this.#heapRemove(slot)
    this.#count--
    if (this.#sizes !== undefined) this.#bytes -= this.#sizes[slot]!
    if (this.#onEvict !== undefined && slot !== this.#silent) this.#report(slot, reason)
    this.#keys[slot] = undefined
    this.#values[slot] = undefined
    this.#free[this.#freeTop++] = slot
  }

  /** Queues the `onEvict` call for the entry in `slot`, which is being removed. */
  #report(slot: number, reason: EvictionReason): void {
    const i = this.#pending++
    this.#pendingKeys[i] = this.#keys[slot]
    this.#pendingValues[i] = this.#values[slot]
    this.#pendingReasons[i] = reason
  }

  /** Runs the queued `onEvict` calls. Re-entrant calls append to the queue and are run by the outer loop. */
  #flush(): void {
    if (this.#flushing) return
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
      // After a throwing callback the rest of the batch is dropped (the table itself is consistent).
      for (; i < this.#pending; i++) {
        keys[i] = undefined
        values[i] = undefined
      }
      this.#pending = 0
      this.#flushing = false
    }
  }

  #reclaimNow(): void {
    this.#purge(this.#now())
    if (this.#pending !== 0) this.#flush()
  }

  /** Reclaims every indexed entry with `expiresAt <= now`, heap top first. */
  #purge(now: number): void {
    const heap = this.#heap!
    const expires = this.#expires!
    while (this.#heapLen !== 0) {
      const slot = heap[0]!
      if (expires[slot]! > now) return
      this.#remove(slot, 'expired')
    }
  }

  #allocate(): number {
    if (this.#freeTop !== 0) return this.#free[--this.#freeTop]!
    if (this.#top === this.#capacity) this.#grow()
    return this.#top++
  }

  /** Doubles every per-slot array, up to the entry budget. Amortized O(1); never happens once full. */
  #grow(): void {
    const capacity = Math.min(this.#capacity * 2, this.#maxEntries + 1 + this.#reserved, MAX_SLOTS)
    if (capacity <= this.#capacity) {
      throw new CacheError('E_INVALID_OPTION', `${this.#label}: store cannot hold more entries`, {
        cause: new RangeError(`more than ${MAX_SLOTS - this.#reserved - 1} entries`),
      })
    }
    // Exact-size copies: growing by push() would leave V8's 50% slack in both arrays.
    this.#keys = grownArray(this.#keys, capacity)
    this.#values = grownArray(this.#values, capacity)
    this.#free = grown(this.#free, new Uint32Array(capacity))
    if (this.#sizes !== undefined) this.#sizes = grown(this.#sizes, new Float64Array(capacity))
    if (this.#expires !== undefined) {
      this.#expires = grown(this.#expires, new Float64Array(capacity).fill(INFINITY))
    }
    if (this.#heap !== undefined) {
      this.#seqs = grown(this.#seqs!, new Float64Array(capacity))
      this.#heap = grown(this.#heap, new Int32Array(capacity))
      this.#heapPos = grown(this.#heapPos!, new Int32Array(capacity).fill(-1))
    }
    this.#capacity = capacity
    this.onGrow(capacity)
  }

  /** Allocates the expiry array (entries so far have none) and, unless lazy, the heap. */
  #trackExpiry(): void {
    const capacity = this.#capacity
    this.#expires = new Float64Array(capacity).fill(INFINITY)
    if (this.#mode === LAZY) return
    this.#seqs = new Float64Array(capacity)
    this.#heap = new Int32Array(capacity)
    this.#heapPos = new Int32Array(capacity).fill(-1)
  }

  // ---- heap ----------------------------------------------------------------------------------------

  /** `true` when slot `a` expires before slot `b` (or at the same time, written earlier). */
  #before(a: number, b: number): boolean {
    const expires = this.#expires!
    const ea = expires[a]!
    const eb = expires[b]!
    return ea < eb || (ea === eb && this.#seqs![a]! < this.#seqs![b]!)
  }

  #heapPush(slot: number): void {
    this.#siftUp(this.#heapLen++, slot)
  }

  #heapRemove(slot: number): void {
    const heap = this.#heap!
    const i = this.#heapPos![slot]!
    this.#heapPos![slot] = -1
    const last = heap[--this.#heapLen]!
    if (last === slot) return
    // The last slot fills the hole; it may belong above or below it.
    if (i > 0 && this.#before(last, heap[(i - 1) >>> 1]!)) this.#siftUp(i, last)
    else this.#siftDown(i, last)
  }

  /** Places `slot` at heap index `i` or above. */
  #siftUp(i: number, slot: number): void {
    const heap = this.#heap!
    const pos = this.#heapPos!
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

  /** Places `slot` at heap index `i` or below. */
  #siftDown(i: number, slot: number): void {
    const heap = this.#heap!
    const pos = this.#heapPos!
    const length = this.#heapLen
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
}

/** `from`'s contents in the larger `to`. */
function grown<T extends Float64Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from as never)
  return to
}

/** A copy of `array` with `length` elements (the new ones `undefined`). */
function grownArray<T>(array: (T | undefined)[], length: number): (T | undefined)[] {
  const next = new Array<T | undefined>(length).fill(undefined)
  for (let i = 0; i < array.length; i++) next[i] = array[i]
  return next
}
