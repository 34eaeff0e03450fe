import { randomBytes } from 'node:crypto'
import { CacheError, type Duration, type Lock, type LockHandle, parseDuration } from '@tierstack/core'
import {
  ConnectionGate,
  closeClient,
  openClient,
  type RedisClient,
  type RedisConnectionOptions,
} from './connection.js'
import { optionError, withDeadline } from './errors.js'
import { LOCK_EXTEND, LOCK_RELEASE, runScript } from './scripts.js'

/** Options of `redisLock()`. Connection: one of `url` (or `REDIS_URL`), `redisOptions`, `client`, `nodes`. */
export interface RedisLockOptions extends RedisConnectionOptions {
  /** Prefix of the lock keys (`${prefix}${key}`). @default 'tierstack:lock:' */
  prefix?: string
  /** Deadline of each Redis round trip, in ms or a duration string. @default 1000 */
  commandTimeout?: Duration
  /** First pause between two attempts while the lock is held elsewhere, in ms; doubles up to `maxRetryDelay`. @default 5 */
  minRetryDelay?: number
  /** Longest pause between two attempts, in ms. @default 100 */
  maxRetryDelay?: number
}

/**
 * A distributed mutex on one Redis key per lock (core's `Lock`): `SET key token NX PX ttl` with a random
 * token; release and extend run a Lua script that checks the token, so a holder whose lock expired can never
 * release or extend somebody else's. A waiter polls with exponential backoff (with jitter) until `waitMs`;
 * waiters in the same process are also woken as soon as a local holder releases.
 *
 * Single-instance semantics (not Redlock): on a failover a lock that was not yet replicated can be taken twice.
 * For `getOrSet` that costs one extra loader call, never a wrong value.
 */
export class RedisLock implements Lock {
  /** Prefix of the lock keys. */
  readonly prefix: string
  /** The client (the one passed in, or one this lock created and owns). */
  readonly client: RedisClient

  readonly #owned: boolean
  readonly #timeout: number
  readonly #minDelay: number
  readonly #maxDelay: number
  readonly #wakers = new Map<string, Set<() => void>>()
  readonly #conn: ConnectionGate
  #closed = false

