import { FrequencySketch } from './frequency-sketch.js'
import { hashString } from './hash.js'
import type { ResolvedStoreOptions } from './options.js'
import { growInt32, SlotStore } from './slot-store.js'
import { DISPLACED, REJECTED, WindowGhosts } from './window-ghosts.js'

const NIL = -1
/** Queue ids, stored per slot in `#queue` (0 = not linked). */
const WINDOW = 1
const PROBATION = 2
const PROTECTED = 3
/** Bits 0–1 of a slot's `#queue` byte: the queue id. */
const QUEUE = 3
/** Bits 2–5: hits of the entry not yet added to the sketch (0–15). */
const PENDING = 15 << 2
/** One pending hit. */
const ONE_HIT = 1 << 2
/** Bit 6: the key's four counters were all 15 when its hits were last added (cleared by the next halving). */
const SATURATED = 1 << 6

/** Largest climber step, as a share of capacity (Caffeine's). */
const STEP_PERCENT = 0.0625
/**
 * A sample whose hit rate fell by more than this (absolute) right after a step undoes it: the ghosts estimate
 * the next small step well, but not a feedback that builds up over several (a loop slightly larger than
 * the cache makes rejected candidates come back, while growing the window starves the main area).
 */
const STEP_BACK_DROP = 0.02
/** Standard deviations by which one kind of ghost hit must outnumber the other before the window moves. */
const SIGNIFICANT = 2
/**
 * Requests per hill-climber sample: Caffeine's 10 × capacity, but no more than 10,000 requests once the
 * cache is large, and never less than 2 × capacity. 10,000 requests measure a hit rate to about ±0.5%
 * (one standard deviation), which is all a step needs; two capacities' worth of requests let the contents
 * settle after a step. Without the cap a 5,000-entry cache would take 50,000 requests per step and
 * hundreds of thousands to reach the right window on a recency-heavy workload.
 */
function sampleSize(capacity: number): number {
  return Math.min(10 * capacity, Math.max(2 * capacity, 10_000))
}
/** A candidate at least this frequent is admitted at random 1 time in 128 even when it loses (hash-flooding guard). */
const ADMIT_HASHDOS_THRESHOLD = 6
/** Random bits of the hash-flooding guard: admit when `random & mask` is 0 (1 in 128). */
const HASHDOS_MASK = 127
/**
 * Every 32nd tie between a warm candidate and its victim goes to the candidate (`#warmTies & mask`). Counters
 * saturate at 15 and halve to 7, so a stale hot set and a new one often look equally frequent; strict TinyLFU
 * then keeps the stale one until the next halving. Letting the newer key win a tie now and then lets a new
 * working set in, while the low rate keeps a loop's resident part stable. Measured over hash seeds 1–30 on the
 * reference traces: lirs-multi2 at 1800 went from 7 of 30 seeds below target (smallest margin −0.34) to none
 * (smallest +0.20 with the ghost climber); admitting every warm tie instead costs lirs-loop at 1000 about 14
 * points.
 */
const WARM_TIE_MASK = 31
/** "No sample running": the largest small integer, so the per-request comparison stays on integers. */
const NEVER = 0x3fffffff
/** Cap on entries moved between regions in one adjustment (keeps one operation's worst case bounded). */
const TRANSFER_LIMIT = 1000
/** Most slots of the recent-insert hash cache (32 KiB); a smaller store gets one slot per entry. */
const RECENT_MAX = 4096
/** Sketch size allocated up front; it grows with the entry count from there up to `maxEntries`. */
const INITIAL_SKETCH = 4096

/** Tuning of a W-TinyLFU store (validated by `tinyLfu()`). */
export interface TinyLfuTuning {
  initialWindow: number
  protectedRatio: number
  adaptive: boolean
  seed: number
}

