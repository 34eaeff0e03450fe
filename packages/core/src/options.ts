import type { Bus, Codec, EvictionStrategy, Lock, Serializer, Tier } from './contracts.js'
import type { ByteSize, Duration } from './duration.js'

/** Loader timeouts for `getOrSet`. */
export interface LoaderTimeouts {
  /**
   * With a stale value in grace: after this long, answer with the stale value and let the loader finish in
   * the background. Without a stale value it has no effect. @default undefined (wait for the loader)
   */
  soft?: Duration
  /** Give up on the loader after this long: `getOrSet` rejects with `E_LOADER_TIMEOUT` (or serves stale in grace). The loader keeps running and, if it succeeds, its value is stored. @default undefined (no limit) */
  hard?: Duration
}

/** Policy shared by `defaults`, namespaces and single calls. */
export interface EntryPolicy {
  /** Freshness. @default '1h' */
  ttl?: Duration
  /** How long past `ttl` a stale entry may still be served when the loader fails or is slow (stale-if-error / stale-while-revalidate). @default 0 */
  grace?: Duration
  /** Loader timeouts for `getOrSet`. @default {} */
  timeout?: LoaderTimeouts
  /**
   * Early refresh: a fraction of the TTL (0 < x < 1) after which a `getOrSet` hit triggers a background reload
   * so hot keys never expire. @default undefined (off)
   */
  earlyRefresh?: number
}

/** Options of one namespace (all optional; unset fields fall back to `defaults`). */
export interface NamespaceOptions extends EntryPolicy {
  /** Names of the tiers this namespace uses, in read order. @default every tier of the cache */
  tiers?: string[]
  /** A namespace-specific eviction strategy: the namespace gets its own local store. @default the tier's strategy */
  strategy?: EvictionStrategy
  /** A namespace-specific memory budget (own local store). @default shared with the tier */
  maxBytes?: ByteSize
  /** A namespace-specific entry cap (own local store). @default shared with the tier */
  maxEntries?: number
  /** `true`: the cache's compression codec; a `Codec`: that codec; `false`: none. @default true when `codecs` holds a compression codec */
  compress?: boolean | Codec
  /** `true`: the cache's encryption codec; a `Codec`: that codec; `false`: none. @default true when `codecs` holds an encryption codec */
  encrypt?: boolean | Codec
  /** Serializer for remote tiers. @default the cache's serializer */
  serializer?: Serializer
  /** Estimated cost of one miss (any unit, e.g. dollars or ms); `stats()` reports `hits × costPerMiss` as cost saved. @default 0 */
  costPerMiss?: number
}

/** Options of `createCache`. */
export interface CacheOptions {
  /** The stack, read in this order (e.g. memory → redis → sqlite). At least one. */
  tiers: Tier[]
  /** Serializer for remote tiers. @default jsonSerializer() */
  serializer?: Serializer
  /** Codecs applied after serialization (compression, then encryption). @default [] */
  codecs?: Codec[]
  /** Extra codecs that may appear in stored entries but are no longer written (e.g. after switching gzip → lz4). @default [] */
  decoders?: Codec[]
  /** Policy for every namespace. */
  defaults?: NamespaceOptions
  /** Named namespaces with their own policy. Other names can still be used and get `defaults`. */
  namespaces?: Record<string, NamespaceOptions>
  /**
   * Invalidation bus between instances (e.g. `redisBus()`); `false` for none.
   * @default when the stack has a local tier: the first tier's that offers one (`createBus()`: `redisTier` does,
   * pub/sub on its server), else none
   */
  bus?: Bus | false
  /**
   * Distributed lock for `getOrSet(…, { lock: 'distributed' })` (e.g. `redisLock()`).
   * @default the first tier's that offers one (`createLock()`: `redisTier` does, on its own connection), else none
   */
  lock?: Lock
  /** Per-operation timeout for remote tiers. @default '1s' */
  tierTimeout?: Duration
  /** Circuit breaker for remote tiers. */
  breaker?: BreakerOptions
  /** `'report'`: errors of remote tiers are counted and published as events, `get` answers from the other tiers. `'throw'`: they are thrown. @default 'report' */
  onTierError?: 'report' | 'throw'
  /** Remote writes do not delay `set`: they run in the background and failures are reported. @default false */
  backgroundRemoteWrites?: boolean
  /** Id of this instance on the bus. @default a random id */
  instanceId?: string
  /** Clock in epoch ms (tests). @default a coarse (≤ 1 ms stale) Date.now */
  now?: () => number
}

