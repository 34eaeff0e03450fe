import type { Tier } from './contracts.js'

/**
 * Whether `tier` deletes by tag itself. A tier written to DESIGN.md §2 alone has no `deleteByTag`; the engine
 * then enforces tag invalidations on its entries through `TagTombstones`.
 */
export function deletesByTag(tier: Tier): boolean {
  return typeof (tier as Partial<Tier>).deleteByTag === 'function'
}

/** Tag invalidations remembered at most (oldest forgotten first). */
const MAX_TOMBSTONES = 10_000

/**
 * Tag invalidations for tiers that cannot delete by tag (a tier written to DESIGN.md §2 alone has no
 * `deleteByTag`). The engine remembers when each tag was invalidated, per namespace prefix (`''` for the
 * whole cache), and treats an entry from such a tier as gone when it carries one of those tags and was
 * written no later than the invalidation; the read that finds it also deletes it from the tier. Other
 * instances learn the invalidation through the bus, as they do for tiers that delete by tag themselves.
 *
 * Bounded: past 10,000 remembered tags the oldest is forgotten, so an entry of a very old invalidation in
 * such a tier could come back. Tiers with their own `deleteByTag` (every tierstack tier) never need this.
 */
export class TagTombstones {
  /** `prefix + NUL + tag` → epoch ms of the invalidation; insertion order is age order. */
  readonly #at = new Map<string, number>()

  /** Number of remembered invalidations. */
  get size(): number {
    return this.#at.size
  }

  /** Remembers that `tags` were invalidated under `prefix` at `at` (epoch ms). */
  record(prefix: string, tags: readonly string[], at: number): void {
    const map = this.#at
    for (const tag of tags) {
      const id = `${prefix}\0${tag}`
      map.delete(id)
      map.set(id, at)
    }
    while (map.size > MAX_TOMBSTONES) map.delete(map.keys().next().value as string)
  }

  /**
   * The latest invalidation of any of `tags` that applies to namespace prefix `prefix` (its own or a
   * cache-wide one), or -Infinity.
   */
  latest(prefix: string, tags: readonly string[]): number {
    let latest = Number.NEGATIVE_INFINITY
    if (this.#at.size === 0) return latest
    for (const tag of tags) {
      const own = this.#at.get(`${prefix}\0${tag}`)
      if (own !== undefined && own > latest) latest = own
      const all = this.#at.get(`\0${tag}`)
      if (all !== undefined && all > latest) latest = all
    }
    return latest
  }

  /** Whether an entry of namespace `prefix` with `tags`, created at `createdAt`, was invalidated since. */
  buried(prefix: string, tags: readonly string[] | undefined, createdAt: number): boolean {
    return (
      this.#at.size > 0 && tags !== undefined && tags.length > 0 && createdAt <= this.latest(prefix, tags)
    )
  }
}