/**
 * The bounded store built by `tinyLfu()`: adaptive W-TinyLFU, after Caffeine.
 *
 * Three LRU queues share the slot arrays (`#next` / `#prev` indices, one `#queue` id per slot):
 *
 * - **window**: every new entry lands here (1% of the budget to start with). Recency only, so a burst of
 *   new keys is absorbed and a key re-used shortly after its first use gets hits.
 * - **probation** and **protected** (the main area, a segmented LRU; protected is 80% of main): entries that
 *   overflow the window enter probation's MRU end; a hit in probation promotes to protected, protected's
 *   overflow is demoted back to probation's MRU end.
 *
 * When the store is over budget, the window's overflow (the *candidate*) competes with probation's LRU entry
 * (the *victim*): the frequency sketch decides, and the less frequent one is evicted. A one-time scan
 * therefore never displaces a frequently used main area.
 *
 * The window share is tuned by hill climbing (`#climb`): at the end of each sample the window moves towards
 * the side whose evicted entries came back more often within a short horizon (`WindowGhosts`: rejected
 * candidates vs displaced victims), and a step after which the hit rate fell is undone. Recency-heavy
 * workloads grow the window towards LRU; frequency-heavy ones and loops shrink it.
 *
 * Budgets are two-dimensional (entries and bytes): every region limit is a share of both, and eviction runs
 * until both hold.
 */
export class TinyLfuStore<TValue> extends SlotStore<TValue> {
  #next: Int32Array
  #prev: Int32Array
  /**
   * Per slot: the queue id (`QUEUE` bits), the hits not yet added to the sketch (`PENDING`) and the
   * `SATURATED` flag. Key hashes are not kept (4 bytes per entry): a hit only counts itself here, and the key
   * is hashed when 16 hits have accumulated, when the entry meets the sketch at admission and when it leaves.
   */
  #queue: Uint8Array
  readonly #head = new Int32Array(4).fill(NIL)
  readonly #tail = new Int32Array(4).fill(NIL)

  #windowCount = 0
  #windowBytes = 0
  #protectedCount = 0
  #protectedBytes = 0
  /** Region limits as shares of the budgets; `#windowShare + #protectedShare` stays constant. */
  #windowShare: number
  #protectedShare: number
  #windowMaxCount = 0
  #windowMaxBytes = 0
  #protectedMaxCount = 0
  #protectedMaxBytes = 0

  readonly #sketch: FrequencySketch
  readonly #seed: number
  /** xorshift32 state for the random admission of warm candidates. */
  #random: number
  /** Last victim hashed by `#admit` (a victim often meets several candidates in a row) and its hash. */
  #victimKey: string | undefined
  #victimHash = 0
  /**
   * Hashes of recently inserted keys by slot (direct-mapped, `slot & mask`): the next admission candidate is
   * usually a key inserted one window ago, so its hash is still here and the key need not be hashed again.
   */
  readonly #recentSlot: Int32Array
  readonly #recentHash: Int32Array
  readonly #recentMask: number
  /** Hash of the last candidate `#admit` judged. */
  #candidateHash = 0
  /** Warm ties met so far: every 32nd goes to the candidate. */
  #warmTies = 0

  readonly #adaptive: boolean
  readonly #initialShares: [number, number]
  /**
   * Requests per climber sample. `NEVER` until the first capacity eviction: a store that is not full
   * has nothing to trade between window and main, and its hit rate says nothing about the split.
   */
  #sampleLimit = NEVER
  #hitsInSample = 0
  #missesInSample = 0
  /** Hit rate of the previous sample; `-1` until the first full sample (which only sets the baseline). */
  #previousHitRate = -1
  /** Signed share of capacity the last sample moved the window by (0: it did not move). */
  #lastStep = 0
  /** Ghosts of rejected candidates and displaced victims (adaptive stores only): the climber's direction. */
  readonly #ghosts: WindowGhosts | undefined

