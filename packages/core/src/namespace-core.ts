import type { LocalScope, LocalTier, StoredEntry } from './contracts.js'
import { deletesByTag } from './tag-tombstones.js'
import type { EngineContext } from './engine-context.js'
import { type OperationEvent, type OperationFields, publishOperation } from './events.js'
import { openScope } from './prefixed-scope.js'
import { SingleFlight } from './single-flight.js'
import type { NamespaceCounters } from './stats.js'
import type { TierHandle } from './tier-handle.js'
import type { ResolvedPolicy } from './validate.js'
import type { ValuePipeline } from './value-pipeline.js'

/** A live entry found by the read path, and where. */
export interface Found {
  entry: StoredEntry
  /** Position of the tier that answered in the namespace's stack. */
  index: number
  /** Past `expiresAt`, within grace. */
  stale: boolean
  /** Envelope bytes when a remote tier answered (reused for backfill into remote tiers above). */
  raw: Uint8Array | undefined
}

/** Internal state of one namespace, shared by the read path, write path and getOrSet. */
export class NamespaceCore {
  readonly prefix: string
  /** This namespace's scope of each local tier, by position in `tiers` (`undefined` for remote tiers). */
  readonly locals: (LocalScope | undefined)[]
  /** The first tier's scope when it is local: the synchronous L1 hit path. */
  readonly l1: LocalScope | undefined
  readonly hasRemote: boolean
  /** The stack is one local tier over one remote tier: `get()` has a one-step L2 path (`getFromRemote`). */
  readonly localOverRemote: boolean
  readonly hasShared: boolean
  /**
   * Per tier: it has no `deleteByTag` (a DESIGN.md §2 tier), so the engine enforces tag invalidations on its
   * entries itself (`EngineContext.tombstones`).
   */
  readonly tagBlind: boolean[]
  readonly anyTagBlind: boolean
  readonly flights = new SingleFlight<unknown>()
  /** Loaders still running after their caller was answered (soft timeout, early refresh). */
  readonly refreshing = new Map<string, Promise<unknown>>()
  /** Sampling counter for latency: timing every L1 hit would cost more than the hit itself. */
  sample = 0

  constructor(
    readonly name: string,
    readonly ctx: EngineContext,
    readonly tiers: TierHandle[],
    readonly policy: ResolvedPolicy,
    readonly pipeline: ValuePipeline,
    readonly counters: NamespaceCounters,
    /** Local stores created for this namespace only (own strategy or budget). */
    readonly ownLocal: LocalTier[],
  ) {
    this.prefix = `${name}:`
    this.locals = tiers.map((t) =>
      t.local === undefined
        ? undefined
        : openScope(
            t.local,
            name,
            policy.ttlMs,
            ctx.now,
            () => {
              counters.evictions++
            },
            ctx.tombstones,
          ),
    )
    this.tagBlind = tiers.map((t) => !deletesByTag(t.tier))
    this.anyTagBlind = this.tagBlind.includes(true)
    this.l1 = this.locals[0]
    this.localOverRemote = tiers.length === 2 && this.l1 !== undefined && tiers[1]!.kind === 'remote'
    this.hasRemote = tiers.some((t) => t.kind === 'remote')
    // Any remote tier may be read by another instance, so invalidations are published whenever one is in the stack.
    this.hasShared = this.hasRemote
  }

  /**
   * The L1 hit path shared by `get()` and `getOrSet()`: the value of a fresh entry in the first tier, already
   * counted, or `undefined`. One call in 128 is timed and recorded with weight 128: timing every hit would
   * double its cost.
   */
  freshL1(key: string): unknown {
    const l1 = this.l1
    if (l1 === undefined) return undefined
    const sampled = (++this.sample & 127) === 0
    const started = sampled ? performance.now() : 0
    const value = l1.getFresh(key)
    if (value === undefined) return undefined
    if (sampled) this.counters.getLatency.record(performance.now() - started, 128)
    this.counters.hits++
    this.counters.tierHits[0]!++
    return value
  }

  /** Publishes an operation event; callers check `channels.operation.hasSubscribers` first so this costs nothing unobserved. */
  emit(
    op: OperationEvent['op'],
    key: string | undefined,
    started: number,
    outcome?: OperationEvent['outcome'],
    tierIndex?: number,
  ): void {
    this.publish(op, started, {
      key,
      outcome,
      tier: tierIndex === undefined ? undefined : this.tiers[tierIndex]?.name,
    })
  }

  /** Publishes an operation event of this namespace with any fields (batches: keys, outcomes, count; tags). */
  publish(op: OperationEvent['op'], started: number, fields: Partial<OperationFields>): void {
    publishOperation(this.ctx.id, this.name, op, started, fields)
  }

  /**
   * `prefix + key`: the key remote tiers, the bus and the lock see. Local tiers are keyed by `key` itself through
   * the namespace's scopes, so nothing hashes this string in-process and it is not worth remembering.
   */
  fullKey(key: string): string {
    return this.prefix + key
  }
}
