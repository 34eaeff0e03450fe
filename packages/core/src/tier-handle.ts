import { type BreakerState, CircuitBreaker } from './circuit-breaker.js'
import type { LocalTier, StoredEntry, Tier } from './contracts.js'
import { CacheError, isCacheError } from './errors.js'
import { channels } from './events.js'
import { LatencyHistogram } from './histogram.js'
import type { TierStats } from './options.js'
import { DeadlineQueue, TIMED_OUT } from './timeout.js'

type TierOp = 'get' | 'getMany' | 'set' | 'setMany' | 'delete' | 'clear' | 'deleteByTag'

/**
 * The engine's view of one tier: the per-operation timeout, the circuit breaker and the tier's counters.
 * Local tiers are called directly (no timer, no breaker: they cannot hang on a network).
 */
export class TierHandle {
  readonly name: string
  readonly kind: 'local' | 'remote'
  /** Set for local tiers: the synchronous twins. */
  readonly local: LocalTier | undefined
  readonly breaker: CircuitBreaker | undefined
  /** Per-call timeouts of this tier (none for local tiers and tiers with their own deadline). */
  readonly #deadlines: DeadlineQueue | undefined
  misses = 0
  sets = 0
  deletes = 0
  /** Failed calls (timeouts included), undecodable entries and writes skipped by an open breaker. */
  errors = 0
  /** Of `errors`, the timed-out calls. */
  timeouts = 0
  readonly latency = {
    get: new LatencyHistogram(),
    set: new LatencyHistogram(),
    delete: new LatencyHistogram(),
  }

  constructor(
    readonly tier: Tier,
    readonly cacheId: string,
    readonly timeoutMs: number,
    threshold: number,
    resetAfterMs: number,
    now: () => number,
  ) {
    this.name = tier.name
    this.kind = tier.kind
    this.local = tier.kind === 'local' ? (tier as LocalTier) : undefined
    // A tier that rejects slow calls itself (`capabilities.timeouts`) needs no timer race per call.
    const ownDeadline = tier.capabilities?.timeouts === true
    this.#deadlines = ownDeadline || !Number.isFinite(timeoutMs) ? undefined : new DeadlineQueue(timeoutMs)
    this.breaker =
      tier.kind === 'remote'
        ? new CircuitBreaker(threshold, resetAfterMs, now, (state) => {
            if (channels.breaker.hasSubscribers) channels.breaker.publish({ cacheId, tier: this.name, state })
          })
        : undefined
  }

  get breakerState(): BreakerState {
    return this.breaker?.state ?? 'closed'
  }

  /** Whether the breaker would let a call through right now (without reserving a probe). */
  get available(): boolean {
    return this.breaker === undefined || this.breaker.ready
  }