  constructor(options: ResolvedStoreOptions<TValue>, tuning: TinyLfuTuning) {
    super('tinyLfu()', options)
    const capacity = this.capacity
    this.#next = new Int32Array(capacity)
    this.#prev = new Int32Array(capacity)
    this.#queue = new Uint8Array(capacity)
    let recent = 16
    while (recent < RECENT_MAX && recent < this.maxEntries) recent *= 2
    this.#recentMask = recent - 1
    // -1: no slot cached yet (slot indices are ≥ 0).
    this.#recentSlot = new Int32Array(recent).fill(-1)
    this.#recentHash = new Int32Array(recent)
    this.#seed = tuning.seed
    this.#random = tuning.seed === 0 ? 0x9e3779b9 | 0 : tuning.seed
    this.#adaptive = tuning.adaptive
    if (Number.isFinite(this.maxEntries)) {
      // Whole entries, as Caffeine sizes them: window = max − ⌊max × (1 − w)⌋, protected = ⌊p × main⌋.
      const max = this.maxEntries
      const window = max - Math.floor(max * (1 - tuning.initialWindow))
      this.#windowShare = window / max
      this.#protectedShare = Math.floor(tuning.protectedRatio * (max - window)) / max
    } else {
      this.#windowShare = tuning.initialWindow
      this.#protectedShare = tuning.protectedRatio * (1 - tuning.initialWindow)
    }
    this.#initialShares = [this.#windowShare, this.#protectedShare]
    this.#resize()
    this.#sketch = new FrequencySketch(Math.min(this.maxEntries, INITIAL_SKETCH))
    this.#ghosts = tuning.adaptive ? new WindowGhosts(this.#capacityEntries()) : undefined
  }

  /** Current window share of the budget (0..1): starts at `initialWindow`, moved by the hill climber. */
  get windowRatio(): number {
    return this.#windowShare
  }

  // ---- policy hooks -------------------------------------------------------------------------------

