import type {
  BoundedStore,
  EvictionStrategy,
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
 */
export class MemoryTier implements LocalTier {
  readonly name: string
  readonly kind = 'local' as const
  readonly capabilities = CAPABILITIES
  evictionListener: ((key: string, reason: 'capacity' | 'expired') => void) | undefined
  readonly #options: MemoryTierOptions
  readonly #store: BoundedStore<StoredEntry>
  readonly #maxEntryBytes: number
  readonly #sizeOf: ((value: unknown, key: string) => number) | undefined
  readonly #now: () => number
  /** tag → keys; only entries written with tags are indexed. */
  readonly #tags = new Map<string, Set<string>>()
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
    const userSizeOf = options.sizeOf ?? estimateSize
    this.#sizeOf = measuring
      ? (value, key) => ENTRY_OVERHEAD + key.length * 2 + userSizeOf(value, key)
      : undefined
    this.#now = options.now ?? coarseNow
    const sizeOf = this.#sizeOf
    this.#store = strategy.create<StoredEntry>({
      maxEntries: options.maxEntries ?? (maxBytes === undefined ? 10_000 : undefined),
      maxBytes,
      sizeOf: sizeOf && ((entry, key) => sizeOf(entry.value, key)),
      now: this.#now,
      onEvict: (key, entry, reason) => {
        if (entry.tags.length > 0) this.#unindex(key, entry.tags)
        if (reason === 'deleted') return
        if (reason === 'capacity') this.#evictions++
        else this.#expirations++
        this.evictionListener?.(key, reason)
        if (channels.eviction.hasSubscribers) channels.eviction.publish({ tier: this.name, key, reason })
      },
    })
  }

  getSync(key: string): StoredEntry | undefined {
    return this.#store.get(key)
  }

  setSync(key: string, entry: StoredEntry): void {
    this.#assertOpen()
    if (this.#sizeOf !== undefined) {
      const size = this.#sizeOf(entry.value, key)
      if (size > this.#maxEntryBytes) {
        throw new CacheError(
          'E_VALUE_TOO_LARGE',
          `value for key '${key}' is about ${size} bytes, over the ${this.name} tier's maxEntryBytes of ${this.#maxEntryBytes}`,
        )
      }
    }
    const old = this.#tags.size > 0 ? this.#store.peek(key) : undefined
    if (old !== undefined && old.tags.length > 0) this.#unindex(key, old.tags)
    const stored = this.#store.set(key, entry, entry.staleUntil)
    if (stored && entry.tags.length > 0) {
      for (const tag of entry.tags) {
        const keys = this.#tags.get(tag)
        if (keys === undefined) this.#tags.set(tag, new Set([key]))
        else keys.add(key)
      }
    }
  }

  deleteSync(keys: string[]): number {
    let n = 0
    for (const key of keys) {
      // peek() drops an expired entry, so only live entries are counted as deleted.
      if (this.#store.peek(key) !== undefined) n++
      this.#store.delete(key)
    }
    return n
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
    for (const key of this.#store.keys()) if (key.startsWith(prefix)) doomed.push(key)
    this.deleteSync(doomed)
  }

  async deleteByTag(tags: string[], prefix: string): Promise<number> {
    const doomed = new Set<string>()
    for (const tag of tags) {
      for (const key of this.#tags.get(tag) ?? []) if (key.startsWith(prefix)) doomed.add(key)
    }
    let n = 0
    const now = this.#now()
    for (const key of doomed) {
      const live = this.#store.peek(key)
      if (this.#store.delete(key) && live !== undefined && live.staleUntil > now) n++
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

  #unindex(key: string, tags: string[]): void {
    for (const tag of tags) {
      const keys = this.#tags.get(tag)
      if (keys === undefined) continue
      keys.delete(key)
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
