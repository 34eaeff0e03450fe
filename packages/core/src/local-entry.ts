import type { StoredEntry } from './contracts.js'

/**
 * An entry the memory tier keeps as an object: one with tags, grace, its own TTL, or written through the
 * full-key methods. Entries that need none of that are kept as their bare value (see `MemoryTier`), so the
 * tier tells the two apart with `instanceof`, which user values can never pass: this class is not exported.
 */
export class LocalEntry implements StoredEntry {
  constructor(
    public value: unknown,
    public createdAt: number,
    public expiresAt: number,
    public staleUntil: number,
    public tags: string[],
  ) {}
}
