/**
 * The extension points of tierstack. Every adapter package implements one of these; nothing else in
 * core is an extension point. Shapes follow DESIGN.md §2.
 */

/**
 * One cached entry as a tier stores it. Times are epoch milliseconds.
 *
 * For a local tier `value` is the live value; for a remote tier it is the complete envelope bytes
 * produced by core (see `encodeEnvelope`), which already carry the times and tags below — the fields are
 * repeated so a remote tier can set its native TTL and tag index without parsing the bytes.
 */
export interface StoredEntry<TValue = unknown> {
  /** The live value (local tiers) or the envelope bytes (remote tiers). */
  value: TValue
  /** When the entry was written, epoch ms. */
  createdAt: number
  /** End of freshness, epoch ms (`Infinity` for no expiry). */
  expiresAt: number
  /** End of grace, epoch ms (`>= expiresAt`). A tier must not return an entry past this time. */
  staleUntil: number
  /** Tags the entry was written with (for `deleteByTag`). */
  tags: string[]
}

/** What `Tier.health()` reports. */
export interface TierHealth {
  /** `true` when the tier answers normally. */
  ok: boolean
  /** Round-trip time of the probe, in milliseconds. */
  latencyMs: number
  /** Backend-specific detail (role, file path, cluster state, error message, …). */
  detail?: Record<string, unknown>
}

/** What a tier can do natively, so the engine and the compliance suite adapt instead of testing names. */
export interface TierCapabilities {
  /** Smallest TTL step the backend honours, in milliseconds (1 for Redis `PX`, SQLite, memory). */
  ttlPrecisionMs: number
  /** The tier implements `deleteByTag` itself. */
  tags: boolean
  /** `getMany` / `setMany` are single round trips (not a loop of single calls). */
  batch: boolean
  /** Entries survive a process restart. */
  persistent: boolean
  /** Other processes see the same entries (Redis, a shared SQLite file). */
  shared: boolean
  /**
   * The tier enforces its own per-call deadline and rejects with `E_TIER_TIMEOUT` (e.g. Redis `commandTimeout`),
   * so the engine does not race each call against a timer of its own. @default false
   */
  timeouts?: boolean
}

/**
 * A storage level of the cache stack. Local tiers hold live values, remote tiers hold envelope bytes.
 * Implementations must not return entries whose `staleUntil` has passed.
 */
export interface Tier {
  /** Unique name inside one cache, used in namespace `tiers: [...]` lists, stats and events. */
  readonly name: string
  /** `'local'`: in-process, live values. `'remote'`: bytes, possibly across the network. */
  readonly kind: 'local' | 'remote'
  /** What the backend can do natively. */
  readonly capabilities: TierCapabilities
  /**
   * Largest entry a remote tier stores, in bytes: the stored value's byte length plus the key's UTF-8 length.
   * The engine checks every remote tier's cap before it writes anything, so a `set` one tier would refuse
   * fails at the call with `E_VALUE_TOO_LARGE` and changes nothing in any tier. Optional; a tier without it
   * can still throw `E_VALUE_TOO_LARGE` from `set`, and the engine then drops the key from the other tiers.
   * @default Infinity
   */
  readonly maxEntryBytes?: number
  /**
   * A lock on this tier's backend, for `getOrSet(…, { lock: 'distributed' })` when `createCache` has no `lock`
   * of its own (`redisTier` offers one on its connection). Optional.
   */
  createLock?(): Lock
  /**
   * An invalidation bus on this tier's backend, used when `createCache` has no `bus` option and the stack has a
   * local tier to keep coherent across instances (`redisTier` offers pub/sub on its server). Optional.
   */
  createBus?(): Bus
  get(key: string): Promise<StoredEntry | undefined>
  /** Entries in the order of `keys`; `undefined` where absent. */
  getMany(keys: string[]): Promise<(StoredEntry | undefined)[]>
  set(key: string, entry: StoredEntry): Promise<void>
  setMany(items: [string, StoredEntry][]): Promise<void>
  /** Deletes the keys; resolves to how many existed. */
  delete(keys: string[]): Promise<number>
  /** Deletes every key that starts with `prefix` (`''`: everything this tier owns — never more). */
  clear(prefix: string): Promise<void>
  /** Deletes every entry under `prefix` that carries at least one of `tags`; resolves to how many. */
  deleteByTag(tags: string[], prefix: string): Promise<number>
  health(): Promise<TierHealth>
  /** Releases what the tier opened (never a client the user passed in). Idempotent. */
  close(): Promise<void>
}

