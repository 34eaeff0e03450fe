import {
  CacheError,
  type StoredEntry,
  type Tier,
  type TierCapabilities,
  type TierHealth,
} from '@tierstack/core'

/** Options of {@link bytesTier}. */
export interface BytesTierOptions {
  /** Tier name used in namespace `tiers` lists, stats and events. @default 'bytes' */
  name?: string
  /** Clock in epoch ms, injectable for deterministic expiry tests. @default Date.now */
  now?: () => number
}

interface Slot {
  bytes: Uint8Array
  createdAt: number
  expiresAt: number
  staleUntil: number
  tags: string[]
}

const CAPABILITIES: TierCapabilities = {
  ttlPrecisionMs: 1,
  tags: true,
  batch: true,
  persistent: false,
  shared: false,
}
/** Expired slots are swept once every this many writes, so a write-only workload cannot grow without bound. */
const SWEEP_EVERY = 1024

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

/**
 * The reference REMOTE tier: stores envelope bytes in an in-process `Map`, behaving like a network store.
 * Bytes are copied on the way in and on the way out (a caller mutating its buffer never changes what is
 * stored, and a reader never shares memory with the store), entries past `staleUntil` are never returned,
 * and a tag index answers `deleteByTag`. Use it as the remote tier in engine tests, wrapped in
 * `chaosTier` for failure tests.
 */
export class BytesTier implements Tier {
  readonly name: string
  readonly kind = 'remote' as const
  readonly capabilities: TierCapabilities = CAPABILITIES
  readonly #slots = new Map<string, Slot>()
  /** tag → keys carrying it; an entry is indexed while it is stored. */
  readonly #tags = new Map<string, Set<string>>()
  readonly #now: () => number
  #writes = 0
  #closed = false

  constructor(options: BytesTierOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheError('E_INVALID_OPTION', 'bytesTier: options must be an object')
    }
    this.name = options.name ?? 'bytes'
    if (typeof this.name !== 'string' || this.name === '') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `bytesTier: name must be a non-empty string, got ${String(options.name)}`,
      )
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new CacheError('E_INVALID_OPTION', 'bytesTier: now must be a function')
    }
    this.#now = options.now ?? Date.now
  }

  /** Entries physically held (expired ones not yet swept included). */
  get size(): number {
    return this.#slots.size
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    this.#assertOpen()
    return this.#read(key, this.#now())
  }

  async getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    this.#assertOpen()
    const now = this.#now()
    return keys.map((key) => this.#read(key, now))
  }

  async set(key: string, entry: StoredEntry): Promise<void> {
    this.#assertOpen()
    this.#write(key, entry, this.#now())
  }

  async setMany(items: [string, StoredEntry][]): Promise<void> {
    this.#assertOpen()
    const now = this.#now()
    for (const [key, entry] of items) this.#write(key, entry, now)
  }

  async delete(keys: string[]): Promise<number> {
    this.#assertOpen()
    const now = this.#now()
    let n = 0
    for (const key of keys) {
      const slot = this.#slots.get(key)
      if (slot === undefined) continue
      this.#remove(key, slot)
      if (slot.staleUntil > now) n++
    }
    return n
  }

  async clear(prefix: string): Promise<void> {
    this.#assertOpen()
    if (prefix === '') {
      this.#slots.clear()
      this.#tags.clear()
      return
    }
    for (const [key, slot] of this.#slots) if (key.startsWith(prefix)) this.#remove(key, slot)
  }

  async deleteByTag(tags: string[], prefix: string): Promise<number> {
    this.#assertOpen()
    const doomed = new Set<string>()
    for (const tag of tags) {
      for (const key of this.#tags.get(tag) ?? []) if (key.startsWith(prefix)) doomed.add(key)
    }
    const now = this.#now()
    let n = 0
    for (const key of doomed) {
      const slot = this.#slots.get(key)
      if (slot === undefined) continue
      this.#remove(key, slot)
      if (slot.staleUntil > now) n++
    }
    return n
  }

  async health(): Promise<TierHealth> {
    return { ok: !this.#closed, latencyMs: 0, detail: { entries: this.#slots.size } }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#slots.clear()
    this.#tags.clear()
  }

  #read(key: string, now: number): StoredEntry | undefined {
    const slot = this.#slots.get(key)
    if (slot === undefined) return undefined
    if (slot.staleUntil <= now) {
      this.#remove(key, slot)
      return undefined
    }
    return {
      value: copy(slot.bytes),
      createdAt: slot.createdAt,
      expiresAt: slot.expiresAt,
      staleUntil: slot.staleUntil,
      tags: [...slot.tags],
    }
  }

  #write(key: string, entry: StoredEntry, now: number): void {
    if (!(entry.value instanceof Uint8Array)) {
      throw new CacheError(
        'E_INVALID_VALUE',
        `${this.name} tier is a remote tier and stores envelope bytes; got a ${typeof entry.value} for key '${key}'`,
      )
    }
    const old = this.#slots.get(key)
    if (old !== undefined) this.#remove(key, old)
    // Like Redis `SET … PX` with a TTL already elapsed: the write replaces the old value with nothing.
    if (entry.staleUntil <= now) return
    const slot: Slot = {
      bytes: copy(entry.value),
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
      staleUntil: entry.staleUntil,
      tags: [...entry.tags],
    }
    this.#slots.set(key, slot)
    for (const tag of slot.tags) {
      const keys = this.#tags.get(tag)
      if (keys === undefined) this.#tags.set(tag, new Set([key]))
      else keys.add(key)
    }
    if (++this.#writes % SWEEP_EVERY === 0) this.#sweep(now)
  }

  #remove(key: string, slot: Slot): void {
    this.#slots.delete(key)
    for (const tag of slot.tags) {
      const keys = this.#tags.get(tag)
      if (keys === undefined) continue
      keys.delete(key)
      if (keys.size === 0) this.#tags.delete(tag)
    }
  }

  #sweep(now: number): void {
    for (const [key, slot] of this.#slots) if (slot.staleUntil <= now) this.#remove(key, slot)
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheError('E_CLOSED', `${this.name} tier is closed`)
  }
}

/** Creates the reference remote tier. See {@link BytesTierOptions}. */
export function bytesTier(options?: BytesTierOptions): BytesTier {
  return new BytesTier(options)
}
