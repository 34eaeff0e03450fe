const INFINITY = Number.POSITIVE_INFINITY
/** Offset of a slot without expiry. */
const NONE = 0xffff_ffff
/** Offset of a slot whose expiry is kept in the sparse `#far` map (not an integer, or out of range). */
const FAR = 0xffff_fffe
/**
 * Clock advance past the base after which `set` rebases (2^31 ms, about 24.8 days): from then on a TTL of up
 * to ~24.8 days always fits in an offset, and the rebase pass runs at most once per that period.
 */
export const REBASE_AFTER = 2 ** 31

/**
 * Expiry per slot as 32-bit millisecond offsets from an integer base: 4 bytes per slot instead of a
 * `Float64Array`'s 8, and exact. An integer `expiresAt` from the base to about 49.7 days after it is an offset;
 * anything else (fractional ms, further away, before the base) goes to a sparse `Map<slot, expiresAt>`, so
 * every value reads back exactly as it was set. The owner calls `rebase(now)` when `now − base` passes
 * `REBASE_AFTER` (`needsRebase`): one O(slots) pass that moves the base up to `now`.
 */
export class ExpiryTable {
  #offsets: Uint32Array
  /** Integer epoch ms that offsets count from. */
  #base: number
  /** Expiry of the slots marked `FAR`. */
  readonly #far = new Map<number, number>()

  /** A table for `capacity` slots, none expiring, with its base at `now` (rounded down). */
  constructor(capacity: number, now: number) {
    this.#offsets = new Uint32Array(capacity).fill(NONE)
    this.#base = Number.isFinite(now) ? Math.floor(now) : 0
  }

  /** Epoch ms that offsets count from (for tests and diagnostics). */
  get base(): number {
    return this.#base
  }

  /** Slots whose expiry lives in the sparse map (for tests and diagnostics). */
  get farCount(): number {
    return this.#far.size
  }

  /** Expiry of `slot` in epoch ms, exactly as set (`Infinity` = none). */
  at(slot: number): number {
    const offset = this.#offsets[slot]!
    if (offset < FAR) return this.#base + offset
    return offset === NONE ? INFINITY : this.#far.get(slot)!
  }

  /** Sets the expiry of `slot` (`Infinity` = none), replacing whatever it had. */
  set(slot: number, expiresAt: number): void {
    const offsets = this.#offsets
    if (offsets[slot] === FAR) this.#far.delete(slot)
    if (expiresAt === INFINITY) {
      offsets[slot] = NONE
      return
    }
    const offset = expiresAt - this.#base
    // `>>> 0` round-trips only integers in [0, 2^32): fractions, negatives and far values take the map.
    if (offset >>> 0 === offset && offset < FAR) {
      offsets[slot] = offset
    } else {
      offsets[slot] = FAR
      this.#far.set(slot, expiresAt)
    }
  }

  /** Frees `slot`'s expiry (its sparse entry if it had one). */
  remove(slot: number): void {
    const offsets = this.#offsets
    if (offsets[slot] === FAR) this.#far.delete(slot)
    offsets[slot] = NONE
  }

  /** `true` when the clock is far enough past the base that `rebase` should run. */
  needsRebase(now: number): boolean {
    return now - this.#base > REBASE_AFTER
  }

  /**
   * Moves the base up to `now` (rounded down), rewriting every offset so that each expiry stays exactly what
   * it was. An offset that would fall before the new base (an entry already expired and not yet reclaimed)
   * moves to the sparse map rather than being clamped, so even a clock that later goes back sees it unchanged.
   */
  rebase(now: number): void {
    const base = Math.floor(now)
    const shift = base - this.#base
    if (!(shift > 0)) return
    const offsets = this.#offsets
    for (let slot = 0; slot < offsets.length; slot++) {
      const offset = offsets[slot]!
      if (offset >= FAR) continue
      if (offset >= shift) {
        offsets[slot] = offset - shift
      } else {
        offsets[slot] = FAR
        this.#far.set(slot, this.#base + offset)
      }
    }
    this.#base = base
  }

  /** Room for `capacity` slots; the new ones have no expiry. */
  grow(capacity: number): void {
    const next = new Uint32Array(capacity)
    next.set(this.#offsets)
    next.fill(NONE, this.#offsets.length)
    this.#offsets = next
  }

  /** No slot expires any more. */
  clear(): void {
    this.#offsets.fill(NONE)
    this.#far.clear()
  }
}