  /**
   * Runs one tier operation under the timeout and the breaker. Rejects with `E_TIER_UNAVAILABLE` (breaker
   * open), `E_TIER_TIMEOUT` or `E_TIER_ERROR`; decode errors (`E_DECODE`) and a refused over-size value
   * (`E_VALUE_TOO_LARGE`) pass through unchanged and do not count against the breaker: the tier answered.
   */
  run<T>(op: TierOp, fn: () => Promise<T>): Promise<T> {
    const breaker = this.breaker
    if (breaker !== undefined && !breaker.allow()) return Promise.reject(this.#unavailable())
    const start = performance.now()
    let pending: Promise<T>
    try {
      pending = fn()
    } catch (err) {
      return Promise.reject(this.#failed(op, start, err))
    }
    return this.#watch(op, start, pending)
  }

  /**
   * `run('get', () => tier.get(fullKey))` without the closure: the remote read path calls this once per L1
   * miss, so it allocates nothing beyond the promise it returns.
   */
  get(fullKey: string): Promise<StoredEntry | undefined> {
    const breaker = this.breaker
    if (breaker !== undefined && !breaker.allow()) return Promise.reject(this.#unavailable())
    const start = performance.now()
    let pending: Promise<StoredEntry | undefined>
    try {
      pending = this.tier.get(fullKey)
    } catch (err) {
      return Promise.reject(this.#failed('get', start, err))
    }
    return this.#watch('get', start, pending)
  }

  /**
   * Settles like `pending` (raced against the deadline unless the tier keeps its own) and does the
   * bookkeeping. One `.then`, no async function: each await would cost the hit path one more promise and
   * one more microtask.
   */
  #watch<T>(op: TierOp, start: number, pending: Promise<T>): Promise<T> {
    // A non-native thenable (or a plain value from a careless tier) still works, as it did under `await`.
    const promise = pending instanceof Promise ? pending : Promise.resolve(pending)
    const deadlines = this.#deadlines
    if (deadlines === undefined) {
      return promise.then(
        (result) => {
          this.#succeeded(op, start)
          return result
        },
        (err: unknown) => {
          throw this.#failed(op, start, err)
        },
      )
    }
    return deadlines.race(promise).then(
      (result) => {
        if (result === TIMED_OUT) throw this.#timedOut(op, start)
        this.#succeeded(op, start)
        return result
      },
      (err: unknown) => {
        throw this.#failed(op, start, err)
      },
    )
  }

  #unavailable(): CacheError {
    return new CacheError('E_TIER_UNAVAILABLE', `${this.name} tier skipped: circuit breaker is open`)
  }

  #succeeded(op: TierOp, start: number): void {
    this.breaker?.success()
    this.#record(op, start, true, false)
  }

  #timedOut(op: TierOp, start: number): CacheError {
    // A timeout is an error too (as in the namespace counters); `timeouts` tells how many of them it was.
    this.errors++
    this.timeouts++
    this.breaker?.failure()
    this.#record(op, start, false, true)
    return new CacheError('E_TIER_TIMEOUT', `${this.name} tier ${op} timed out after ${this.timeoutMs} ms`)
  }

  /** Counts a failed call and returns what to reject with. */
  #failed(op: TierOp, start: number, err: unknown): unknown {
    if (isCacheError(err, 'E_DECODE') || isCacheError(err, 'E_VALUE_TOO_LARGE')) {
      // The tier answered; only its bytes were unreadable, or the caller's value was over its cap.
      this.breaker?.success()
      this.#record(op, start, false, false)
      return err
    }
    const timedOut = isCacheError(err, 'E_TIER_TIMEOUT')
    this.errors++
    if (timedOut) this.timeouts++
    this.breaker?.failure()
    this.#record(op, start, false, timedOut)
    return isCacheError(err) && err.code !== 'E_INVALID_OPTION'
      ? err
      : new CacheError('E_TIER_ERROR', `${this.name} tier ${op} failed: ${(err as Error)?.message ?? err}`, {
          cause: err,
        })
  }

  /** Latency histogram and the `tierOperation` diagnostics channel. */
  #record(op: TierOp, start: number, ok: boolean, timedOut: boolean): void {
    const ms = performance.now() - start
    const hist =
      op === 'get' || op === 'getMany'
        ? this.latency.get
        : op === 'set' || op === 'setMany'
          ? this.latency.set
          : this.latency.delete
    hist.record(ms)
    if (channels.tierOperation.hasSubscribers) {
      channels.tierOperation.publish({
        cacheId: this.cacheId,
        tier: this.name,
        op,
        durationMs: ms,
        ok,
        timedOut,
      })
    }
  }

  snapshot(extraLocal: LocalTier[]): TierStats {
    const stats: TierStats = {
      name: this.name,
      kind: this.kind,
      hits: 0,
      misses: this.misses,
      sets: this.sets,
      deletes: this.deletes,
      errors: this.errors,
      timeouts: this.timeouts,
      evictions: 0,
      breaker: this.breakerState,
      latency: {
        get: this.latency.get.summary(),
        set: this.latency.set.summary(),
        delete: this.latency.delete.summary(),
      },
    }
    if (this.local !== undefined) {
      let entries = 0
      let bytes = 0
      let evictions = 0
      for (const t of [this.local, ...extraLocal]) {
        // stats() is optional for third-party local tiers.
        const s = typeof t.stats === 'function' ? t.stats() : { entries: 0, bytes: 0, evictions: 0 }
        entries += s.entries
        bytes += s.bytes
        evictions += s.evictions
      }
      stats.entries = entries
      stats.bytes = bytes
      stats.evictions = evictions
    }
    return stats
  }
}
