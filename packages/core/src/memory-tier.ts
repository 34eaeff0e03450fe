import type {
  BoundedStore,
  EvictionStrategy,
  LocalScope,
  LocalScopeOptions,
  LocalTier,
  LocalTierForkOptions,
  LocalTierStats,
  StoredEntry,
  TierCapabilities,
  TierHealth,
} from './contracts.js'
import { type ByteSize, parseBytes } from './duration.js'
import { coarseNow } from './clock.js'
import { CacheError } from './errors.js'
import { channels } from './events.js'
import { referenceStrategy } from './reference-strategy.js'
import { estimateSize } from './size-of.js'
import { LocalEntry } from './local-entry.js'
import { entryOf, MemoryScope, NUL, type PrefixRecord, type ScopeHost } from './memory-scope.js'

/** Options of `memoryTier`. */
export interface MemoryTierOptions {
  /** Tier name used in namespace `tiers` lists and stats. @default 'memory' */
  name?: string
  /** Eviction strategy (e.g. `tinyLfu()` from `@tierstack/strategy-lfu`). @default referenceStrategy() (a Map-based LRU) */
  strategy?: EvictionStrategy
  /** Maximum number of entries. @default 10_000 when `maxBytes` is not set either */
  maxEntries?: number
  /** Maximum total size, bytes or a string like `'100mb'`, measured with `sizeOf`. @default unbounded */
  maxBytes?: ByteSize
  /** Largest single entry, bytes or a string; a bigger value is refused at `set` with `E_VALUE_TOO_LARGE`. @default maxBytes */
  maxEntryBytes?: ByteSize
  /** Size of one value in bytes. @default an estimate of the value's heap footprint (`estimateSize`) */
  sizeOf?: (value: unknown, key: string) => number
  /** Clock in epoch ms (tests). @default a coarse (≤ 1 ms stale) Date.now */
  now?: () => number
}

const CAPABILITIES: TierCapabilities = {
  ttlPrecisionMs: 1,
  tags: true,
  batch: true,
  persistent: false,
  shared: false,
}
const ENTRY_OVERHEAD = 96

/**
 * The in-process tier. It holds live values (no serialization: a hit returns the very object that was
 * stored, so do not mutate cached objects), bounded by any `EvictionStrategy`. Tag lookups use an index
 * that exists only while tagged entries exist.
 *
 * Memory per entry is what the strategy's store costs, plus nothing, for the common entry: the engine opens a
 * {@link LocalScope} per namespace, and the first namespace to write into an empty tier (its *primary*
 * namespace) stores its keys bare — the caller's own key strings, no `namespace:` copy — while the others store
 * `NUL + namespace:key`. An entry without tags or grace, written with its namespace's TTL, is kept as its bare
 * value with the expiry in the store (when the store reports `expiresAt()` and runs on the engine's clock);
 * every other entry is kept as an entry object. The full-key methods (`getSync('ns:key')`, …) see the same
 * entries: a bare value is returned as an entry built on the fly, whose `createdAt` is its expiry minus the
 * namespace TTL (0 when it never expires).
 */
export class MemoryTier implements LocalTier {
  readonly name: string
  readonly kind = 'local' as const
  readonly capabilities = CAPABILITIES
  evictionListener: ((key: string, reason: 'capacity' | 'expired') => void) | undefined
  readonly #options: MemoryTierOptions
  readonly #store: BoundedStore<unknown>
  readonly #maxEntryBytes: number
  readonly #measure: ((value: unknown, local: string, fullKey: () => string) => number) | undefined
  readonly #now: () => number
  /** tag → store keys; only entries written with tags are indexed. */
  readonly #tags = new Map<string, Set<string>>()
  /** `namespace:` → how that namespace's keys are stored. */
  readonly #prefixes = new Map<string, PrefixRecord>()
  /** The namespace whose keys are stored bare, once one has claimed it. */
  #primary: PrefixRecord | undefined
  readonly #host: ScopeHost
  #evictions = 0
  #expirations = 0
  #closed = false