  constructor(options: RedisLockOptions = {}) {
    this.prefix = options.prefix ?? 'tierstack:lock:'
    if (typeof this.prefix !== 'string') throw optionError('redis lock', 'prefix', options.prefix, 'a string')
    this.#timeout = parseDuration(
      options.commandTimeout ?? 1000,
      "redis lock: option 'commandTimeout'",
      'E_INVALID_OPTION',
    )
    if (!(this.#timeout > 0) || !Number.isFinite(this.#timeout)) {
      throw optionError('redis lock', 'commandTimeout', options.commandTimeout, 'a positive finite duration')
    }
    this.#minDelay = options.minRetryDelay ?? 5
    this.#maxDelay = options.maxRetryDelay ?? 100
    if (!(this.#minDelay > 0) || !Number.isFinite(this.#minDelay)) {
      throw optionError('redis lock', 'minRetryDelay', options.minRetryDelay, 'a positive number of ms')
    }
    if (!(this.#maxDelay >= this.#minDelay) || !Number.isFinite(this.#maxDelay)) {
      throw optionError(
        'redis lock',
        'maxRetryDelay',
        options.maxRetryDelay,
        `a number of ms ≥ minRetryDelay (${this.#minDelay})`,
      )
    }
    const opened = openClient('redis lock', options, {
      autoPipelining: true,
      connectTimeout: Math.max(this.#timeout, 2000),
    })
    this.client = opened.client
    this.#owned = opened.owned
    this.#conn = new ConnectionGate(this.client, 'redis lock', this.#timeout)
  }

  #run<T>(op: string, p: () => Promise<T>): Promise<T> {
    const gate = this.#conn.check(op)
    const sent = gate === undefined ? p() : gate.then(p)
    return withDeadline(sent, this.#timeout, 'redis lock', op).catch((err: unknown) => {
      const code = err instanceof CacheError && err.code === 'E_TIER_TIMEOUT' ? 'timed out' : 'failed'
      throw new CacheError(
        'E_LOCK',
        `tierstack: redis lock: ${op} ${code}: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      )
    })
  }

  /**
   * Takes the lock on `key` for `ttlMs`, retrying until `waitMs` has passed. Resolves to a handle, or
   * `undefined` when another holder kept it for the whole wait. Rejects with `E_LOCK` when Redis fails.
   */
  async acquire(key: string, ttlMs: number, waitMs = 0): Promise<LockHandle | undefined> {
    if (this.#closed) throw new CacheError('E_CLOSED', 'tierstack: redis lock: acquire after close()')
    if (typeof key !== 'string' || key === '')
      throw new CacheError(
        'E_INVALID_KEY',
        `tierstack: redis lock: key must be a non-empty string, got ${typeof key}`,
      )
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
      throw new CacheError(
        'E_INVALID_TTL',
        `tierstack: redis lock: ttlMs must be a positive finite number, got ${ttlMs}`,
      )
    if (!(waitMs >= 0))
      throw new CacheError('E_INVALID_TTL', `tierstack: redis lock: waitMs must be ≥ 0, got ${waitMs}`)
    const redisKey = this.prefix + key
    const token = randomBytes(16).toString('base64url')
    const ttl = Math.ceil(ttlMs)
    const deadline = Date.now() + waitMs
    let delay = this.#minDelay
    for (;;) {
      const ok = await this.#run('acquire', () => this.client.set(redisKey, token, 'PX', ttl, 'NX'))
      if (ok === 'OK') return this.#handle(key, redisKey, token)
      const left = deadline - Date.now()
      if (left <= 0 || this.#closed) return undefined
      // Jitter so that many waiters do not retry in lock step.
      await this.#pause(key, Math.min(left, delay * (0.5 + Math.random())))
      delay = Math.min(delay * 2, this.#maxDelay)
    }
  }

  /** Sleeps `ms`, or less when a holder of `key` in this process releases it. */
  #pause(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.#wakers.get(key)
      if (set === undefined) {
        set = new Set()
        this.#wakers.set(key, set)
      }
      const wake = () => {
        clearTimeout(timer)
        set.delete(wake)
        if (set.size === 0 && this.#wakers.get(key) === set) this.#wakers.delete(key)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      set.add(wake)
    })
  }

  #handle(key: string, redisKey: string, token: string): LockHandle {
    let released = false
    return {
      release: async () => {
        if (released) return
        released = true
        try {
          await this.#run('release', () => runScript(this.client, LOCK_RELEASE, [redisKey], [token]))
        } finally {
          // Wake local waiters: one of them takes the lock on its next attempt instead of after its backoff.
          const set = this.#wakers.get(key)
          if (set) for (const wake of [...set]) wake()
        }
      },
      extend: async (ttlMs: number) => {
        if (released) return false
        if (!(ttlMs > 0) || !Number.isFinite(ttlMs))
          throw new CacheError(
            'E_INVALID_TTL',
            `tierstack: redis lock: ttlMs must be a positive finite number, got ${ttlMs}`,
          )
        const n = await this.#run('extend', () =>
          runScript(this.client, LOCK_EXTEND, [redisKey], [token, Math.ceil(ttlMs)]),
        )
        return n === 1
      },
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const set of this.#wakers.values()) for (const wake of [...set]) wake()
    if (this.#owned) await closeClient(this.client, 'redis lock', this.#timeout)
    else this.#conn.dispose()
  }
}

/**
 * Creates a distributed lock for `createCache({ lock })`, used by `getOrSet(…, { lock: 'distributed' })`.
 *
 * ```ts
 * const cache = createCache({ tiers, lock: redisLock({ url }) })
 * await cache.getOrSet('report', build, { lock: 'distributed' })
 * ```
 */
export function redisLock(options: RedisLockOptions = {}): RedisLock {
  return new RedisLock(options)
}
