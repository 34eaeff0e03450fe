import type { BoundedStoreOptions } from '@tierstack/core'
import { resolveStoreOptions, SlotTable } from '@tierstack/core'

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

// Slots 0 and 1 (reserved in the slot table) are the sentinels of two circular, index-linked lists: SMALL
// (the only queue of FIFO and SIEVE, the probation queue of S3-FIFO) and MAIN (S3-FIFO). `next` walks from
// the oldest entry to the newest, so `next[q]` is the oldest entry of queue q and `prev[q]` the newest.
// Sentinels remove every head/tail special case from link and unlink.
const SMALL = 0
const MAIN = 1
const SENTINELS = 2
const NO_SLOT = -1

/**
 * One bounded store for the FIFO family: core's `SlotTable` holds the entries, budgets, expiry and
 * `onEvict` queue; this class keeps only the queue discipline, in typed arrays indexed by slot (`next` /
 * `prev` links, a saturating hit counter, the queue id). A hit costs one counter write, no list surgery.
 */
export class QueueStore<TValue> extends SlotTable<TValue> {
  readonly #policy: Policy
  /** Highest value of `freq`: 0 for FIFO (hits are not recorded), 1 for SIEVE's visited bit, 3 for S3-FIFO. */
  readonly #maxFreq: number
  #next: Uint32Array
  #prev: Uint32Array
  /** Hit counter, saturating at `#maxFreq`. */
  #freq: Uint8Array
  /** Which queue (SMALL or MAIN) a slot belongs to. */
  #queue: Uint8Array

  #smallCount = 0
  #smallBytes = 0
  #mainCount = 0
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

  constructor(options: BoundedStoreOptions<TValue>, config: QueuePolicyConfig) {
    super(resolveStoreOptions(config.name, options), {
      label: `@tierstack/strategy-fifo (${config.name})`,
      reservedSlots: SENTINELS,
    })
    this.#policy = config.policy
    this.#maxFreq = config.policy === Policy.Fifo ? 0 : config.policy === Policy.Sieve ? 1 : 3
    this.#promoteAfter = config.promoteAfter
    this.#smallMaxEntries = Math.max(1, Math.floor(this.maxEntries * config.smallRatio))
    this.#smallMaxBytes = this.maxBytes * config.smallRatio
    this.#ghost = config.policy === Policy.S3Fifo ? new Map() : undefined
    const capacity = this.capacity
    this.#next = new Uint32Array(capacity)
    this.#prev = new Uint32Array(capacity)
    this.#freq = new Uint8Array(capacity)
    this.#queue = new Uint8Array(capacity)
    this.#resetLists()
  }

  // ---- SlotTable hooks -----------------------------------------------------------------------------

