import diagnostics from 'node:diagnostics_channel'
import type { CacheError } from './errors.js'

/**
 * Events are published on `node:diagnostics_channel` channels. Publishing costs nothing unless someone
 * subscribes (`channel.hasSubscribers` is checked first), so the hot path stays free.
 *
 * ```ts
 * import { channels } from '@tierstack/core'
 * channels.tierOperation.subscribe((e) => console.log(e))
 * ```
 */
export const channelNames = {
  /** Every cache-level read/write: {@link OperationEvent}. */
  operation: 'tierstack:operation',
  /** Every tier call: {@link TierOperationEvent}. */
  tierOperation: 'tierstack:tier-operation',
  /** Every loader run: {@link LoaderEvent}. */
  loader: 'tierstack:loader',
  /** Errors that were reported instead of thrown: {@link ErrorEvent}. */
  error: 'tierstack:error',
  /** Circuit breaker state changes: {@link BreakerEvent}. */
  breaker: 'tierstack:breaker',
  /** Local tier evictions: {@link EvictionEvent}. */
  eviction: 'tierstack:eviction',
  /** Bus messages received and applied: {@link BusEvent}. */
  bus: 'tierstack:bus',
} as const

/** The diagnostics channels (see {@link channelNames}). */
export const channels = {
  operation: diagnostics.channel(channelNames.operation),
  tierOperation: diagnostics.channel(channelNames.tierOperation),
  loader: diagnostics.channel(channelNames.loader),
  error: diagnostics.channel(channelNames.error),
  breaker: diagnostics.channel(channelNames.breaker),
  eviction: diagnostics.channel(channelNames.eviction),
  bus: diagnostics.channel(channelNames.bus),
}

/**
 * A cache-level operation: one event per call of a public `NamespaceCache` method (the cache's own methods act
 * on the `'default'` namespace), published when the call resolves. A call that rejects publishes nothing.
 */
export interface OperationEvent {
  cacheId: string
  /** The namespace; `'*'` for the cache-wide `cache.clear()` and `cache.deleteByTag()`. */
  namespace: string
  op:
    | 'get'
    | 'getMany'
    | 'set'
    | 'setMany'
    | 'has'
    | 'delete'
    | 'deleteMany'
    | 'clear'
    | 'getOrSet'
    | 'deleteByTag'
  /** The key, for single-key operations (`get`, `set`, `has`, `delete`, `getOrSet`). */
  key?: string
  /** The keys in call order, for batch operations (`getMany`, `setMany`, `deleteMany`). */
  keys?: string[]
  /** The tags, for `deleteByTag`. */
  tags?: string[]
  /**
   * For single-key reads (`get`, `has`, a `getOrSet` served from L1): what the caller got. `'stale'` is an entry
   * past its TTL within grace returned because of `allowStale`; one not returned is a `'miss'`.
   */
  outcome?: 'hit' | 'stale' | 'miss'
  /** For `getMany`: the outcome of each key (as for `outcome`), in the order of `keys`. */
  outcomes?: ('hit' | 'stale' | 'miss')[]
  /**
   * For batch operations and `deleteByTag`: values returned (`getMany`: hits, plus stale values with
   * `allowStale`), items written (`setMany`), entries removed (`deleteMany`, `deleteByTag`).
   */
  count?: number
  /** Tier that answered a hit (`get`, `has`, a `getOrSet` served from L1). */
  tier?: string
  /** Wall time of the call, ms. */
  durationMs: number
}

/** One call into a tier. */
export interface TierOperationEvent {
  cacheId: string
  tier: string
  op: 'get' | 'getMany' | 'set' | 'setMany' | 'delete' | 'clear' | 'deleteByTag'
  durationMs: number
  ok: boolean
  timedOut: boolean
}

/** One loader run. */
export interface LoaderEvent {
  cacheId: string
  namespace: string
  key: string
  durationMs: number
  ok: boolean
}

/** An error that was reported (counted) rather than thrown. */
export interface ErrorEvent {
  cacheId: string
  namespace?: string
  tier?: string
  op: string
  error: CacheError
}

/** A circuit breaker changed state. */
export interface BreakerEvent {
  cacheId: string
  tier: string
  state: 'closed' | 'open' | 'half-open'
}

/** An entry left a local tier for lack of room or because it expired. */
export interface EvictionEvent {
  tier: string
  key: string
  reason: 'capacity' | 'expired'
}

/** A bus message was applied. */
export interface BusEvent {
  cacheId: string
  type: string
  source: string
}

/** The optional fields of an operation event. */
export type OperationFields = Pick<
  OperationEvent,
  'key' | 'keys' | 'tags' | 'outcome' | 'outcomes' | 'count' | 'tier'
>

/**
 * Publishes one `tierstack:operation` event that started at `started` (a `performance.now()` reading). Callers
 * check `channels.operation.hasSubscribers` first, so nothing is built when nobody listens. Only the fields
 * given (not `undefined`) are set.
 */
export function publishOperation(
  cacheId: string,
  namespace: string,
  op: OperationEvent['op'],
  started: number,
  fields?: Partial<OperationFields>,
): void {
  const event: OperationEvent = { cacheId, namespace, op, durationMs: performance.now() - started }
  if (fields !== undefined) {
    for (const name of Object.keys(fields) as (keyof OperationFields)[]) {
      if (fields[name] !== undefined) (event as unknown as Record<string, unknown>)[name] = fields[name]
    }
  }
  channels.operation.publish(event)
}

/**
 * Start time of an operation, read only when `tierstack:operation` has subscribers (0 otherwise): unobserved calls
 * pay no clock read. `performance.now()` is never 0 once the process runs, so 0 means "not timed".
 */
export function opStart(): number {
  return channels.operation.hasSubscribers ? performance.now() : 0
}

/** Whether to publish for a call that started at `started`: a subscriber that arrived mid-call gets the next one. */
export function observed(started: number): boolean {
  return started !== 0 && channels.operation.hasSubscribers
}
