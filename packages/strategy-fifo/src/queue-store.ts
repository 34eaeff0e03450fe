import type { BoundedStore, BoundedStoreOptions, EvictionReason } from '@tierstack/core'
import { CacheError, measureEntry, resolveStoreOptions } from '@tierstack/core'

/** Which queue discipline a `QueueStore` follows. */
export const Policy = {
  /** Evict in insertion order; hits change nothing. */
  Fifo: 0,
  /** FIFO order with one "visited" bit per entry and a hand that spares visited entries once (SIEVE, NSDI '24). */
  Sieve: 1,
  /** A small probation FIFO, a main FIFO with 2-bit frequencies, and a ghost FIFO of keys (S3-FIFO, SOSP '23). */
  S3Fifo: 2,
} as const
/** One of `Policy`. */
export type Policy = (typeof Policy)[keyof typeof Policy]

/** Tuning of the queue disciplines; validated by the strategy factories. */
export interface QueuePolicyConfig {
  /** Strategy name, for error messages. */
  name: string
  policy: Policy
  /** S3-FIFO: share of the budget (entries and bytes) for the probation queue. */
  smallRatio: number
  /** S3-FIFO: hits needed during probation to be promoted to the main queue instead of evicted. */
  promoteAfter: number
}

// Slots 0 and 1 are the sentinels of two circular, index-linked lists: SMALL (the only queue of FIFO and
// SIEVE, the probation queue of S3-FIFO) and MAIN (S3-FIFO). `next` walks from the oldest entry to the
// newest, so `next[q]` is the oldest entry of queue q and `prev[q]` the newest. Sentinels remove every
// head/tail special case from link and unlink.
const SMALL = 0
const MAIN = 1
const FIRST_SLOT = 2
const NO_SLOT = -1
const INITIAL_SLOTS = 64
const MAX_SLOTS = 2 ** 32 - 1

/**
 * One bounded store for the FIFO family. Entries live in slots of preallocated typed arrays (grown by
 * doubling up to `maxEntries`), linked by index, recycled through a free list threaded through `next`;
 * the key → slot map is the only hash lookup per operation, and no operation allocates once the arrays
 * have reached their working size. Byte sizes and expiry times get their arrays only when used.
 */
export class QueueStore<TValue> implements BoundedStore<TValue> {
  readonly #policy: Policy
  /** Highest value of `freq`: 0 for FIFO (hits are not recorded), 1 for SIEVE's visited bit, 3 for S3-FIFO. */
  readonly #maxFreq: number
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #sizeOf: ((value: TValue, key: string) => number) | undefined
  readonly #onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  readonly #now: () => number
  readonly #map = new Map<string, number>()

  #capacity: number
  #keys: (string | undefined)[]
  #values: (TValue | undefined)[]
  #next: Uint32Array
  #prev: Uint32Array
  /** Hit counter, saturating at `#maxFreq`. */
  #freq: Uint8Array
  /** Which queue (SMALL or MAIN) a slot belongs to. */
  #queue: Uint8Array
  /** Entry sizes, only with `maxBytes`. */
  #sizes: Float64Array | undefined
  /** Expiry times (epoch ms, `Infinity` = none), allocated on the first `set` with an expiry. */
  #expires: Float64Array | undefined

  /** Slots below `#top` have been used at least once; above it, never. */
  #top = FIRST_SLOT
  /** Head of the free list (through `#next`); 0 (a sentinel, never free) when empty. */
  #free = 0
  #count = 0
  #bytes = 0
  #smallCount = 0
  #smallBytes = 0
  /** SIEVE: the next slot to examine; the SMALL sentinel means "start again from the oldest". */
  #hand = SMALL

  readonly #smallMaxEntries: number
  readonly #smallMaxBytes: number
  readonly #promoteAfter: number
  /**
   * S3-FIFO ghost queue: recently evicted keys → the sequence number of their eviction. A key is a ghost
   * while fewer than `#ghostCapacity()` keys were evicted after it, which is a FIFO of that length without a
   * ring: stale keys are pruned in insertion order once the map grows to twice that length.
   */
  readonly #ghost: Map<string, number> | undefined
  #ghostSeq = 0

  /**
   * Evictions found while `set` is rearranging the lists are reported after it is done, so that an
   * `onEvict` callback may call back into the store. The arrays are reused, not reallocated.
   */
  #inSet = false
  #flushing = false
  readonly #pendingKeys: string[] = []
  readonly #pendingValues: TValue[] = []
  readonly #pendingReasons: EvictionReason[] = []

