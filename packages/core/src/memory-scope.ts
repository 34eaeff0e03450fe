import type { BoundedStore, LocalScope, LocalScopeOptions, StoredEntry } from './contracts.js'
import { LocalEntry } from './local-entry.js'
import { NO_TAGS } from './validate.js'

/**
 * Marks the store keys that are not a bare key of the primary namespace: `NUL + namespace:key`. Keys are
 * strings of any content, so a primary key that itself starts with NUL is stored in this form too.
 */
export const NUL = '\u0000'

/**
 * What every scope of one namespace prefix shares inside one memory tier (two caches may open the same
 * namespace on a shared tier, and must agree on how its keys are stored).
 */
export interface PrefixRecord {
  /** `namespace:` */
  readonly prefix: string
  /** `NUL + namespace:` */
  readonly marked: string
  /** Keys of this namespace are stored bare (the tier's primary namespace). */
  bare: boolean
  /**
   * TTL of the entries of this namespace kept as bare values (their `createdAt` is `expiresAt - rawTtlMs`);
   * `NaN` when this namespace keeps no bare values (then every entry is a `LocalEntry`).
   */
  readonly rawTtlMs: number
  /** Per-cache eviction counters of this namespace. */
  readonly listeners: ((reason: 'capacity' | 'expired') => void)[]
}

/** What a scope needs from its memory tier. Internal. */
export interface ScopeHost {
  readonly store: BoundedStore<unknown>
  /** Makes `record` the primary namespace when the tier holds nothing yet and has no primary. */
  claim(record: PrefixRecord): void
  /** Stores under a store key: size cap, tag index, `set`. `fullKey` names the entry in errors and `sizeOf`. */
  write(local: string, stored: unknown, staleUntil: number, tags: string[], fullKey: () => string): void
  /** Deletes store keys; returns how many were live. */
  remove(locals: string[]): number
  assertOpen(): void
}

/** The entry behind a stored value: the `LocalEntry` itself, or one built from a bare value and its expiry. */
export function entryOf(
  store: BoundedStore<unknown>,
  local: string,
  stored: unknown,
  rawTtlMs: number,
): StoredEntry {
  if (stored instanceof LocalEntry) return stored
  const expiresAt = store.expiresAt?.(local) ?? Number.POSITIVE_INFINITY
  // Without an expiry there is no creation time to derive: 0 says "unknown" (only early refresh reads it,
  // and only for entries that expire).
  const createdAt = Number.isFinite(expiresAt) ? expiresAt - rawTtlMs : 0
  return new LocalEntry(stored, createdAt, expiresAt, expiresAt, NO_TAGS)
}

/** A namespace of a `MemoryTier`, keyed by the namespace's own keys. Built by `MemoryTier.scope()`. */
export class MemoryScope implements LocalScope {
  readonly #host: ScopeHost
  readonly #store: BoundedStore<unknown>
  readonly #record: PrefixRecord
  readonly #now: () => number
  /** This scope may keep bare values (same clock as the store, a store that reports expiry). */
  readonly #raw: boolean

  constructor(host: ScopeHost, record: PrefixRecord, options: LocalScopeOptions, raw: boolean) {
    this.#host = host
    this.#store = host.store
    this.#record = record
    this.#now = options.now
    this.#raw = raw && options.ttlMs === record.rawTtlMs
  }

  #local(key: string): string {
    return this.#record.bare && key.charCodeAt(0) !== 0 ? key : this.#record.marked + key
  }

  getFresh(key: string): unknown {
    const stored = this.#store.get(this.#local(key))
    if (stored instanceof LocalEntry) return stored.expiresAt > this.#now() ? stored.value : undefined
    // A bare value is fresh whenever the store returns it: its expiry is the store's, on the same clock.
    return stored
  }

  getSync(key: string): StoredEntry | undefined {
    const local = this.#local(key)
    const stored = this.#store.get(local)
    if (stored === undefined) return undefined
    return entryOf(this.#store, local, stored, this.#record.rawTtlMs)
  }

  put(
    key: string,
    value: unknown,
    createdAt: number,
    expiresAt: number,
    staleUntil: number,
    tags: string[],
  ): void {
    this.#host.assertOpen()
    const record = this.#record
    if (!record.bare) this.#host.claim(record)
    const bare =
      this.#raw &&
      tags.length === 0 &&
      staleUntil === expiresAt &&
      expiresAt - createdAt === record.rawTtlMs &&
      !(value instanceof LocalEntry)
    const stored = bare ? value : new LocalEntry(value, createdAt, expiresAt, staleUntil, tags)
    this.#host.write(this.#local(key), stored, staleUntil, tags, () => record.prefix + key)
  }

  deleteSync(keys: string[]): number {
    return this.#host.remove(keys.map((k) => this.#local(k)))
  }
}
