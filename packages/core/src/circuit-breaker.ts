/** State of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/**
 * Consecutive-failure circuit breaker. Closed: calls go through. After `threshold` consecutive failures it
 * opens: calls are skipped for `resetAfterMs`. Then exactly one probe is let through (half-open); success
 * closes it, failure re-opens it. So a dead tier costs one timeout, then nothing until it recovers.
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #resetAfterMs: number
  readonly #now: () => number
  readonly #onChange: (state: BreakerState) => void
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #probeInFlight = false

  constructor(
    threshold: number,
    resetAfterMs: number,
    now: () => number,
    onChange: (s: BreakerState) => void,
  ) {
    this.#threshold = threshold
    this.#resetAfterMs = resetAfterMs
    this.#now = now
    this.#onChange = onChange
  }

  get state(): BreakerState {
    return this.#state
  }

  /** Whether `allow()` would let a call through now, without reserving the probe. */
  get ready(): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open') return this.#now() - this.#openedAt >= this.#resetAfterMs
    return !this.#probeInFlight
  }

  /** Whether a call may go through now. A `true` in half-open state reserves the single probe. */
  allow(): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#resetAfterMs) return false
      this.#set('half-open')
    }
    if (this.#probeInFlight) return false
    this.#probeInFlight = true
    return true
  }

  success(): void {
    this.#failures = 0
    this.#probeInFlight = false
    if (this.#state !== 'closed') this.#set('closed')
  }

  failure(): void {
    this.#probeInFlight = false
    this.#failures++
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#now()
      this.#set('open')
    }
  }

  #set(state: BreakerState): void {
    this.#state = state
    this.#onChange(state)
  }
}