/** Circuit breaker options. */
export interface BreakerOptions {
  /** Consecutive failures (errors or timeouts) that open the breaker. @default 5 */
  failureThreshold?: number
  /** How long an open breaker skips the tier before letting one probe through. @default '5s' */
  resetAfter?: Duration
}

/** Options of `set`. */
export interface SetOptions {
  /** @default the namespace ttl */
  ttl?: Duration
  /** @default the namespace grace */
  grace?: Duration
  /** Tags for `deleteByTag`. @default [] */
  tags?: string[]
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends SetOptions {
  timeout?: LoaderTimeouts
  /** Early refresh fraction of the TTL. @default the namespace setting */
  earlyRefresh?: number
  /** `'local'`: once per key per process (always on). `'distributed'`: once per key across processes (needs `lock`). @default 'local' */
  lock?: 'local' | 'distributed'
  /** How long to wait for the distributed lock before running the loader anyway. @default '5s' */
  lockWait?: Duration
}

/** What a loader receives. */
export interface LoaderContext {
  /** The key being loaded (without namespace). */
  key: string
  /** The stale value in grace, if any. */
  stale: unknown
  /** Aborted when the hard timeout fires. */
  signal: AbortSignal
  /** Override the TTL of this one result. */
  setTtl(ttl: Duration): void
  /** Set the tags of this one result. */
  setTags(tags: string[]): void
}

/** A loader for `getOrSet`. */
export type Loader<TValue> = (ctx: LoaderContext) => TValue | Promise<TValue>

/** Options of `wrap`. */
export interface WrapOptions<TArgs extends unknown[]> extends GetOrSetOptions {
  /** Builds the cache key from the arguments. @default JSON of the arguments prefixed with the function name */
  key?: (...args: TArgs) => string
}

/** p50 / p99 etc. in milliseconds, computed from a log-bucketed histogram. */
export interface LatencySummary {
  count: number
  /** Mean, ms. */
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Counters of one namespace (or of the whole cache). */
export interface NamespaceStats {
  hits: number
  misses: number
  staleHits: number
  sets: number
  deletes: number
  evictions: number
  /** Tier failures reported for this namespace: timeouts included, and also undecodable entries and writes skipped by an open breaker. */
  errors: number
  /** Of `errors`, those that were tier timeouts (`E_TIER_TIMEOUT`). */
  timeouts: number
  loaderCalls: number
  loaderErrors: number
  /** `getOrSet` callers that joined a load already running for their key (counted as hits: they caused no loader call). */
  coalesced: number
  /** hits / (hits + misses), 0 when no reads. Stale hits count as hits. */
  hitRatio: number
  /** hits × costPerMiss. */
  costSaved: number
  /** Hits per tier name. */
  hitsByTier: Record<string, number>
  /** Latency of `get`/`getOrSet` as seen by callers (L1 hits sampled: 1 in 128 timed, recorded with weight 128), and of loaders. */
  latency: { get: LatencySummary; loader: LatencySummary }
}

/** Counters of one tier. */
export interface TierStats {
  name: string
  kind: 'local' | 'remote'
  hits: number
  misses: number
  sets: number
  deletes: number
  /** Calls to this tier that failed (timeouts included), entries of it that could not be decoded, and writes to it skipped by an open breaker — as in the namespace counters. */
  errors: number
  /** Of `errors`, calls that timed out (the engine's `tierTimeout`, or the tier's own `E_TIER_TIMEOUT`). */
  timeouts: number
  evictions: number
  /** Local tiers: entries held (summed over namespace-specific stores). */
  entries?: number
  /** Local tiers: bytes held. */
  bytes?: number
  /** Remote tiers: circuit breaker state. */
  breaker: 'closed' | 'open' | 'half-open'
  /** Per-operation latency, ms. */
  latency: Record<'get' | 'set' | 'delete', LatencySummary>
}

/** What `stats()` returns: the totals at the top level (and again under `totals`), then per namespace and tier. */
export interface CacheStats extends NamespaceStats {
  /** Sum over namespaces. */
  totals: NamespaceStats
  namespaces: Record<string, NamespaceStats>
  tiers: Record<string, TierStats>
}

/** What `health()` returns. */
export interface CacheHealth {
  /** `true` when every tier is ok. */
  ok: boolean
  tiers: Record<
    string,
    import('./contracts.js').TierHealth & {
      breaker: 'closed' | 'open' | 'half-open'
      kind: 'local' | 'remote'
    }
  >
}