  constructor(options: BoundedStoreOptions<TValue>, config: QueuePolicyConfig) {
    const o = resolveStoreOptions(config.name, options)
    this.#policy = config.policy
    this.#maxFreq = config.policy === Policy.Fifo ? 0 : config.policy === Policy.Sieve ? 1 : 3
    this.#maxEntries = o.maxEntries
    this.#maxBytes = o.maxBytes
    this.#sizeOf = o.sizeOf
    this.#onEvict = o.onEvict
    this.#now = o.now
    this.#promoteAfter = config.promoteAfter
    this.#smallMaxEntries = Math.max(1, Math.floor(o.maxEntries * config.smallRatio))
    this.#smallMaxBytes = o.maxBytes * config.smallRatio
    this.#ghost = config.policy === Policy.S3Fifo ? new Map() : undefined

    this.#capacity = Math.min(INITIAL_SLOTS, o.maxEntries) + FIRST_SLOT
    this.#keys = new Array(this.#capacity).fill(undefined)
    this.#values = new Array(this.#capacity).fill(undefined)
    this.#next = new Uint32Array(this.#capacity)
    this.#prev = new Uint32Array(this.#capacity)
    this.#freq = new Uint8Array(this.#capacity)
    this.#queue = new Uint8Array(this.#capacity)
    this.#sizes = o.sizeOf === undefined ? undefined : new Float64Array(this.#capacity)
    this.#resetLists()
  }

  get(key: string): TValue | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    if (this.#expires !== undefined && this.#expired(slot)) {
      this.#remove(slot, 'expired')
      return undefined
    }
    // The whole cost of a hit: one saturating counter, no list surgery (that is what FIFO-family buys).
    const f = this.#freq[slot]!
    if (f < this.#maxFreq) this.#freq[slot] = f + 1
    return this.#values[slot]
  }

