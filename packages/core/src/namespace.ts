import { type Duration, parseDuration } from './duration.js'
import { CacheError } from './errors.js'
import { channels, observed, opStart } from './events.js'
import { type CallPolicy, countHit, loadThrough, maybeRefreshEarly } from './get-or-set.js'
import type { NamespaceCore } from './namespace-core.js'
import type { GetOrSetOptions, Loader, NamespaceStats, SetOptions, WrapOptions } from './options.js'
import { getFromRemote, lookup, lookupMany } from './read-path.js'
import { assertKey, checkTags, keyError, MAX_KEY_LENGTH, resolvePolicy, valueError } from './validate.js'
import {
  clearEntries,
  deleteEntries,
  deleteTagged,
  type WriteItem,
  writeEntries,
  writeLocalEntry,
} from './write-path.js'

/** Options of `get`. */
export interface GetOptions {
  /** Also return an entry past its TTL that is still within grace. @default false */
  allowStale?: boolean
}

/** One item of `setMany`: a `[key, value]` pair, or an object with per-item options. */
export type SetManyItem<TValue = unknown> = [string, TValue] | ({ key: string; value: TValue } & SetOptions)

const DEFAULT_LOCK_WAIT_MS = 5000
const RESOLVED: Promise<void> = Promise.resolve()

/**
 * One namespace of a cache: its keys are prefixed with `name:` in every tier and it has its own policy
 * (TTL, grace, tiers, codecs, strategy, cost). Get one with `cache.namespace(name)`.
 */
export class NamespaceCache {
  readonly #ns: NamespaceCore
  readonly #basePolicy: CallPolicy

  /** @internal built by `TieredCache.namespace()`. */
  constructor(core: NamespaceCore) {
    this.#ns = core
    this.#basePolicy = { ...core.policy, tags: [], distributed: false, lockWaitMs: DEFAULT_LOCK_WAIT_MS }
  }

  /** The namespace name. */
  get name(): string {
    return this.#ns.name
  }