/** Counters a local tier keeps about itself. */
export interface LocalTierStats {
  /** Entries held now. */
  entries: number
  /** Bytes held now, as measured by the tier's size function (0 when no byte budget is set). */
  bytes: number
  /** Entries removed to respect `maxEntries` / `maxBytes` since creation. */
  evictions: number
  /** Entries removed because they expired since creation. */
  expirations: number
}

/** Options a local tier can be re-created with for one namespace (own strategy or own budget). */
export interface LocalTierForkOptions {
  /** Name of the new tier (defaults to the parent's). */
  name?: string
  strategy?: EvictionStrategy
  maxEntries?: number
  maxBytes?: number | string
}

/**
 * An in-process tier. The synchronous twins let the engine answer an L1 hit without an `await`:
 * the L1 hit path is the product's headline number.
 */
export interface LocalTier extends Tier {
  readonly kind: 'local'
  getSync(key: string): StoredEntry | undefined
  setSync(key: string, entry: StoredEntry): void
  deleteSync(keys: string[]): number
  /** Entries, bytes and evictions held by this tier. */
  stats(): LocalTierStats
  /** A new, empty tier of the same kind with some options replaced (per-namespace strategy or budget). */
  fork(options: LocalTierForkOptions): LocalTier
  /** Set by the engine to count evictions per namespace; called for capacity and expiry removals. */
  evictionListener?: ((key: string, reason: 'capacity' | 'expired') => void) | undefined
  /**
   * Optional: a view of one namespace keyed by that namespace's own keys (no `namespace:` prefix), which the
   * engine uses for every local operation when the tier offers it. It lets a tier avoid one prefixed key
   * string per entry, and keep plain values for entries that need no times of their own (see `MemoryTier`).
   * Entries written through a scope are visible through the tier's full-key methods under `namespace:key`
   * and the other way round.
   */
  scope?(namespace: string, options: LocalScopeOptions): LocalScope
}

/** How the engine opens a {@link LocalScope}. */
export interface LocalScopeOptions {
  /**
   * The namespace's TTL in milliseconds (`Infinity` for none). An entry written with exactly this TTL, no grace
   * and no tags may be kept as its plain value: its times follow from its expiry.
   */
  ttlMs: number
  /** The engine's clock (epoch ms). A tier keeps plain values only when its own clock is this very function. */
  now: () => number
  /** Called when an entry of this namespace is evicted for capacity (`'capacity'`) or expiry (`'expired'`). */
  onEviction?: (reason: 'capacity' | 'expired') => void
}

/** One namespace of a local tier, keyed by the namespace's own keys. See `LocalTier.scope`. */
export interface LocalScope {
  /**
   * The value of a fresh entry (`expiresAt` after now), recording the access; `undefined` for a miss, an
   * expired entry or one past its freshness (in grace). The engine's L1 hit path: allocation-free.
   */
  getFresh(key: string): unknown
  /** The entry, fresh or within grace, recording the access; `undefined` when absent or past `staleUntil`. */
  getSync(key: string): StoredEntry | undefined
  /**
   * Stores an entry (times in epoch ms; `staleUntil >= expiresAt`). Throws `E_VALUE_TOO_LARGE` when the value
   * is over the tier's per-entry cap. Takes the fields rather than an entry so a plain value needs no object.
   */
  put(
    key: string,
    value: unknown,
    createdAt: number,
    expiresAt: number,
    staleUntil: number,
    tags: string[],
  ): void
  /** Deletes the keys; returns how many were live. */
  deleteSync(keys: string[]): number
}

/** Why an entry left a bounded store. */
export type EvictionReason = 'capacity' | 'expired' | 'deleted'

/** Options every eviction strategy understands. */
export interface BoundedStoreOptions<TValue> {
  /** Hard cap on entries. At least one of `maxEntries` / `maxBytes` is required. */
  maxEntries?: number
  /** Hard cap on the sum of `sizeOf` over all entries, in bytes. */
  maxBytes?: number
  /**
   * Size of one entry in bytes (used only with `maxBytes`).
   * @default the key's length × 2 plus `estimateSize(value)` (a rough in-memory estimate)
   */
  sizeOf?(value: TValue, key: string): number
  /** Called when an entry leaves the store for any reason other than being overwritten by `set` or `clear()`. */
  onEvict?(key: string, value: TValue, reason: EvictionReason): void
  /** Clock in epoch ms, injectable for deterministic tests. @default Date.now */
  now?(): number
}

/**
 * A bounded in-process map. After `set` returns, `size <= maxEntries` and `bytes <= maxBytes` hold.
 * Hot path is synchronous and allocation-free where possible.
 *
 * Rules every strategy follows (checked by `strategyComplianceSuite`): `set()` into a store with room, or
 * overwriting a key that fits, returns `true`; `onEvict` fires synchronously inside the call that causes it;
 * a key refused by admission never triggers `onEvict`; `get()` of an expired entry reclaims it with reason
 * `'expired'`; `delete()` of an expired entry returns `false`.
 */
