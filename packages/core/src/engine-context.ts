import type { Bus, BusMessage, Lock } from './contracts.js'
import { CacheError } from './errors.js'
import { channels } from './events.js'
import type { NamespaceCounters } from './stats.js'
import { TagTombstones } from './tag-tombstones.js'
import type { TierHandle } from './tier-handle.js'

/** What every namespace of one cache shares. Internal. */
export class EngineContext {
  closed = false
  /** Tag invalidations the engine enforces itself, for tiers without `deleteByTag`. */
  readonly tombstones = new TagTombstones()
  constructor(
    readonly id: string,
    readonly now: () => number,
    readonly bus: Bus | undefined,
    readonly lock: Lock | undefined,
    readonly onTierError: 'report' | 'throw',
    readonly backgroundRemoteWrites: boolean,
  ) {}

  assertOpen(): void {
    if (this.closed) throw new CacheError('E_CLOSED', 'the cache is closed')
  }

  /** Counts and publishes a tier error; rethrows it when the cache is configured to throw. */
  tierError(
    err: unknown,
    counters: NamespaceCounters | undefined,
    namespace: string | undefined,
    tier: TierHandle,
    op: string,
  ): void {
    const error =
      err instanceof CacheError
        ? err
        : new CacheError('E_TIER_ERROR', `${tier.name} tier ${op} failed`, { cause: err })
    if (counters !== undefined) {
      counters.errors++
      if (error.code === 'E_TIER_TIMEOUT') counters.timeouts++
    }
    if (channels.error.hasSubscribers) {
      channels.error.publish({ cacheId: this.id, namespace, tier: tier.name, op, error })
    }
    if (this.onTierError === 'throw' && error.code !== 'E_DECODE') throw error
  }

  /** Publishes an invalidation; a failing bus is reported, never thrown: the local write already happened. */
  publish(
    message: BusMessage extends infer M ? (M extends BusMessage ? Omit<M, 'source'> : never) : never,
  ): void {
    const bus = this.bus
    if (bus === undefined) return
    bus.publish({ ...message, source: this.id } as BusMessage).catch((err: unknown) => {
      if (channels.error.hasSubscribers) {
        channels.error.publish({
          cacheId: this.id,
          op: 'bus.publish',
          error: new CacheError('E_TIER_ERROR', 'bus publish failed', { cause: err }),
        })
      }
    })
  }
}