  /**
   * The fresh value of `key`, or `undefined`. Reads the tiers in order and backfills the tiers above the one
   * that answered. Never throws for a failing remote tier (unless `onTierError: 'throw'`).
   */
  get<TValue = unknown>(key: string, options?: GetOptions): Promise<TValue | undefined> {
    const ns = this.#ns
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || ns.ctx.closed) {
      return Promise.reject(keyError(key) ?? new CacheError('E_CLOSED', 'the cache is closed'))
    }
    const value = ns.freshL1(key)
    if (value !== undefined) {
      if (channels.operation.hasSubscribers) ns.emit('get', key, performance.now(), 'hit', 0)
      return Promise.resolve(value as TValue)
    }
    const allowStale = options?.allowStale === true
    if (ns.localOverRemote && !allowStale && !channels.operation.hasSubscribers) {
      return getFromRemote(ns, key) as Promise<TValue | undefined>
    }
    return this.#getSlow(key, allowStale) as Promise<TValue | undefined>
  }

  async #getSlow(key: string, allowStale: boolean): Promise<unknown> {
    const ns = this.#ns
    const started = performance.now()
    const found = await lookup(ns, key)
    ns.counters.getLatency.record(performance.now() - started)
    const hit = found !== undefined && (!found.stale || allowStale)
    if (channels.operation.hasSubscribers) {
      ns.emit(
        'get',
        key,
        started,
        hit ? (found.stale ? 'stale' : 'hit') : 'miss',
        hit ? found.index : undefined,
      )
    }
    if (hit) {
      countHit(ns, found)
      return found.entry.value
    }
    ns.counters.misses++
    return undefined
  }

  /** Values of `keys` in the same order (`undefined` where missing). One round trip per tier. */
  async getMany<TValue = unknown>(keys: string[], options?: GetOptions): Promise<(TValue | undefined)[]> {
    this.#ns.ctx.assertOpen()
    if (!Array.isArray(keys))
      throw new CacheError('E_INVALID_KEY', 'getMany: keys must be an array of strings')
    keys.forEach(assertKey)
    const ns = this.#ns
    const started = opStart()
    if (keys.length === 0) {
      if (observed(started)) ns.publish('getMany', started, { keys: [], outcomes: [], count: 0 })
      return []
    }
    const found = await lookupMany(ns, keys)
    const allowStale = options?.allowStale === true
    const values = found.map((f) => {
      if (f !== undefined && (!f.stale || allowStale)) {
        countHit(ns, f)
        return f.entry.value as TValue
      }
      ns.counters.misses++
      return undefined
    })
    if (observed(started)) {
      let count = 0
      // Same rule as get(): a stale entry the caller did not ask for is a miss.
      const outcomes = found.map((f): 'hit' | 'stale' | 'miss' => {
        if (f === undefined || (f.stale && !allowStale)) return 'miss'
        count++
        return f.stale ? 'stale' : 'hit'
      })
      ns.publish('getMany', started, { keys: [...keys], outcomes, count })
    }
    return values
  }

  #item(key: unknown, value: unknown, options: SetOptions | undefined, where: string): WriteItem {
    assertKey(key)
    const verr = valueError(value)
    if (verr !== undefined) throw verr
    const p = options === undefined ? this.#ns.policy : resolvePolicy(options, this.#ns.policy, `${where}: `)
    return {
      key,
      value,
      ttlMs: p.ttlMs,
      graceMs: p.graceMs,
      tags: checkTags(options?.tags),
    }
  }

  /** Stores `value` in every tier of the namespace (write-through). */
  set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    const ns = this.#ns
    try {
      ns.ctx.assertOpen()
      const item = this.#item(key, value, options, 'set')
      if (!ns.hasRemote) {
        // Memory-only namespace: nothing to await, so no async machinery either.
        writeLocalEntry(ns, item)
        if (channels.operation.hasSubscribers) ns.emit('set', key, performance.now())
        return RESOLVED
      }
      const started = performance.now()
      return writeEntries(ns, [item]).then(() => {
        if (channels.operation.hasSubscribers) ns.emit('set', key, started)
      })
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** Stores many values; remote tiers get one batch each. Every item is validated before anything is written. */
  async setMany(items: SetManyItem[], options?: SetOptions): Promise<void> {
    this.#ns.ctx.assertOpen()
    const started = opStart()
    if (!Array.isArray(items)) throw new CacheError('E_INVALID_OPTION', 'setMany: items must be an array')
    const writes = items.map((it) => {
      if (Array.isArray(it)) return this.#item(it[0], it[1], options, 'setMany')
      if (it === null || typeof it !== 'object')
        throw new CacheError('E_INVALID_OPTION', 'setMany: each item must be [key, value] or { key, value }')
      return this.#item(it.key, it.value, { ...options, ...it }, 'setMany')
    })
    if (writes.length > 0) await writeEntries(this.#ns, writes)
    if (observed(started)) {
      this.#ns.publish('setMany', started, { keys: writes.map((w) => w.key), count: writes.length })
    }
  }

  /** Whether a fresh value exists for `key` in any tier. */
  async has(key: string): Promise<boolean> {
    this.#ns.ctx.assertOpen()
    assertKey(key)
    const started = opStart()
    const found = await lookup(this.#ns, key)
    if (observed(started)) {
      const hit = found !== undefined && !found.stale
      this.#ns.emit('has', key, started, hit ? 'hit' : 'miss', hit ? found.index : undefined)
    }
    return found !== undefined && !found.stale
  }

  /** Removes `key` from every tier; resolves to whether it existed. */
  async delete(key: string): Promise<boolean> {
    this.#ns.ctx.assertOpen()
    assertKey(key)
    const started = performance.now()
    const existed = (await deleteEntries(this.#ns, [key])) > 0
    if (channels.operation.hasSubscribers) this.#ns.emit('delete', key, started)
    return existed
  }

  /** Removes `keys` from every tier; resolves to how many existed. */
  async deleteMany(keys: string[]): Promise<number> {
    this.#ns.ctx.assertOpen()
    if (!Array.isArray(keys))
      throw new CacheError('E_INVALID_KEY', 'deleteMany: keys must be an array of strings')
    keys.forEach(assertKey)
    const started = opStart()
    const count = keys.length === 0 ? 0 : await deleteEntries(this.#ns, keys)
    if (observed(started)) this.#ns.publish('deleteMany', started, { keys: [...keys], count })
    return count
  }

  /** Removes every entry of this namespace (and nothing else) from every tier. */
  async clear(): Promise<void> {
    this.#ns.ctx.assertOpen()
    const started = performance.now()
    await clearEntries(this.#ns)
    if (channels.operation.hasSubscribers) this.#ns.emit('clear', undefined, started)
  }

  /** Removes the entries of this namespace carrying any of `tags`; resolves to how many. */
  async deleteByTag(tags: string | string[]): Promise<number> {
    this.#ns.ctx.assertOpen()
    const list = checkTags(typeof tags === 'string' ? [tags] : tags)
    const started = opStart()
    const count = list.length === 0 ? 0 : await deleteTagged(this.#ns, list)
    if (observed(started)) this.#ns.publish('deleteByTag', started, { tags: [...list], count })
    return count
  }

  #callPolicy(options: GetOrSetOptions | undefined): CallPolicy {
    if (options === undefined) return this.#basePolicy
    if (options === null || typeof options !== 'object')
      throw new CacheError('E_INVALID_OPTION', 'getOrSet: options must be an object')
    const base = resolvePolicy(options, this.#ns.policy, 'getOrSet: ')
    if (options.lock !== undefined && options.lock !== 'local' && options.lock !== 'distributed') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `getOrSet: lock must be 'local' or 'distributed', got ${JSON.stringify(options.lock)}`,
      )
    }
    const distributed = options.lock === 'distributed'
    if (distributed && this.#ns.ctx.lock === undefined) {
      throw new CacheError(
        'E_INVALID_OPTION',
        "getOrSet: lock: 'distributed' needs a `lock` in createCache options (e.g. redisLock())",
      )
    }
    return {
      ...base,
      tags: checkTags(options.tags),
      distributed,
      lockWaitMs:
        options.lockWait === undefined
          ? DEFAULT_LOCK_WAIT_MS
          : parseDuration(options.lockWait, 'getOrSet: lockWait'),
    }
  }

  /**
   * The value of `key`, loading it with `loader` on a miss. The loader runs once per key per process however
   * many callers arrive (and once across processes with `lock: 'distributed'`); its errors are never cached.
   * Within grace a stale value is returned when the loader fails or passes its soft timeout.
   */
  getOrSet<TValue>(key: string, loader: Loader<TValue>, options?: GetOrSetOptions): Promise<TValue> {
    const ns = this.#ns
    let p: CallPolicy
    try {
      ns.ctx.assertOpen()
      assertKey(key)
      if (typeof loader !== 'function')
        throw new CacheError('E_INVALID_OPTION', 'getOrSet: loader must be a function')
      p = this.#callPolicy(options)
    } catch (err) {
      return Promise.reject(err)
    }
    const value = ns.freshL1(key)
    if (value !== undefined) {
      if (channels.operation.hasSubscribers) ns.emit('getOrSet', key, performance.now(), 'hit', 0)
      if (p.earlyRefresh > 0) {
        // The hit path returns a bare value; early refresh needs the entry's times.
        const entry = ns.l1!.getSync(key)
        if (entry !== undefined) {
          maybeRefreshEarly(ns, key, loader, p, { entry, index: 0, stale: false, raw: undefined })
        }
      }
      return Promise.resolve(value as TValue)
    }
    const started = performance.now()
    if (ns.flights.has(key)) {
      // Joins a load already running: served without a loader call of its own, so it counts as a hit.
      ns.counters.hits++
      ns.counters.coalesced++
    }
    const result = ns.flights.run(key, () =>
      loadThrough(ns, key, loader as Loader<unknown>, p),
    ) as Promise<TValue>
    const done = () => {
      ns.counters.getLatency.record(performance.now() - started)
      if (channels.operation.hasSubscribers) ns.emit('getOrSet', key, started)
    }
    result.then(done, done)
    return result
  }

  /**
   * Memoizes `fn` through `getOrSet`. The key is `options.key(...args)`, or by default the function name and
   * the JSON of the arguments.
   */
  wrap<TArgs extends unknown[], TValue>(
    fn: (...args: TArgs) => TValue | Promise<TValue>,
    options?: WrapOptions<TArgs>,
  ): (...args: TArgs) => Promise<TValue> {
    if (typeof fn !== 'function') throw new CacheError('E_INVALID_OPTION', 'wrap: fn must be a function')
    const keyOf = options?.key ?? defaultKey(fn.name || 'fn')
    if (typeof keyOf !== 'function') throw new CacheError('E_INVALID_OPTION', 'wrap: key must be a function')
    const { key: _key, ...rest } = options ?? {}
    // Parse the policy once, so a bad option fails here and not on the first call.
    this.#callPolicy(rest)
    return (...args: TArgs) => this.getOrSet(keyOf(...args), () => fn(...args), rest)
  }

  /**
   * A TypeScript (stage-3) method decorator that memoizes the method through `getOrSet`.
   * ```ts
   * class Forecasts { @cache.namespace('forecast').cached({ ttl: '1h' }) async forProduct(id: string) { … } }
   * ```
   */
  cached<TArgs extends unknown[]>(options?: WrapOptions<TArgs>) {
    const self = this
    const { key: keyOf, ...rest } = options ?? {}
    return function decorate<This, TValue>(
      method: (this: This, ...args: TArgs) => Promise<TValue> | TValue,
      context: ClassMethodDecoratorContext<This, (this: This, ...args: TArgs) => Promise<TValue>>,
    ) {
      const makeKey = keyOf ?? defaultKey(String(context.name))
      return function (this: This, ...args: TArgs): Promise<TValue> {
        return self.getOrSet(makeKey(...args), () => method.apply(this, args), rest)
      }
    }
  }

  /** Counters of this namespace. */
  stats(): NamespaceStats {
    return this.#ns.counters.snapshot()
  }
}

function defaultKey(name: string) {
  return (...args: unknown[]) => `${name}(${args.length === 0 ? '' : JSON.stringify(args)})`
}

export type { Duration }