export interface BoundedStore<TValue> {
  /** Returns the value and records the access (recency / frequency). Expired entries are absent. */
  get(key: string): TValue | undefined
  /** Returns the value without recording an access. */
  peek(key: string): TValue | undefined
  /**
   * Inserts or replaces. `expiresAt` (epoch ms) makes the entry absent from that time on.
   * Returns `false` when the entry was not stored (e.g. larger than `maxBytes`, or rejected by admission).
   */
  set(key: string, value: TValue, expiresAt?: number): boolean
  delete(key: string): boolean
  has(key: string): boolean
  clear(): void
  readonly size: number
  readonly bytes: number
  keys(): IterableIterator<string>
  /**
   * Optional: the `expiresAt` given to `set` for a live entry (`Infinity` when none was given), or `undefined`
   * when the key is absent or expired. Does not record an access and reclaims nothing (an expired entry is left
   * for `get()`, `peek()` or the store's own sweeps). A store that offers it lets the memory tier
   * keep plain values instead of one entry object per key (see `MemoryTier`).
   */
  expiresAt?(key: string): number | undefined
}

/** Builds bounded stores. One strategy object can build many stores. */
export interface EvictionStrategy {
  /** Short name for stats and docs: `'lru'`, `'tinylfu'`, … */
  readonly name: string
  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue>
}

/** Turns values into bytes for remote tiers. */
export interface Serializer {
  /** Recorded in every envelope so a reader knows how to decode; keep it stable. */
  readonly id: string
  /** Throws `CacheError` `E_SERIALIZE` for a value it cannot represent. */
  serialize(value: unknown): Uint8Array
  /** Throws `CacheError` `E_DECODE` for bytes it cannot read. */
  deserialize(bytes: Uint8Array): unknown
}

/** Per-entry context handed to a codec. */
export interface CodecContext {
  /** The full cache key (`namespace:key`); AES binds it as associated data. */
  readonly key: string
  /**
   * A short per-entry parameter the codec sets in `encode` and reads back in `decode`; it is stored in the
   * envelope next to the codec id (the AES key id, for instance). At most 255 bytes of UTF-8.
   */
  param: string
  /**
   * Set to `true` in `encode` when the codec did not transform the payload (below `minBytes`, did not shrink):
   * the engine then keeps the input, records no codec and does not call `decode`. The output still decodes on
   * its own, with a fresh context or none (checked by `codecComplianceSuite`).
   */
  skipped: boolean
}

/** A byte-to-byte transformation (compression, encryption) applied after serialization. */
export interface Codec {
  /** Recorded in every envelope; keep it stable. */
  readonly id: string
  /**
   * What the codec is for: a namespace's `compress` / `encrypt` options pick codecs by kind.
   * Codecs without a kind are always applied. Order is serialize → compression → encryption.
   */
  readonly kind?: 'compression' | 'encryption'
  encode(bytes: Uint8Array, ctx: CodecContext): Uint8Array | Promise<Uint8Array>
  /** Throws `CacheError` `E_DECODE` for bytes it cannot read. */
  decode(bytes: Uint8Array, ctx: CodecContext): Uint8Array | Promise<Uint8Array>
}

/**
 * An invalidation message between cache instances. It carries keys, never values. `source` is the id of the
 * instance that published it; an instance ignores its own messages.
 */
export type BusMessage =
  | { type: 'set' | 'delete'; source: string; keys: string[] }
  | { type: 'clear'; source: string; prefix: string }
  | { type: 'tags'; source: string; tags: string[]; prefix: string }
  /** Delivered locally by a bus after it reconnected: messages may have been lost, flush local tiers. */
  | { type: 'reset'; source: string }

/** Carries invalidations between instances that share remote tiers. */
export interface Bus {
  publish(message: BusMessage): Promise<void>
  subscribe(handler: (message: BusMessage) => void): Promise<void>
  close(): Promise<void>
}

/** A held lock. */
export interface LockHandle {
  /** Releases the lock if this holder still owns it. */
  release(): Promise<void>
  /** Extends the lock if this holder still owns it; resolves to whether it did. */
  extend(ttlMs: number): Promise<boolean>
}

/** A lock shared by every process of the application (`getOrSet(…, { lock: 'distributed' })`). */
export interface Lock {
  /**
   * Tries to take the lock on `key` for `ttlMs`, retrying for up to `waitMs`.
   * Resolves to a handle, or `undefined` when it could not be taken in time.
   */
  acquire(key: string, ttlMs: number, waitMs: number): Promise<LockHandle | undefined>
  close?(): Promise<void>
}
