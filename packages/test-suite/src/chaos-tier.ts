import {
  CacheError,
  type LocalTier,
  type StoredEntry,
  type Tier,
  type TierCapabilities,
  type TierHealth,
} from '@tierstack/core'

/** Options of {@link chaosTier}. */
export interface ChaosTierOptions {
  /** Name reported by the wrapper. @default the inner tier's name */
  name?: string
  /** Random source for `failRate` (inject a seeded one for reproducible tests). @default Math.random */
  random?: () => number
}

/** Options of {@link ChaosTier.hang}. */
export interface ChaosHangOptions {
  /**
   * What happens to hung operations when they are released by `heal()` / `release()`:
   * `false` rejects them with an `Error('chaos: … released')`; `true` runs them against the inner tier
   * then, so they resolve late (a reply arriving after the caller's timeout).
   * @default false
   */
  resolveLate?: boolean
}

/** Where {@link ChaosTier.corrupt} damages returned bytes. */
export type ChaosCorruptMode =
  /** Every byte is inverted: the envelope itself is unreadable (`decodeEnvelope` throws `E_DECODE`). */
  | 'all'
  /** Only the last byte is inverted: the envelope header is intact, the payload is damaged (tests codec / serializer checks). */
  | 'payload'

/** Methods whose calls {@link ChaosTier.calls} counts. */
export type ChaosMethod =
  | 'get'
  | 'getMany'
  | 'set'
  | 'setMany'
  | 'delete'
  | 'clear'
  | 'deleteByTag'
  | 'health'
  | 'close'

interface Hung {
  run: () => void
  reject: (err: Error) => void
}

const METHODS: readonly ChaosMethod[] = [
  'get',
  'getMany',
  'set',
  'setMany',
  'delete',
  'clear',
  'deleteByTag',
  'health',
  'close',
]

function zeroCalls(): Record<ChaosMethod, number> {
  const calls = {} as Record<ChaosMethod, number>
  for (const m of METHODS) calls[m] = 0
  return calls
}

/**
 * Wraps any tier with fault injection switchable at runtime, for failover, timeout and circuit-breaker
 * tests. Faults apply to every operation started while they are on (an operation already in flight keeps
 * the behaviour it started with). Precedence: `hang` → `slow` delay → `fail` / `failRate` → inner call →
 * `corrupt` on the returned values. `close()` is never faulted: it releases hung operations, fires pending
 * `slow` timers at once and closes the inner tier, so a test ends with no open handles.
 *
 * `calls` counts every call per method, faulted or not, so a test can assert "the breaker stopped
 * calling this tier".
 */
export class ChaosTier implements Tier {
  readonly name: string
  readonly kind: 'local' | 'remote'
  readonly capabilities: TierCapabilities
  /** Calls received per method since creation or the last `resetCalls()`. */
  readonly calls: Record<ChaosMethod, number> = zeroCalls()
  readonly #inner: Tier
  readonly #random: () => number
  #hanging: ChaosHangOptions | undefined
  #error: Error | undefined
  #failRate = 0
  #failRateError: Error | undefined
  #slowMs = 0
  #corrupt: ChaosCorruptMode | undefined
  readonly #hung = new Set<Hung>()
  readonly #timers = new Map<ReturnType<typeof setTimeout>, () => void>()

