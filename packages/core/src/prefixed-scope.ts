import type { LocalScope, LocalTier, StoredEntry } from './contracts.js'
import { deletesByTag, type TagTombstones } from './tag-tombstones.js'

/**
 * The engine's scope over a local tier that does not offer `scope()` (one written against DESIGN.md §2 alone):
 * every call goes to the tier's full-key methods under `namespace:key`.
 */
export class PrefixedScope implements LocalScope {
  readonly #tier: LocalTier
  readonly #prefix: string
  readonly #now: () => number
  readonly #tombstones: TagTombstones | undefined

  /**
   * @param tombstones tag invalidations to enforce on read, for a tier that cannot delete by tag itself
   */
  constructor(tier: LocalTier, namespace: string, now: () => number, tombstones?: TagTombstones) {
    this.#tier = tier
    this.#prefix = `${namespace}:`
    this.#now = now
    this.#tombstones = tombstones
  }

  getFresh(key: string): unknown {
    const entry = this.getSync(key)
    return entry !== undefined && entry.expiresAt > this.#now() ? entry.value : undefined
  }

  getSync(key: string): StoredEntry | undefined {
    const fullKey = this.#prefix + key
    const entry = this.#tier.getSync(fullKey)
    if (entry !== undefined && this.#tombstones?.buried(this.#prefix, entry.tags, entry.createdAt)) {
      this.#tier.deleteSync([fullKey])
      return undefined
    }
    return entry
  }

  put(
    key: string,
    value: unknown,
    createdAt: number,
    expiresAt: number,
    staleUntil: number,
    tags: string[],
  ): void {
    this.#tier.setSync(this.#prefix + key, { value, createdAt, expiresAt, staleUntil, tags })
  }

  deleteSync(keys: string[]): number {
    return this.#tier.deleteSync(keys.map((k) => this.#prefix + k))
  }
}

/**
 * The scope the engine uses for one namespace on one local tier: the tier's own when it offers `scope()`,
 * otherwise a {@link PrefixedScope} with capacity evictions counted through the tier's `evictionListener`
 * (chained: namespaces share tiers).
 */
export function openScope(
  tier: LocalTier,
  namespace: string,
  ttlMs: number,
  now: () => number,
  onCapacityEviction: () => void,
  tombstones?: TagTombstones,
): LocalScope {
  if (typeof tier.scope === 'function') {
    return tier.scope(namespace, {
      ttlMs,
      now,
      onEviction: (reason) => {
        if (reason === 'capacity') onCapacityEviction()
      },
    })
  }
  const prefix = `${namespace}:`
  const previous = tier.evictionListener
  tier.evictionListener = (key, reason) => {
    if (reason === 'capacity' && key.startsWith(prefix)) onCapacityEviction()
    previous?.(key, reason)
  }
  // A tier that cannot delete by tag gets the engine's tag invalidations checked on every read instead.
  const blind = !deletesByTag(tier)
  return new PrefixedScope(tier, namespace, now, blind ? tombstones : undefined)
}