  peek(key: string): TValue | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    if (this.#expires !== undefined && this.#expired(slot)) {
      this.#remove(slot, 'expired')
      return undefined
    }
    return this.#values[slot]
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined
  }

  /**
   * The `expiresAt` given to `set` for a live entry (`Infinity` when none was given), `undefined` when `key` is
   * absent or expired. Not an access (the hit counter is left alone), and reclaims nothing.
   */
  expiresAt(key: string): number | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    if (this.#expires === undefined) return Number.POSITIVE_INFINITY
    return this.#expired(slot) ? undefined : this.#expires[slot]!
  }

  set(key: string, value: TValue, expiresAt?: number): boolean {
    if (value === undefined) {
      throw new CacheError('E_INVALID_VALUE', '@tierstack/strategy-fifo: set() cannot store undefined', {
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
    this.#freq.fill(0, 0, this.#top)
    this.#ghost?.clear()
    this.#top = FIRST_SLOT
    this.#free = 0
    this.#count = 0
    this.#bytes = 0
    this.#smallCount = 0
    this.#smallBytes = 0
    this.#resetLists()
  }

  /** Entries held, including expired ones not reclaimed yet (reclaimed when touched or evicted). */
  get size(): number {
    return this.#count
  }

  /** Sum of `sizeOf` over the entries held, in bytes (0 without `maxBytes`). */
  get bytes(): number {
    return this.#bytes
  }

  /** Live keys, oldest first (S3-FIFO: probation queue, then main queue). */
  *keys(): IterableIterator<string> {
    const now = this.#expires === undefined ? 0 : this.#now()
    for (const q of [SMALL, MAIN]) {
      for (let slot = this.#next[q]!; slot !== q; ) {
        const next = this.#next[slot]!
        if (this.#expires === undefined || !(this.#expires[slot]! <= now)) yield this.#keys[slot]!
        slot = next
      }
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
    let expires = Number.POSITIVE_INFINITY
    if (expiresAt !== undefined && expiresAt !== Number.POSITIVE_INFINITY) {
      // Already expired (or NaN): never visible, so not stored.
      if (!(expiresAt > this.#now())) return this.#dropSuperseded(key)
      expires = expiresAt
      this.#expires ??= new Float64Array(this.#capacity).fill(Number.POSITIVE_INFINITY)
    }

    const existing = this.#map.get(key)
    if (existing !== undefined) {
      this.#values[existing] = value
      if (this.#expires !== undefined) this.#expires[existing] = expires
      // A write is an access.
      const f = this.#freq[existing]!
      if (f < this.#maxFreq) this.#freq[existing] = f + 1
      if (this.#sizes !== undefined) {
        const delta = size - this.#sizes[existing]!
        this.#sizes[existing] = size
        this.#bytes += delta
        if (this.#queue[existing] === SMALL) this.#smallBytes += delta
        while (this.#bytes > this.#maxBytes) this.#evictOne(existing)
      }
      return true
    }

    // Make room first, so the new entry can never be its own victim.
    while (this.#count >= this.#maxEntries || this.#bytes + size > this.#maxBytes) this.#evictOne(NO_SLOT)

    let queue = SMALL
    if (this.#ghost !== undefined) {
      const seq = this.#ghost.get(key)
      if (seq !== undefined) {
        this.#ghost.delete(key)
        // Evicted from probation a short while ago and back already: it belongs in the main queue.
        if (this.#ghostSeq - seq < this.#ghostCapacity()) queue = MAIN
      }
    }
    const slot = this.#allocate()
    this.#keys[slot] = key
    this.#values[slot] = value
    this.#freq[slot] = 0
    if (this.#sizes !== undefined) this.#sizes[slot] = size
    if (this.#expires !== undefined) this.#expires[slot] = expires
    this.#link(slot, queue)
    this.#map.set(key, slot)
    this.#count++
    this.#bytes += size
    if (queue === SMALL) {
      this.#smallCount++
      this.#smallBytes += size
    }
    return true
  }

  #dropSuperseded(key: string): false {
    const slot = this.#map.get(key)
    if (slot !== undefined) this.#remove(slot, 'deleted')
    return false
  }

  #expired(slot: number): boolean {
    const e = this.#expires![slot]!
    return e !== Number.POSITIVE_INFINITY && e <= this.#now()
  }

  /** Removes exactly one entry other than `protect` (the entry being updated by `set`). */
  #evictOne(protect: number): void {
    switch (this.#policy) {
      case Policy.Fifo:
        this.#evictFifo(protect)
        return
      case Policy.Sieve:
        this.#evictSieve(protect)
        return
      default:
        this.#evictS3Fifo(protect)
    }
  }

  #evictFifo(protect: number): void {
    let victim = this.#next[SMALL]!
    if (victim === protect) victim = this.#next[victim]!
    this.#remove(victim, this.#expires !== undefined && this.#expired(victim) ? 'expired' : 'capacity')
  }

  #evictSieve(protect: number): void {
    const next = this.#next
    const freq = this.#freq
    const now = this.#expires === undefined ? 0 : this.#now()
    let p = this.#hand
    // Each visited entry met by the hand loses its bit and is spared once; the hand wraps around from
    // the newest entry to the oldest, so this ends within two passes.
    for (;;) {
      if (p === SMALL) p = next[SMALL]!
      if (p === protect) {
        p = next[p]!
        continue
      }
      if (this.#expires !== undefined && this.#expires[p]! <= now) break
      if (freq[p] === 0) break
      freq[p] = 0
      p = next[p]!
    }
    this.#hand = next[p]!
    this.#remove(p, this.#expires !== undefined && this.#expires[p]! <= now ? 'expired' : 'capacity')
  }

  #evictS3Fifo(protect: number): void {
    const next = this.#next
    const freq = this.#freq
    const now = this.#expires === undefined ? 0 : this.#now()
    for (;;) {
      const mainCount = this.#count - this.#smallCount
      const mainOnlyProtected = mainCount === 1 && next[MAIN] === protect
      const fromSmall =
        this.#smallCount !== 0 &&
        (mainCount === 0 ||
          mainOnlyProtected ||
          this.#smallCount >= this.#smallMaxEntries ||
          this.#smallBytes >= this.#smallMaxBytes)
      const q = fromSmall ? SMALL : MAIN
      const p = next[q]!
      if (p !== protect && this.#expires !== undefined && this.#expires[p]! <= now) {
        this.#remove(p, 'expired')
        return
      }
      if (fromSmall) {
        // Probation: hit often enough (or just rewritten) → main queue; otherwise out, remembered as a ghost.
        if (p === protect || freq[p]! >= this.#promoteAfter) {
          freq[p] = 0
          this.#move(p, MAIN)
          continue
        }
        this.#ghostAdd(this.#keys[p]!)
        this.#remove(p, 'capacity')
        return
      }
      // Main: FIFO with reinsertion, each reinsertion spending one unit of frequency (2-bit CLOCK).
      const f = freq[p]!
      if (p === protect || f !== 0) {
        if (f !== 0) freq[p] = f - 1
        this.#move(p, MAIN)
        continue
      }
      this.#remove(p, 'capacity')
      return
    }
  }

  #ghostCapacity(): number {
    // The ghost remembers as many keys as the main queue holds entries.
    return Number.isFinite(this.#maxEntries)
      ? Math.max(1, this.#maxEntries - this.#smallMaxEntries)
      : Math.max(1, this.#count - this.#smallCount)
  }

  #ghostAdd(key: string): void {
    const ghost = this.#ghost!
    // A key leaves the ghost when it is inserted again, so a key being evicted is never in it: `set` appends
    // at the end of the map's insertion order, which pruning relies on.
    ghost.set(key, ++this.#ghostSeq)
    const capacity = this.#ghostCapacity()
    if (ghost.size > 2 * capacity + 16) {
      const oldest = this.#ghostSeq - capacity
      for (const [k, seq] of ghost) {
        if (seq > oldest) break
        ghost.delete(k)
      }
    }
  }

  #remove(slot: number, reason: EvictionReason): void {
    const key = this.#keys[slot]!
    const value = this.#values[slot] as TValue
    if (slot === this.#hand) this.#hand = this.#next[slot]!
    this.#unlink(slot)
    this.#map.delete(key)
    this.#count--
    const size = this.#sizes === undefined ? 0 : this.#sizes[slot]!
    this.#bytes -= size
    if (this.#queue[slot] === SMALL) {
      this.#smallCount--
      this.#smallBytes -= size
    }
    this.#keys[slot] = undefined
    this.#values[slot] = undefined
    this.#freq[slot] = 0
    this.#next[slot] = this.#free
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

  /** Appends `slot` as the newest entry of queue `q`. */
  #link(slot: number, q: number): void {
    const newest = this.#prev[q]!
    this.#next[newest] = slot
    this.#prev[slot] = newest
    this.#next[slot] = q
    this.#prev[q] = slot
    this.#queue[slot] = q
  }

  #unlink(slot: number): void {
    const p = this.#prev[slot]!
    const n = this.#next[slot]!
    this.#next[p] = n
    this.#prev[n] = p
  }

  /** Makes `slot` the newest entry of queue `q` (moving it between queues if needed). */
  #move(slot: number, q: number): void {
    if (slot === this.#hand) this.#hand = this.#next[slot]!
    this.#unlink(slot)
    if (this.#queue[slot] === SMALL && q !== SMALL) {
      this.#smallCount--
      this.#smallBytes -= this.#sizes === undefined ? 0 : this.#sizes[slot]!
    }
    this.#link(slot, q)
  }

  #allocate(): number {
    if (this.#free !== 0) {
      const slot = this.#free
      this.#free = this.#next[slot]!
      return slot
    }
    if (this.#top === this.#capacity) this.#grow()
    return this.#top++
  }

  /** Doubles every per-slot array, up to `maxEntries` slots. Amortized O(1); never happens once full. */
  #grow(): void {
    const capacity = Math.min(this.#capacity * 2, this.#maxEntries + FIRST_SLOT, MAX_SLOTS)
    if (capacity <= this.#capacity) {
      throw new CacheError('E_INVALID_OPTION', '@tierstack/strategy-fifo: store cannot hold more entries', {
        cause: new RangeError(`more than ${MAX_SLOTS - FIRST_SLOT} entries`),
      })
    }
    // Exact-size copies: growing by push() would leave V8's slack (up to half again) in both arrays.
    this.#keys = grownArray(this.#keys, capacity)
    this.#values = grownArray(this.#values, capacity)
    this.#next = grown(this.#next, new Uint32Array(capacity))
    this.#prev = grown(this.#prev, new Uint32Array(capacity))
    this.#freq = grown(this.#freq, new Uint8Array(capacity))
    this.#queue = grown(this.#queue, new Uint8Array(capacity))
    if (this.#sizes !== undefined) this.#sizes = grown(this.#sizes, new Float64Array(capacity))
    if (this.#expires !== undefined) {
      this.#expires = grown(this.#expires, new Float64Array(capacity).fill(Number.POSITIVE_INFINITY))
    }
    this.#capacity = capacity
  }

  #resetLists(): void {
    this.#next[SMALL] = SMALL
    this.#prev[SMALL] = SMALL
    this.#next[MAIN] = MAIN
    this.#prev[MAIN] = MAIN
    this.#hand = SMALL
  }
}

function grown<T extends Uint32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from as never)
  return to
}

/** A copy of `array` with `length` elements (the new ones `undefined`). */
function grownArray<T>(array: (T | undefined)[], length: number): (T | undefined)[] {
  const next = new Array<T | undefined>(length).fill(undefined)
  for (let i = 0; i < array.length; i++) next[i] = array[i]
  return next
}