  constructor(inner: Tier, options: ChaosTierOptions = {}) {
    if (inner === null || typeof inner !== 'object' || typeof inner.get !== 'function') {
      throw new CacheError('E_INVALID_OPTION', 'chaosTier: inner must be a Tier')
    }
    if (options === null || typeof options !== 'object') {
      throw new CacheError('E_INVALID_OPTION', 'chaosTier: options must be an object')
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `chaosTier: name must be a non-empty string, got ${String(options.name)}`,
      )
    }
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new CacheError('E_INVALID_OPTION', 'chaosTier: random must be a function')
    }
    this.#inner = inner
    this.name = options.name ?? inner.name
    this.kind = inner.kind
    this.capabilities = inner.capabilities
    this.#random = options.random ?? Math.random
    if (inner.kind === 'local') this.#forwardSyncTwins(inner as LocalTier)
  }

  /** The wrapped tier. */
  get inner(): Tier {
    return this.#inner
  }

  /** Operations currently hung (waiting for `heal()` / `release()`). */
  get pending(): number {
    return this.#hung.size
  }

  /** From now on, operations never settle until `heal()` or `release()`. */
  hang(options: ChaosHangOptions = {}): this {
    this.#hanging = { resolveLate: options.resolveLate ?? false }
    return this
  }

  /** From now on, operations reject with `error`. @default error `new Error('chaos: injected failure')` */
  fail(error?: Error): this {
    this.#error = error ?? new Error(`chaos: injected failure in tier '${this.name}'`)
    return this
  }

  /** From now on, each operation fails with probability `p` (0…1). */
  failRate(p: number, error?: Error): this {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new CacheError('E_INVALID_OPTION', `chaosTier: failRate must be between 0 and 1, got ${p}`)
    }
    this.#failRate = p
    this.#failRateError = error
    return this
  }

  /** From now on, every operation is delayed by `ms` milliseconds before it reaches the inner tier. */
  slow(ms: number): this {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `chaosTier: slow(ms) needs a non-negative finite number, got ${ms}`,
      )
    }
    this.#slowMs = ms
    return this
  }

  /**
   * From now on, values returned by `get` / `getMany` are damaged copies (the inner tier's data is
   * untouched). Remote tiers only: a local tier's live values have no bytes to damage.
   * @default mode 'all'
   */
  corrupt(mode: ChaosCorruptMode = 'all'): this {
    if (this.kind !== 'remote') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `chaosTier: corrupt() needs a remote tier; '${this.name}' is local`,
      )
    }
    if (mode !== 'all' && mode !== 'payload') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `chaosTier: corrupt mode must be 'all' or 'payload', got ${String(mode)}`,
      )
    }
    this.#corrupt = mode
    return this
  }

  /** Turns every fault off and releases hung operations (see {@link ChaosHangOptions.resolveLate}). */
  heal(): this {
    const hanging = this.#hanging
    this.#hanging = undefined
    this.#error = undefined
    this.#failRate = 0
    this.#failRateError = undefined
    this.#slowMs = 0
    this.#corrupt = undefined
    this.#releaseHung(hanging?.resolveLate ?? false)
    return this
  }

  /** Settles the operations hung so far without healing (new operations still hang). */
  release(): this {
    this.#releaseHung(this.#hanging?.resolveLate ?? false)
    return this
  }

  /** Sets every `calls` counter back to 0. */
  resetCalls(): this {
    for (const m of METHODS) this.calls[m] = 0
    return this
  }

  get(key: string): Promise<StoredEntry | undefined> {
    this.calls.get++
    return this.#run(() => this.#inner.get(key)).then((e) => this.#damage(e))
  }

  getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    this.calls.getMany++
    return this.#run(() => this.#inner.getMany(keys)).then((list) => list.map((e) => this.#damage(e)))
  }

  set(key: string, entry: StoredEntry): Promise<void> {
    this.calls.set++
    return this.#run(() => this.#inner.set(key, entry))
  }

  setMany(items: [string, StoredEntry][]): Promise<void> {
    this.calls.setMany++
    return this.#run(() => this.#inner.setMany(items))
  }

  delete(keys: string[]): Promise<number> {
    this.calls.delete++
    return this.#run(() => this.#inner.delete(keys))
  }

  clear(prefix: string): Promise<void> {
    this.calls.clear++
    return this.#run(() => this.#inner.clear(prefix))
  }

  deleteByTag(tags: string[], prefix: string): Promise<number> {
    this.calls.deleteByTag++
    return this.#run(() => this.#inner.deleteByTag(tags, prefix))
  }

  /** Like a real tier's health probe: a failure resolves to `{ ok: false }`, a hang hangs. */
  health(): Promise<TierHealth> {
    this.calls.health++
    const started = performance.now()
    return this.#run(() => this.#inner.health()).catch((err: unknown) => ({
      ok: false,
      latencyMs: performance.now() - started,
      detail: { error: err instanceof Error ? err.message : String(err) },
    }))
  }

  async close(): Promise<void> {
    this.calls.close++
    this.#releaseHung(false)
    for (const [timer, fire] of this.#timers) {
      clearTimeout(timer)
      fire()
    }
    this.#timers.clear()
    await this.#inner.close()
  }

  #run<T>(unsafe: () => Promise<T>): Promise<T> {
    // An inner tier that throws synchronously still yields a rejected promise, never a throw from our method.
    const op = (): Promise<T> => {
      try {
        return unsafe()
      } catch (err) {
        return Promise.reject(err)
      }
    }
    if (this.#hanging !== undefined) {
      return new Promise<T>((resolve, reject) => {
        const hung: Hung = {
          run: () => {
            this.#hung.delete(hung)
            op().then(resolve, reject)
          },
          reject: (err) => {
            this.#hung.delete(hung)
            reject(err)
          },
        }
        this.#hung.add(hung)
      })
    }
    // Faults are decided when the call starts, as a network would: a `heal()` during a slow call does not
    // change that call's outcome.
    const failure = this.#pickFailure()
    const attempt = (): Promise<T> => (failure === undefined ? op() : Promise.reject(failure))
    if (this.#slowMs === 0) return attempt()
    return new Promise<T>((resolve, reject) => {
      const fire = () => {
        this.#timers.delete(timer)
        attempt().then(resolve, reject)
      }
      const timer = setTimeout(fire, this.#slowMs)
      this.#timers.set(timer, fire)
    })
  }

  #pickFailure(): Error | undefined {
    if (this.#error !== undefined) return this.#error
    if (this.#failRate > 0 && this.#random() < this.#failRate) {
      return this.#failRateError ?? new Error(`chaos: random failure in tier '${this.name}'`)
    }
    return undefined
  }

  #damage(entry: StoredEntry | undefined): StoredEntry | undefined {
    const mode = this.#corrupt
    if (mode === undefined || entry === undefined || !(entry.value instanceof Uint8Array)) return entry
    const bytes = new Uint8Array(entry.value)
    if (mode === 'all') for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xff
    else if (bytes.length > 0) bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    return { ...entry, value: bytes }
  }

  #releaseHung(resolveLate: boolean): void {
    const hung = [...this.#hung]
    for (const h of hung) {
      if (resolveLate) h.run()
      else h.reject(new Error(`chaos: hung operation on tier '${this.name}' released`))
    }
  }

  /**
   * A local inner tier keeps its synchronous twins (the engine's L1 path needs them); `fail` / `failRate`
   * make them throw, the other faults cannot apply to a synchronous call.
   */
  #forwardSyncTwins(inner: LocalTier): void {
    const self = this as unknown as Record<string, unknown>
    const guard = () => {
      const failure = this.#pickFailure()
      if (failure !== undefined) throw failure
    }
    self.getSync = (key: string) => {
      this.calls.get++
      guard()
      return inner.getSync(key)
    }
    self.setSync = (key: string, entry: StoredEntry) => {
      this.calls.set++
      guard()
      inner.setSync(key, entry)
    }
    self.deleteSync = (keys: string[]) => {
      this.calls.delete++
      guard()
      return inner.deleteSync(keys)
    }
    self.stats = () => inner.stats()
    self.fork = (options: Parameters<LocalTier['fork']>[0]) => inner.fork(options)
  }
}

/** Wraps `inner` with switchable fault injection. See {@link ChaosTier}. */
export function chaosTier(inner: Tier, options?: ChaosTierOptions): ChaosTier {
  return new ChaosTier(inner, options)
}