  constructor(options: MemoryTierOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError('E_INVALID_OPTION', 'memoryTier: options must be an object')
    }
    this.#options = options
    this.name = options.name ?? 'memory'
    if (typeof this.name !== 'string' || this.name === '') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `memoryTier: name must be a non-empty string, got ${String(options.name)}`,
      )
    }
    const strategy = options.strategy ?? referenceStrategy()
    if (!strategy || typeof strategy.create !== 'function') {
      throw new CacheError(
        'E_INVALID_OPTION',
        'memoryTier: strategy must be an EvictionStrategy (an object with create())',
      )
    }
    const maxBytes =
      options.maxBytes === undefined ? undefined : parseBytes(options.maxBytes, 'memoryTier: maxBytes')
    if (maxBytes === 0)
      throw new CacheError('E_INVALID_OPTION', 'memoryTier: maxBytes must be greater than 0')
    this.#maxEntryBytes =
      options.maxEntryBytes === undefined
        ? (maxBytes ?? Number.POSITIVE_INFINITY)
        : parseBytes(options.maxEntryBytes, 'memoryTier: maxEntryBytes')
    if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
      throw new CacheError('E_INVALID_OPTION', 'memoryTier: sizeOf must be a function')
    }
    if (
      options.maxEntries !== undefined &&
      (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
    ) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `memoryTier: maxEntries must be a positive integer, got ${options.maxEntries}`,
      )
    }
    const measuring = maxBytes !== undefined || Number.isFinite(this.#maxEntryBytes)
    const userSizeOf = options.sizeOf
    this.#measure = !measuring
      ? undefined
      : userSizeOf === undefined
        ? (value, local) => ENTRY_OVERHEAD + local.length * 2 + estimateSize(value)
        : (value, local, fullKey) => ENTRY_OVERHEAD + local.length * 2 + userSizeOf(value, fullKey())
    this.#now = options.now ?? coarseNow
    const measure = this.#measure
    this.#store = strategy.create<unknown>({
      maxEntries: options.maxEntries ?? (maxBytes === undefined ? 10_000 : undefined),
      maxBytes,
      sizeOf:
        measure &&
        ((stored, local) =>
          measure(stored instanceof LocalEntry ? stored.value : stored, local, () => this.#fullKey(local))),
      now: this.#now,
      onEvict: (local, stored, reason) => {
        if (stored instanceof LocalEntry && stored.tags.length > 0) this.#unindex(local, stored.tags)
        if (reason === 'deleted') return
        if (reason === 'capacity') this.#evictions++
        else this.#expirations++
        const record = this.#recordOf(local)
        if (record !== undefined) for (const count of record.listeners) count(reason)
        if (this.evictionListener !== undefined) this.evictionListener(this.#fullKey(local), reason)
        if (channels.eviction.hasSubscribers) {
          channels.eviction.publish({ tier: this.name, key: this.#fullKey(local), reason })
        }
      },
    })
    this.#host = {
      store: this.#store,
      claim: (record) => {
        if (this.#primary === undefined && this.#store.size === 0) {
          this.#primary = record
          record.bare = true
        }
      },
      write: (local, stored, staleUntil, tags, fullKey) =>
        this.#write(local, stored, staleUntil, tags, fullKey),
      remove: (locals) => this.#remove(locals),
      assertOpen: () => this.#assertOpen(),
    }
  }

  /**
   * A view of `namespace` keyed by its own keys; the engine opens one per namespace. See the class comment for
   * how entries are stored.
   */
  scope(namespace: string, options: LocalScopeOptions): LocalScope {
    const prefix = `${namespace}:`
    const raw = typeof this.#store.expiresAt === 'function' && options.now === this.#now
    let record = this.#prefixes.get(prefix)
    if (record === undefined) {
      record = {
        prefix,
        marked: NUL + prefix,
        bare: false,
        rawTtlMs: raw ? options.ttlMs : Number.NaN,
        listeners: [],
      }
      this.#prefixes.set(prefix, record)
    }
    if (options.onEviction !== undefined) record.listeners.push(options.onEviction)
    return new MemoryScope(this.#host, record, options, raw)
  }

  getSync(key: string): StoredEntry | undefined {
    const local = this.#localKey(key)
    const stored = this.#store.get(local)
    if (stored === undefined) return undefined
    return entryOf(this.#store, local, stored, this.#recordOf(local)?.rawTtlMs ?? 0)
  }

  setSync(key: string, entry: StoredEntry): void {
    this.#assertOpen()
    const stored = new LocalEntry(entry.value, entry.createdAt, entry.expiresAt, entry.staleUntil, entry.tags)
    this.#write(this.#localKey(key), stored, entry.staleUntil, entry.tags, () => key)
  }

  deleteSync(keys: string[]): number {
    return this.#remove(keys.map((k) => this.#localKey(k)))
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    return this.getSync(key)
  }

  async getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    return keys.map((k) => this.getSync(k))
  }

  async set(key: string, entry: StoredEntry): Promise<void> {
    this.setSync(key, entry)
  }

  async setMany(items: [string, StoredEntry][]): Promise<void> {
    for (const [key, entry] of items) this.setSync(key, entry)
  }

  async delete(keys: string[]): Promise<number> {
    return this.deleteSync(keys)
  }

  async clear(prefix: string): Promise<void> {
    if (prefix === '') {
      this.#store.clear()
      this.#tags.clear()
      return
    }
    const doomed: string[] = []
    const primary = this.#primary
    if (primary !== undefined && prefix === primary.prefix) {
      // Every bare key belongs to the primary namespace: no full key to build per entry.
      const marked = NUL + prefix
      for (const local of this.#store.keys()) {
        if (local.charCodeAt(0) !== 0 || local.startsWith(marked)) doomed.push(local)
      }
    } else {
      for (const local of this.#store.keys()) if (this.#fullKey(local).startsWith(prefix)) doomed.push(local)
    }
    this.#remove(doomed)
  }

  async deleteByTag(tags: string[], prefix: string): Promise<number> {
    const doomed = new Set<string>()
    for (const tag of tags) {
      for (const local of this.#tags.get(tag) ?? [])
        if (this.#fullKey(local).startsWith(prefix)) doomed.add(local)
    }
    let n = 0
    const now = this.#now()
    for (const local of doomed) {
      const live = this.#store.peek(local)
      // Only entries with tags are indexed, and those are always entry objects.
      if (this.#store.delete(local) && live instanceof LocalEntry && live.staleUntil > now) n++
    }
    return n
  }

  async health(): Promise<TierHealth> {
    return {
      ok: !this.#closed,
      latencyMs: 0,
      detail: { entries: this.#store.size, bytes: this.#store.bytes },
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#store.clear()
    this.#tags.clear()
  }

  stats(): LocalTierStats {
    return {
      entries: this.#store.size,
      bytes: this.#store.bytes,
      evictions: this.#evictions,
      expirations: this.#expirations,
    }
  }

  fork(options: LocalTierForkOptions): MemoryTier {
    const next: MemoryTierOptions = { ...this.#options }
    if (options.name !== undefined) next.name = options.name
    if (options.strategy !== undefined) next.strategy = options.strategy
    if (options.maxEntries !== undefined) next.maxEntries = options.maxEntries
    if (options.maxBytes !== undefined) {
      next.maxBytes = options.maxBytes
      if (options.maxEntries === undefined) delete next.maxEntries
    }
    return new MemoryTier(next)
  }

  /** The store key of a full key (`namespace:key`, or any string for callers outside the engine). */
  #localKey(fullKey: string): string {
    const primary = this.#primary
    if (primary !== undefined && fullKey.startsWith(primary.prefix)) {
      const rest = fullKey.slice(primary.prefix.length)
      if (rest.charCodeAt(0) !== 0) return rest
    }
    return NUL + fullKey
  }

  /** The full key of a store key (inverse of `#localKey`). */
  #fullKey(local: string): string {
    return local.charCodeAt(0) === 0 ? local.slice(1) : this.#primary!.prefix + local
  }

  /** The namespace a store key belongs to, if any namespace was opened as a scope. */
  #recordOf(local: string): PrefixRecord | undefined {
    if (local.charCodeAt(0) !== 0) return this.#primary
    const colon = local.indexOf(':')
    return colon < 0 ? undefined : this.#prefixes.get(local.slice(1, colon + 1))
  }

  #write(local: string, stored: unknown, staleUntil: number, tags: string[], fullKey: () => string): void {
    if (this.#measure !== undefined) {
      const value = stored instanceof LocalEntry ? stored.value : stored
      const size = this.#measure(value, local, fullKey)
      if (size > this.#maxEntryBytes) {
        throw new CacheError(
          'E_VALUE_TOO_LARGE',
          `value for key '${fullKey()}' is about ${size} bytes, over the ${this.name} tier's maxEntryBytes of ${this.#maxEntryBytes}`,
        )
      }
    }
    if (this.#tags.size > 0) {
      const old = this.#store.peek(local)
      if (old instanceof LocalEntry && old.tags.length > 0) this.#unindex(local, old.tags)
    }
    const ok = this.#store.set(local, stored, staleUntil)
    if (ok && tags.length > 0) {
      for (const tag of tags) {
        const keys = this.#tags.get(tag)
        if (keys === undefined) this.#tags.set(tag, new Set([local]))
        else keys.add(local)
      }
    }
  }

  #remove(locals: string[]): number {
    let n = 0
    for (const local of locals) {
      // peek() drops an expired entry, so only live entries are counted as deleted.
      if (this.#store.peek(local) !== undefined) n++
      this.#store.delete(local)
    }
    return n
  }

  #unindex(local: string, tags: string[]): void {
    for (const tag of tags) {
      const keys = this.#tags.get(tag)
      if (keys === undefined) continue
      keys.delete(local)
      if (keys.size === 0) this.#tags.delete(tag)
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheError('E_CLOSED', `${this.name} tier is closed`)
  }
}

/** Creates the in-process tier. See {@link MemoryTierOptions}. */
export function memoryTier(options?: MemoryTierOptions): MemoryTier {
  return new MemoryTier(options)
}