  protected override onAccess(slot: number): void {
    // The whole cost of a hit: one saturating counter, no list surgery (that is what FIFO-family buys).
    const f = this.#freq[slot]!
    if (f < this.#maxFreq) this.#freq[slot] = f + 1
  }

  protected onInsert(slot: number): void {
    // Make room first, while the new entry is in no queue: it can never be its own victim, and SIEVE's
    // hand and S3-FIFO's queue sizes see the store as it was.
    this.makeRoom(slot)
    const queue = this.#ghost !== undefined && this.#returningGhost(this.keyAt(slot)) ? MAIN : SMALL
    this.#freq[slot] = 0
    this.#link(slot, queue)
    if (queue === SMALL) {
      this.#smallCount++
      this.#smallBytes += this.sizeAt(slot)
    } else {
      this.#mainCount++
    }
  }

  protected onUpdate(slot: number, oldSize: number): void {
    // A write is an access.
    this.onAccess(slot)
    if (this.#queue[slot] === SMALL) this.#smallBytes += this.sizeAt(slot) - oldSize
    this.makeRoom(slot)
  }

  protected onRemove(slot: number): void {
    if (slot === this.#hand) this.#hand = this.#next[slot]!
    this.#unlink(slot)
    if (this.#queue[slot] === SMALL) {
      this.#smallCount--
      this.#smallBytes -= this.sizeAt(slot)
    } else {
      this.#mainCount--
    }
    this.#freq[slot] = 0
  }

  protected override victim(protect: number): number {
    switch (this.#policy) {
      case Policy.Fifo:
        return this.#fifoVictim(protect)
      case Policy.Sieve:
        return this.#sieveVictim(protect)
      default:
        return this.#s3FifoVictim(protect)
    }
  }

  protected override onGrow(capacity: number): void {
    this.#next = grown(this.#next, new Uint32Array(capacity))
    this.#prev = grown(this.#prev, new Uint32Array(capacity))
    this.#freq = grown(this.#freq, new Uint8Array(capacity))
    this.#queue = grown(this.#queue, new Uint8Array(capacity))
  }

  protected override onClear(): void {
    this.#freq.fill(0)
    this.#ghost?.clear()
    this.#smallCount = 0
    this.#smallBytes = 0
    this.#mainCount = 0
    this.#resetLists()
  }

  // ---- victims -------------------------------------------------------------------------------------

  #fifoVictim(protect: number): number {
    let victim = this.#next[SMALL]!
    if (victim === protect) victim = this.#next[victim]!
    return victim === SMALL ? NO_SLOT : victim
  }

  #sieveVictim(protect: number): number {
    const next = this.#next
    const freq = this.#freq
    let p = this.#hand
    // Each visited entry met by the hand loses its bit and is spared once; the hand wraps around from
    // the newest entry to the oldest, so this ends within two passes.
    for (;;) {
      if (p === SMALL) p = next[SMALL]!
      if (p === protect) {
        p = next[p]!
        continue
      }
      if (freq[p] === 0 || this.isExpired(p)) break
      freq[p] = 0
      p = next[p]!
    }
    this.#hand = next[p]!
    return p
  }

  #s3FifoVictim(protect: number): number {
    const next = this.#next
    const freq = this.#freq
    for (;;) {
      const mainCount = this.#mainCount
      const mainOnlyProtected = mainCount === 1 && next[MAIN] === protect
      const fromSmall =
        this.#smallCount !== 0 &&
        (mainCount === 0 ||
          mainOnlyProtected ||
          this.#smallCount >= this.#smallMaxEntries ||
          this.#smallBytes >= this.#smallMaxBytes)
      const p = next[fromSmall ? SMALL : MAIN]!
      if (p !== protect && this.isExpired(p)) return p
      if (fromSmall) {
        // Probation: hit often enough (or just rewritten) → main queue; otherwise out, remembered as a ghost.
        if (p === protect || freq[p]! >= this.#promoteAfter) {
          freq[p] = 0
          this.#move(p, MAIN)
          continue
        }
        this.#ghostAdd(this.keyAt(p))
        return p
      }
      // Main: FIFO with reinsertion, each reinsertion spending one unit of frequency (2-bit CLOCK).
      const f = freq[p]!
      if (p === protect || f !== 0) {
        if (f !== 0) freq[p] = f - 1
        this.#move(p, MAIN)
        continue
      }
      return p
    }
  }

  /** `true` when `key` was evicted from probation a short while ago: it is back already, so it belongs in main. */
  #returningGhost(key: string): boolean {
    const seq = this.#ghost!.get(key)
    if (seq === undefined) return false
    this.#ghost!.delete(key)
    return this.#ghostSeq - seq < this.#ghostCapacity()
  }

  #ghostCapacity(): number {
    // The ghost remembers as many keys as the main queue holds entries.
    return Number.isFinite(this.maxEntries)
      ? Math.max(1, this.maxEntries - this.#smallMaxEntries)
      : Math.max(1, this.#mainCount)
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

  // ---- lists ---------------------------------------------------------------------------------------

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
      this.#smallBytes -= this.sizeAt(slot)
      this.#mainCount++
    }
    this.#link(slot, q)
  }

  #resetLists(): void {
    this.#next[SMALL] = SMALL
    this.#prev[SMALL] = SMALL
    this.#next[MAIN] = MAIN
    this.#prev[MAIN] = MAIN
    this.#hand = SMALL
  }
}

function grown<T extends Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from as never)
  return to
}
