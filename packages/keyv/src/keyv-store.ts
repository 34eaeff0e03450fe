import { EventEmitter } from 'node:events'
import {
  CacheError,
  DEFAULT_NAMESPACE,
  type Duration,
  type NamespaceCache,
  parseDuration,
  type SetManyItem,
  type SetOptions,
  type TieredCache,
} from '@tierstack/core'
import type { KeyvStoreAdapter, StoredData } from 'keyv'

/** Options of `keyvStore`. */
export interface KeyvStoreOptions {
  /**
   * TTL of values Keyv writes without one (`keyv.set(key, value)` with no `ttl` option on the Keyv). A duration
   * (`'10m'`, ms, `'infinite'` for Keyv's "never expires"). @default the namespace's `ttl` (`defaults.ttl`, '1h' unless configured)
   */
  ttl?: Duration
  /** Tags added to every value written through this store, so `cache.deleteByTag(tag)` drops them all. @default [] */
  tags?: string[]
}

/** The `opts` a Keyv adapter exposes; Keyv and cache-manager only read them. */
export interface TierstackKeyvStoreOpts {
  /** Always `'tierstack'`. */
  dialect: 'tierstack'
  /** The tierstack namespace the values live in. */
  namespace: string
  /** Default TTL in ms (`undefined`: the namespace's). */
  ttl: number | undefined
  /** Tags added to every value. */
  tags: string[]
}

type Backing = Pick<
  NamespaceCache,
  'name' | 'get' | 'getMany' | 'set' | 'setMany' | 'has' | 'delete' | 'deleteMany' | 'clear'
>

function invalid(message: string): CacheError {
  return new CacheError('E_INVALID_OPTION', `keyvStore: ${message}`)
}

function resolveBacking(cache: unknown): Backing {
  const c = cache as Record<string, unknown> | null
  if (c !== null && typeof c === 'object') {
    // A TieredCache: its methods act on the 'default' namespace, but its clear() clears every namespace.
    if (typeof c.namespace === 'function') return (cache as TieredCache).namespace(DEFAULT_NAMESPACE)
    const methods = ['get', 'getMany', 'set', 'setMany', 'has', 'delete', 'deleteMany', 'clear'] as const
    if (methods.every((m) => typeof c[m] === 'function') && typeof c.name === 'string')
      return cache as Backing
  }
  throw invalid(
    `the first argument must be a TieredCache (createCache()) or a NamespaceCache (cache.namespace(name)), got ${c === null ? 'null' : typeof c}`,
  )
}

/**
 * A Keyv storage adapter backed by a tierstack cache: `new Keyv({ store: keyvStore(cache.namespace('x')) })`,
 * and so cache-manager v7 (`createCache({ stores: [keyv] })`) and NestJS's `CacheModule`.
 *
 * Keyv hands the store what it serialized (a string) or, with `serialize`/`deserialize` disabled, its raw
 * `{ value, expires }` object; both are cached as they are and come back unchanged. Keyv's TTL (ms) becomes
 * the entry's tierstack `ttl`. Keys are used as they come from Keyv (already `keyv:`-prefixed by default).
 *
 * Limits: no `iterator()` (tierstack does not enumerate keys), so `keyv.iterator` is undefined; `clear()` clears
 * the whole tierstack namespace, whatever Keyv namespace is set; `disconnect()` does not close the cache.
 */
export class TierstackKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /** What Keyv and cache-manager may read about the adapter. */
  readonly opts: TierstackKeyvStoreOpts
  /** Set by Keyv to its namespace (keys already carry it as a prefix). */
  namespace?: string | undefined
  /** The tierstack namespace behind the store. */
  readonly cache: Backing

  readonly #ttl: number | undefined
  readonly #tags: string[]

  constructor(cache: TieredCache | NamespaceCache, options: KeyvStoreOptions = {}) {
    super()
    if (options === null || typeof options !== 'object') throw invalid('options must be an object')
    this.cache = resolveBacking(cache)
    let ttl: number | undefined
    if (options.ttl !== undefined) {
      ttl = parseDuration(options.ttl, 'keyvStore: ttl', 'E_INVALID_OPTION')
      if (!(ttl > 0)) throw invalid(`ttl must be greater than 0, got ${JSON.stringify(options.ttl)}`)
    }
    const tags = options.tags ?? []
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
      throw invalid(`tags must be an array of non-empty strings, got ${JSON.stringify(tags)}`)
    }
    this.#ttl = ttl
    this.#tags = [...tags]
    this.opts = { dialect: 'tierstack', namespace: this.cache.name, ttl, tags: this.#tags }
  }

  #options(ttl: unknown): SetOptions | undefined {
    // Keyv passes `undefined` for "no TTL" (it already turned 0 into undefined).
    const ms = typeof ttl === 'number' ? ttl : this.#ttl
    if (ms === undefined && this.#tags.length === 0) return undefined
    const out: SetOptions = {}
    if (ms !== undefined) out.ttl = ms
    if (this.#tags.length > 0) out.tags = this.#tags
    return out
  }

  /** The value Keyv stored under `key`, or `undefined`. */
  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.cache.get<StoredData<Value>>(key)
  }

  /** Values in key order, `undefined` where missing (one batch per tier). */
  getMany<Value>(keys: string[]): Promise<StoredData<Value | undefined>[]> {
    return this.cache.getMany<StoredData<Value>>(keys)
  }

  /** Stores what Keyv serialized; `ttl` in ms (`undefined`: the store's `ttl` option, else the namespace's). */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.cache.set(key, value, this.#options(ttl))
    return true
  }

  /** Stores many values in one batch per tier. */
  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    const items: SetManyItem[] = entries.map(({ key, value, ttl }) => ({ key, value, ...this.#options(ttl) }))
    await this.cache.setMany(items)
  }

  /** Removes `key`; resolves to whether it existed. */
  delete(key: string): Promise<boolean> {
    return this.cache.delete(key)
  }

  /** Removes `keys`; resolves to whether any existed. */
  async deleteMany(keys: string[]): Promise<boolean> {
    return (await this.cache.deleteMany(keys)) > 0
  }

  /** Whether a fresh value exists for `key`. */
  has(key: string): Promise<boolean> {
    return this.cache.has(key)
  }

  /** `has` for each key. */
  hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.cache.has(k)))
  }

  /** Clears the whole tierstack namespace behind the store (every tier, and other instances through the bus). */
  clear(): Promise<void> {
    return this.cache.clear()
  }

  /** Does nothing: the cache belongs to you; close it with `cache.close()`. */
  async disconnect(): Promise<void> {}
}

/**
 * A Keyv storage adapter on a tierstack cache or namespace.
 *
 * ```ts
 * const keyv = new Keyv({ store: keyvStore(cache.namespace('sessions')) })
 * ```
 */
export function keyvStore(
  cache: TieredCache | NamespaceCache,
  options?: KeyvStoreOptions,
): TierstackKeyvStore {
  return new TierstackKeyvStore(cache, options)
}
