import type { CacheHealth, CacheStats, GetOrSetOptions, Loader } from '@tierstack/core'

/** The part of a namespace handle the admin API uses. */
export interface AdminNamespace {
  clear(): Promise<void>
  getOrSet<TValue>(key: string, loader: Loader<TValue>, options?: GetOrSetOptions): Promise<TValue>
}

/**
 * The part of a `TieredCache` the admin API uses. A `TieredCache` satisfies it; any object of this shape
 * works too (a facade over several caches, for instance).
 */
export interface AdminCache {
  /** Id of the cache instance (shown by `/status`). */
  readonly id: string
  stats(): CacheStats
  health(): Promise<CacheHealth>
  /** Clears every namespace. */
  clear(): Promise<void>
  namespace(name: string): AdminNamespace
  /** Deletes every entry carrying the tag, in every tier; resolves to how many. */
  deleteByTag(tag: string): Promise<number>
}