  protected linkNew(slot: number): void {
    const hash = hashString(this.keyAt[slot]!, this.#seed)
    const recent = slot & this.#recentMask
    this.#recentSlot[recent] = slot
    this.#recentHash[recent] = hash
    const sketch = this.#sketch
    if (this.count > sketch.capacity && sketch.capacity < this.maxEntries) {
      // Byte budgets and large entry budgets: the sketch grows with the entry count (each growth resets it,
      // and the pending hits go with the rest of the history).
      sketch.ensureCapacity(Math.min(this.maxEntries, this.count * 2))
      this.#forgetPending(false)
      if (this.#sampleLimit !== NEVER) this.#sampleLimit = sampleSize(this.#capacityEntries())
      this.#ghosts?.resize(this.#capacityEntries())
    }
    if (sketch.increment(hash)) this.#forgetPending(true)
    this.#ghosts?.miss(hash)
    // A reused slot starts with no pending hits and no saturation of its own.
    this.#queue[slot] = 0
    this.#append(WINDOW, slot)
    this.#windowCount++
    this.#windowBytes += this.weightOf(slot)
    if (++this.#missesInSample + this.#hitsInSample >= this.#sampleLimit) this.#climb()
  }

  protected relinkUpdated(slot: number, oldWeight: number): void {
    const delta = this.weightOf(slot) - oldWeight
    const queue = this.#queue[slot]! & QUEUE
    if (queue === WINDOW) this.#windowBytes += delta
    else if (queue === PROTECTED) this.#protectedBytes += delta
    this.touch(slot)
    this.#demote()
  }

  protected touch(slot: number): void {
    const meta = this.#queue[slot]!
    const queue = meta & QUEUE
    // A saturated key's counters cannot go higher, and Caffeine does not count such increments towards aging.
    if ((meta & SATURATED) === 0) {
      if ((meta & PENDING) === PENDING) {
        this.#addPending(slot, hashString(this.keyAt[slot]!, this.#seed), 16)
      } else {
        this.#queue[slot] = meta + ONE_HIT
      }
      // Counted now, added later: the sketch ages on the same schedule as if every hit were added at once.
      if (this.#sketch.tick()) this.#forgetPending(true)
    }
    if (queue === PROBATION) this.#promote(slot)
    else this.#moveToTail(queue, slot)
    if (++this.#hitsInSample + this.#missesInSample >= this.#sampleLimit) this.#climb()
  }

  protected unlink(slot: number): void {
    // The key's hits stay in the sketch after it leaves, as they would have without deferral.
    const pending = this.#queue[slot]! & PENDING
    if (pending !== 0) this.#addPending(slot, hashString(this.keyAt[slot]!, this.#seed), pending >>> 2)
    this.#leave(slot)
  }

  protected enforce(slot: number, isNew: boolean): void {
    // The window's overflow moves to probation's MRU end; the first of them is the first candidate.
    let candidate = NIL
    while (this.#windowCount > this.#windowMaxCount || this.#windowBytes > this.#windowMaxBytes) {
      const first = this.#head[WINDOW]!
      if (first === NIL) break
      this.#move(first, PROBATION)
      if (candidate === NIL) candidate = first
    }
    if (this.overBudget()) this.#evictFromMain(candidate, isNew ? NIL : slot)
  }

  protected growPolicy(capacity: number): void {
    this.#next = growInt32(this.#next, capacity, 0)
    this.#prev = growInt32(this.#prev, capacity, 0)
    const queue = new Uint8Array(capacity)
    queue.set(this.#queue)
    this.#queue = queue
  }

  protected clearPolicy(): void {
    this.#recentSlot.fill(-1)
    this.#head.fill(NIL)
    this.#tail.fill(NIL)
    this.#queue.fill(0)
    this.#windowCount = 0
    this.#windowBytes = 0
    this.#protectedCount = 0
    this.#protectedBytes = 0
    this.#windowShare = this.#initialShares[0]
    this.#protectedShare = this.#initialShares[1]
    this.#resize()
    this.#sketch.clear()
    this.#victimKey = undefined
    this.#sampleLimit = NEVER
    this.#hitsInSample = 0
    this.#missesInSample = 0
    this.#previousHitRate = -1
    this.#lastStep = 0
    this.#ghosts?.clear()
  }

  // ---- eviction -----------------------------------------------------------------------------------

  /**
   * Caffeine's `evictFromMain`: while over budget, the candidate (an entry that just left the window, or else
   * the window's LRU) meets the victim (probation's LRU, or else protected's, or else the window's); the
   * sketch picks which one goes. An admitted candidate stays in probation and the next candidate steps up.
   */
  #evictFromMain(first: number, pinned: number): void {
    if (this.#adaptive && this.#sampleLimit === NEVER) {
      // First time under pressure: start sampling for the climber from here.
      this.#sampleLimit = sampleSize(this.#capacityEntries())
      this.#hitsInSample = 0
      this.#missesInSample = 0
    }
    const next = this.#next
    let candidate = first
    let candidateQueue = PROBATION
    let victim = this.#head[PROBATION]!
    let victimQueue = PROBATION
    while (this.overBudget()) {
      if (candidate === NIL && candidateQueue === PROBATION) {
        candidate = this.#head[WINDOW]!
        candidateQueue = WINDOW
      }
      if (candidate === NIL && victim === NIL) {
        if (victimQueue === PROBATION) {
          victim = this.#head[PROTECTED]!
          victimQueue = PROTECTED
          continue
        }
        if (victimQueue === PROTECTED) {
          victim = this.#head[WINDOW]!
          victimQueue = WINDOW
          continue
        }
        break
      }
      // An overwritten entry is never evicted by its own set(): step over it.
      if (candidate === pinned && candidate !== NIL) {
        candidate = next[candidate]!
        continue
      }
      if (victim === pinned && victim !== NIL) {
        victim = next[victim]!
        continue
      }
      if (victim === NIL) {
        const evict = candidate
        candidate = next[candidate]!
        this.removeSlot(evict, 'capacity')
        continue
      }
      if (candidate === NIL) {
        const evict = victim
        victim = next[victim]!
        this.removeSlot(evict, 'capacity')
        continue
      }
      if (candidate === victim) {
        victim = next[victim]!
        this.removeSlot(candidate, 'capacity')
        candidate = NIL
        continue
      }
      // An entry that has expired is worth nothing: it goes first, whatever the sketch says (and leaves no
      // ghost: the climber only learns from decisions of the sketch).
      const victimExpired = this.expiredAtWrite(victim)
      const candidateExpired = !victimExpired && this.expiredAtWrite(candidate)
      if (victimExpired || (!candidateExpired && this.#admit(candidate, victim))) {
        if (!victimExpired) this.#ghosts?.record(this.#victimHash, DISPLACED)
        const evict = victim
        victim = next[victim]!
        candidate = next[candidate]!
        this.removeSlot(evict, 'capacity')
      } else {
        if (!candidateExpired) this.#ghosts?.record(this.#candidateHash, REJECTED)
        const evict = candidate
        candidate = next[candidate]!
        this.removeSlot(evict, 'capacity')
      }
    }
  }

  /**
   * TinyLFU admission: the candidate replaces the victim if the sketch says it is used more often; a warm
   * candidate (estimate ≥ 6) also wins 1 tie in 32 and 1 loss in 128 at random.
   */
  #admit(candidate: number, victim: number): boolean {
    const victimKey = this.keyAt[victim]!
    if (victimKey !== this.#victimKey) {
      this.#victimKey = victimKey
      this.#victimHash = hashString(victimKey, this.#seed)
    }
    const victimHash = this.#victimHash
    const recent = candidate & this.#recentMask
    const candidateHash =
      this.#recentSlot[recent] === candidate
        ? this.#recentHash[recent]!
        : hashString(this.keyAt[candidate]!, this.#seed)
    this.#candidateHash = candidateHash
    this.#flushPending(victim, victimHash)
    this.#flushPending(candidate, candidateHash)
    const victimFrequency = this.#sketch.frequency(victimHash)
    const candidateFrequency = this.#sketch.frequency(candidateHash)
    if (candidateFrequency > victimFrequency) return true
    if (candidateFrequency < ADMIT_HASHDOS_THRESHOLD) return false
    // Counters saturate at 15 and halve to 7, so an attacker can make a hot victim unbeatable by colliding
    // with it; admitting a warm candidate now and then breaks that at a negligible cost in hit rate.
    if (candidateFrequency === victimFrequency && (++this.#warmTies & WARM_TIE_MASK) === 0) return true
    return (this.#nextRandom() & HASHDOS_MASK) === 0
  }

  /** xorshift32: the store's own generator, seeded by `seed`, so runs with one seed repeat exactly. */
  #nextRandom(): number {
    let x = this.#random
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#random = x
    return x
  }

  // ---- hill climbing ------------------------------------------------------------------------------

  /** Capacity in entries: `maxEntries`, or the sketch's estimate of it for a byte-only budget. */
  #capacityEntries(): number {
    return Number.isFinite(this.maxEntries) ? this.maxEntries : this.#sketch.capacity
  }

  /**
   * One step of the hill climber, at the end of each sample. Caffeine decides the direction by comparing the
   * sample's hit rate with the previous one; on real traces the workload changes more between two samples
   * than one step changes the hit rate, so that comparison is mostly a coin toss and the window wanders
   * (arc-oltp at 500 entries: anywhere from 11% to 80% within one run). Here the direction comes from the
   * ghosts of the same sample: rejected candidates that came back soon say a larger window would have hit,
   * displaced victims that came back soon say a larger main area would have. The step is Caffeine's 6.25% of
   * capacity scaled by how one-sided the ghosts are (no step unless one side leads by `SIGNIFICANT` standard
   * deviations), so it settles where the two balance. The hit rate still has a say: when it fell by more
   * than `STEP_BACK_DROP` right after a step, the next sample undoes that step.
   * The first sample after the store fills only sets the baseline.
   */
  #climb(): void {
    const hitRate = this.#hitsInSample / (this.#hitsInSample + this.#missesInSample)
    this.#hitsInSample = 0
    this.#missesInSample = 0
    const ghosts = this.#ghosts!
    const rejected = ghosts.rejectedHits
    const displaced = ghosts.displacedHits
    ghosts.reset()
    const previous = this.#previousHitRate
    this.#previousHitRate = hitRate
    if (previous < 0) return
    const ghostHits = rejected + displaced
    // Two standard deviations of the difference if both kinds came back equally often: less is noise.
    let step =
      Math.abs(rejected - displaced) > SIGNIFICANT * Math.sqrt(ghostHits)
        ? (STEP_PERCENT * (rejected - displaced)) / ghostHits
        : 0
    if (this.#lastStep !== 0 && hitRate - previous < -STEP_BACK_DROP) {
      step = -this.#lastStep
    }
    // Adjustments are whole entries: a step below one entry does nothing.
    const entries = step * this.#capacityEntries()
    const before = this.#windowShare
    if (entries >= 1) this.#increaseWindow(step)
    else if (entries <= -1) this.#decreaseWindow(-step)
    // What actually moved: a step against a limit (the smallest window, an empty protected area) moved less.
    this.#lastStep = this.#windowShare - before
  }

  #increaseWindow(share: number): void {
    if (this.#protectedShare <= 0) return
    const quota = Math.min(share, this.#protectedShare)
    this.#protectedShare -= quota
    this.#windowShare += quota
    this.#resize()
    this.#demote()
    // Fill the larger window from main's LRU ends, as Caffeine does.
    for (let i = 0; i < TRANSFER_LIMIT; i++) {
      let slot = this.#head[PROBATION]!
      if (slot === NIL) slot = this.#head[PROTECTED]!
      if (slot === NIL) break
      if (this.#windowCount + 1 > this.#windowMaxCount) break
      if (this.#windowBytes + this.weightOf(slot) > this.#windowMaxBytes) break
      this.#move(slot, WINDOW)
    }
  }

  #decreaseWindow(share: number): void {
    const minimum = 1 / this.#capacityEntries()
    if (this.#windowShare <= minimum) return
    const quota = Math.min(share, this.#windowShare - minimum)
    this.#windowShare -= quota
    this.#protectedShare += quota
    this.#resize()
    for (let i = 0; i < TRANSFER_LIMIT; i++) {
      if (this.#windowCount <= this.#windowMaxCount && this.#windowBytes <= this.#windowMaxBytes) break
      const slot = this.#head[WINDOW]!
      if (slot === NIL) break
      this.#move(slot, PROBATION)
    }
  }

  /** Turns the shares into limits. Entry limits are whole entries (the small epsilon absorbs float error). */
  #resize(): void {
    const maxEntries = this.maxEntries
    const maxBytes = this.maxBytes
    const finiteEntries = Number.isFinite(maxEntries)
    const finiteBytes = Number.isFinite(maxBytes)
    this.#windowMaxCount = finiteEntries
      ? Math.floor(this.#windowShare * maxEntries + 1e-9)
      : Number.POSITIVE_INFINITY
    this.#protectedMaxCount = finiteEntries
      ? Math.floor(this.#protectedShare * maxEntries + 1e-9)
      : Number.POSITIVE_INFINITY
    this.#windowMaxBytes = finiteBytes ? this.#windowShare * maxBytes : Number.POSITIVE_INFINITY
    this.#protectedMaxBytes = finiteBytes ? this.#protectedShare * maxBytes : Number.POSITIVE_INFINITY
  }

  // ---- queues -------------------------------------------------------------------------------------

  /** A hit in probation: move to protected (if it fits there at all), then demote protected's overflow. */
  #promote(slot: number): void {
    const weight = this.weightOf(slot)
    if (this.#protectedMaxCount < 1 || weight > this.#protectedMaxBytes) {
      this.#moveToTail(PROBATION, slot)
      return
    }
    this.#move(slot, PROTECTED)
    this.#demote()
  }

  /** Moves protected's LRU entries back to probation's MRU end while protected is over its limit. */
  #demote(): void {
    while (this.#protectedCount > this.#protectedMaxCount || this.#protectedBytes > this.#protectedMaxBytes) {
      const slot = this.#head[PROTECTED]!
      if (slot === NIL) return
      this.#move(slot, PROBATION)
    }
  }

  /** Moves `slot` to the MRU end of queue `to`, keeping the region sizes. */
  #move(slot: number, to: number): void {
    this.#leave(slot)
    this.#append(to, slot)
    const weight = this.weightOf(slot)
    if (to === WINDOW) {
      this.#windowCount++
      this.#windowBytes += weight
    } else if (to === PROTECTED) {
      this.#protectedCount++
      this.#protectedBytes += weight
    }
  }

  /** Unlinks `slot` from its queue and takes it out of its region's size. */
  #leave(slot: number): void {
    const queue = this.#queue[slot]! & QUEUE
    const weight = this.weightOf(slot)
    if (queue === WINDOW) {
      this.#windowCount--
      this.#windowBytes -= weight
    } else if (queue === PROTECTED) {
      this.#protectedCount--
      this.#protectedBytes -= weight
    }
    this.#detach(slot)
  }

  /** Moves `slot` to the MRU end of the queue it is in (the hot path of a hit). */
  #moveToTail(queue: number, slot: number): void {
    const tails = this.#tail
    const tail = tails[queue]!
    if (tail === slot) return
    const next = this.#next
    const prev = this.#prev
    const before = prev[slot]!
    const after = next[slot]!
    // `slot` is not the tail, so `after` exists.
    if (before === NIL) this.#head[queue] = after
    else next[before] = after
    prev[after] = before
    prev[slot] = tail
    next[slot] = NIL
    next[tail] = slot
    tails[queue] = slot
  }

  /** Adds the pending hits of `slot` (its key hashing to `hash`) to the sketch before it is read. */
  #flushPending(slot: number, hash: number): void {
    const pending = this.#queue[slot]! & PENDING
    if (pending !== 0) this.#addPending(slot, hash, pending >>> 2)
  }

  /** Adds `hits` hits of `slot`'s key to the sketch (already counted by `tick`) and clears its pending count. */
  #addPending(slot: number, hash: number, hits: number): void {
    const saturated = this.#sketch.addUncounted(hash, hits)
    const queue = this.#queue[slot]! & QUEUE
    this.#queue[slot] = saturated ? queue | SATURATED : queue
  }

  /**
   * The sketch halved its counters (`halve`: the pending hits are halved alike) or was rebuilt (they are
   * dropped with the rest of the history); either way no key is known to be saturated any more. O(slots), once
   * per `10 × capacity` increments.
   */
  #forgetPending(halve: boolean): void {
    const meta = this.#queue
    for (let i = 0; i < meta.length; i++) {
      const m = meta[i]!
      if (m > QUEUE) meta[i] = halve ? (((m & PENDING) >>> 3) << 2) | (m & QUEUE) : m & QUEUE
    }
  }

  #append(queue: number, slot: number): void {
    const tail = this.#tail[queue]!
    this.#prev[slot] = tail
    this.#next[slot] = NIL
    if (tail === NIL) this.#head[queue] = slot
    else this.#next[tail] = slot
    this.#tail[queue] = slot
    this.#queue[slot] = (this.#queue[slot]! & ~QUEUE) | queue
  }

  #detach(slot: number): void {
    const queue = this.#queue[slot]! & QUEUE
    const prev = this.#prev[slot]!
    const next = this.#next[slot]!
    if (prev === NIL) this.#head[queue] = next
    else this.#next[prev] = next
    if (next === NIL) this.#tail[queue] = prev
    else this.#prev[next] = prev
    this.#queue[slot] = this.#queue[slot]! & ~QUEUE
  }
}
