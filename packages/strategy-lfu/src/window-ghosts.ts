/** A window candidate lost admission and left the store. */
export const REJECTED = 0
/** A probation victim lost to a candidate and left the store. */
export const DISPLACED = 1

/** How soon a ghost must come back to count, as a share of capacity: the climber's largest step (6.25%). */
const HORIZON_SHARE = 0.0625
/** Sampled keys tracked at most (per kind); larger stores track a hash-selected subset of their keys. */
const MAX_TRACKED = 1 << 16
/** Slots per tracked key of the horizon: a direct-mapped table this much larger rarely overwrites a live ghost. */
const SLACK = 4
/** Stamp of an empty or consumed slot: far enough in the past never to count. */
const GONE = -(1 << 30)

/**
 * Ghosts of the two kinds of capacity eviction in W-TinyLFU, and how often each came back soon after it
 * left: the direction signal of the window climber.
 *
 * - A **rejected** candidate that is requested again within `horizon` evictions would have been a hit had
 *   the window been `horizon` entries larger (it would still have been in the window's LRU).
 * - A **displaced** victim that is requested again within `horizon` displacements would have been a hit had
 *   the main area been `horizon` entries larger.
 *
 * Both counts come from the same stretch of requests, so a change of workload moves them together, whereas
 * comparing the hit rates of two consecutive samples (Caffeine's climber) mostly measures the workload
 * change itself. Each kind has its own clock: a displaced victim's distance is counted in displacements,
 * because only those push probation's LRU end along.
 *
 * The tables are direct-mapped (a newer ghost overwrites an older one in its slot): a few lost ghosts only
 * make the signal slightly noisier. Stores above 65,536 entries track one key in `2^k` (selected by hash),
 * so the tables stay within 2 × 2^14 slots (256 KiB); the counts are compared with each other only.
 */
export class WindowGhosts {
  /**
   * Four ints per slot: tag and stamp of the rejected ghost, then tag and stamp of the displaced one, so a
   * lookup of both kinds reads one 16-byte group (one cache line).
   */
  #table = new Int32Array(0)
  #mask = 0
  #sampleMask = 0
  #horizon = 0
  /** Evictions of either kind (the clock of rejected candidates). */
  #evictions = 0
  /** Displacements only (the clock of displaced victims). */
  #displacements = 0
  #rejectedHits = 0
  #displacedHits = 0

  constructor(capacity: number) {
    this.resize(capacity)
  }

  /** Ghost hits of rejected candidates since the last `reset()`. */
  get rejectedHits(): number {
    return this.#rejectedHits
  }

  /** Ghost hits of displaced victims since the last `reset()`. */
  get displacedHits(): number {
    return this.#displacedHits
  }

  /** Sizes the tables for a store of `capacity` entries (horizon: `HORIZON_SHARE × capacity`); forgets every ghost. */
  resize(capacity: number): void {
    const entries = Math.max(1, Math.floor(capacity))
    let sample = 1
    while (entries / sample > MAX_TRACKED) sample *= 2
    this.#sampleMask = sample - 1
    // The clocks count every eviction, sampled or not; only the tables hold a sample.
    this.#horizon = Math.max(4, Math.round(HORIZON_SHARE * entries))
    let slots = 16
    while (slots < (SLACK * this.#horizon) / sample) slots *= 2
    this.#mask = slots - 1
    // Each kind has its own half of a group: a flood of rejections cannot overwrite the rarer displacements.
    this.#table = new Int32Array(4 * slots)
    this.clear()
  }

  /** Remembers that the key hashing to `hash` left the store as `kind` (`REJECTED` or `DISPLACED`). */
  record(hash: number, kind: number): void {
    this.#evictions = (this.#evictions + 1) | 0
    if (kind === DISPLACED) this.#displacements = (this.#displacements + 1) | 0
    if ((hash & this.#sampleMask) !== 0) return
    const at = this.#group(hash) + (kind === DISPLACED ? 2 : 0)
    this.#table[at] = hash
    this.#table[at + 1] = kind === DISPLACED ? this.#displacements : this.#evictions
  }

  /** A miss on the key hashing to `hash`: counts a ghost hit if it left recently, and consumes the ghost. */
  miss(hash: number): void {
    if ((hash & this.#sampleMask) !== 0) return
    const table = this.#table
    const at = this.#group(hash)
    if (table[at] === hash && this.#recent(at + 1, this.#evictions)) this.#rejectedHits++
    if (table[at + 2] === hash && this.#recent(at + 3, this.#displacements)) this.#displacedHits++
  }

  /** Starts a new count (the clocks and ghosts stay). */
  reset(): void {
    this.#rejectedHits = 0
    this.#displacedHits = 0
  }

  /** Forgets every ghost and count. */
  clear(): void {
    const table = this.#table
    for (let i = 1; i < table.length; i += 2) table[i] = GONE
    this.#evictions = 0
    this.#displacements = 0
    this.reset()
  }

  /** First of the four ints of the slot of `hash`. */
  #group(hash: number): number {
    return (((hash >>> 16) ^ hash) & this.#mask) << 2
  }

  /** Whether the stamp at `at` lies within the horizon of `now`; consumes it if so (a ghost counts once). */
  #recent(at: number, now: number): boolean {
    const age = (now - this.#table[at]!) | 0
    if (age < 0 || age > this.#horizon) return false
    this.#table[at] = GONE
    return true
  }
}
