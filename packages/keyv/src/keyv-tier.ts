import { performance } from 'node:perf_hooks'
import {
  CacheError,
  entryFromEnvelope,
  envelopeOf,
  type StoredEntry,
  type Tier,
  type TierCapabilities,
  type TierHealth,
} from '@tierstack/core'
import type { Keyv, KeyvEntry } from 'keyv'
import {
  type KeyvTierOptions,
  type ResolvedKeyvTierOptions,
  resolveKeyvTierOptions,
} from './keyv-tier-options.js'
import { decodeTagList, encodeTagList, TAG_KEY_PREFIX, TagLocks } from './tag-index.js'

/** Keys deleted per `deleteMany` call by `clear(prefix)` and `deleteByTag`. */
const DELETE_CHUNK = 500

let warnedThrowOnErrors = false

/** Base64 of the envelope bytes: survives every Keyv serializer and every store (see README, "Why base64"). */
function encodeValue(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** Our own copy of the stored bytes, as a plain `Uint8Array` (a reader may scribble on it). */
function decodeValue(raw: unknown, key: string): Uint8Array {
  if (typeof raw === 'string') {
    const buf = Buffer.from(raw, 'base64')
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  if (raw instanceof Uint8Array) return new Uint8Array(raw)
  throw new CacheError(
    'E_DECODE',
    `keyvTier: the value under ${JSON.stringify(key)} is a ${raw === null ? 'null' : typeof raw}, not the base64 string of an envelope (written by something else?)`,
  )
}

/** Milliseconds until `until` as Keyv wants them (`undefined`: no expiry). */
function ttlUntil(until: number, now: number): number | undefined {
  return Number.isFinite(until) ? Math.max(1, Math.ceil(until - now)) : undefined
}

function keyError(key: unknown): CacheError | undefined {
  if (typeof key === 'string') return undefined
  return new CacheError('E_INVALID_KEY', `keyvTier: keys must be strings, got ${typeof key}`)
}

/**
 * A remote tier on any Keyv store: Redis, SQLite, Postgres, MySQL, Mongo, etcd, a `Map`… through its Keyv
 * storage adapter. It stores the envelope bytes the engine hands it (as base64 strings) with a Keyv TTL at
 * the end of grace (`staleUntil`), and rebuilds entries with `entryFromEnvelope`.
 *
 * - Batches use the adapter's `getMany` / `setMany` / `deleteMany` when it has them.
 * - `clear(prefix)` lists keys with the adapter's `iterator()` (or the Map's keys) and deletes the matching
 *   ones; `clear('')` is the adapter's `clear()`, scoped by Keyv to the tier's namespace.
 * - Tags: one tag list per tag in the store (`#tags:<tag>`), read-modify-write, serialized per tag in this
 *   process but not atomic across processes (see README).
 */
export class KeyvTier implements Tier {
  /** Per key, the last write in flight (see #inKeyOrder). */
  readonly #writing = new Map<string, Promise<unknown>>()
  readonly name: string
  readonly kind = 'remote' as const
  readonly capabilities: TierCapabilities
  /** The Keyv the tier talks to (yours, or the one it built around your store). */
  readonly keyv: Keyv

  readonly #o: ResolvedKeyvTierOptions
  readonly #locks = new TagLocks()
  #closed = false
  #closing: Promise<void> | undefined

  constructor(options: KeyvTierOptions) {
    const o = resolveKeyvTierOptions(options)
    this.#o = o
    this.name = o.name
    this.keyv = o.keyv
    this.capabilities = {
      ttlPrecisionMs: 1,
      tags: true,
      batch: o.batch,
      persistent: o.persistent,
      shared: o.shared,
    }
    if (!o.ownsKeyv && !o.keyv.throwOnErrors && !warnedThrowOnErrors) {
      warnedThrowOnErrors = true
      process.emitWarning(
        `keyvTier(${o.name}): the Keyv passed as store has throwOnErrors off, so Keyv answers a failing store with a miss and the cache cannot count the failure or open its breaker. Create it with new Keyv({ …, throwOnErrors: true }), or pass the store adapter instead.`,
        { code: 'TIERSTACK_KEYV_THROW_ON_ERRORS' },
      )
    }
  }

  /** The key handed to Keyv for a tier key. */
  #sk(key: string): string {
    return this.#o.prefix + key
  }

  #tagKey(tag: string): string {
    return this.#o.prefix + TAG_KEY_PREFIX + tag
  }

  #closedError(): CacheError {
    return new CacheError('E_CLOSED', `keyvTier: the ${this.name} tier is closed`)
  }

  #fail(op: string, err: unknown): CacheError {
    if (err instanceof CacheError) return err
    const message = err instanceof Error ? err.message : String(err)
    return new CacheError('E_TIER_ERROR', `keyvTier(${this.name}): ${op} failed: ${message}`, { cause: err })
  }

  /** Runs a store operation, turning store errors into `E_TIER_ERROR`. */
  async #call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#closedError()
    try {
      return await fn()
    } catch (err) {
      throw this.#fail(op, err)
    }
  }

  /** Raw values of Keyv keys in order: one adapter `getMany` when it has one, else parallel gets. */
  #getRaw(keys: string[]): Promise<unknown[]> {
    if (keys.length === 0) return Promise.resolve([])
    const { keyv, adapter } = this.#o
    // Keyv's own fallback for stores without getMany (Promise.allSettled) would hide store errors.
    if (!(adapter instanceof Map) && typeof adapter.getMany === 'function') return keyv.getMany(keys)
    return Promise.all(keys.map((k) => keyv.get(k)))
  }

  async #setRaw(entries: KeyvEntry[]): Promise<void> {
    const { keyv } = this.#o
    if (entries.length === 0) return
    const ok =
      entries.length === 1
        ? [await keyv.set(entries[0]!.key, entries[0]!.value, entries[0]!.ttl)]
        : await keyv.setMany(entries)
    // A Keyv passed in without throwOnErrors reports a failed write only as `false`.
    if (Array.isArray(ok) && ok.includes(false)) throw new Error('the store did not accept the write')
  }

  async #deleteRaw(keys: string[]): Promise<void> {
    const { keyv } = this.#o
    for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
      const chunk = keys.slice(i, i + DELETE_CHUNK)
      if (chunk.length === 1) await keyv.delete(chunk[0]!)
      else await keyv.deleteMany(chunk)
    }
  }

  /** Decodes a raw value; `undefined` when absent or past `staleUntil`. Throws `E_DECODE` for garbage. */
  #decode(raw: unknown, key: string, now: number): StoredEntry | undefined {
    if (raw === undefined || raw === null) return undefined
    const entry = entryFromEnvelope(decodeValue(raw, key))
    return entry.staleUntil > now ? entry : undefined
  }

  /**
   * Entries of tier keys (deduplicated by the caller if it wants); undecodable ones come back as
   * `'garbage'` so callers can delete them.
   */
  async #read(keys: string[]): Promise<(StoredEntry | undefined | 'garbage')[]> {
    const raws = await this.#getRaw(keys.map((k) => this.#sk(k)))
    const now = Date.now()
    return raws.map((raw, i) => {
      try {
        return this.#decode(raw, keys[i]!, now)
      } catch {
        return 'garbage'
      }
    })
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const err = keyError(key)
    if (err !== undefined) throw err
    const raw = await this.#call('get', () => this.#o.keyv.get(this.#sk(key)))
    // E_DECODE goes to the engine, which counts it and deletes the key.
    return this.#decode(raw, key, Date.now())
  }

  async getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    if (!Array.isArray(keys))
      throw new CacheError('E_INVALID_KEY', 'keyvTier: getMany() needs an array of keys')
    for (const k of keys) {
      const err = keyError(k)
      if (err !== undefined) throw err
    }
    if (keys.length === 0) return []
    const found = await this.#call('getMany', () => this.#read(keys))
    // One unreadable entry must not fail the whole batch: drop it here (the engine cannot tell which it was).
    const garbage = keys.filter((_, i) => found[i] === 'garbage')
    if (garbage.length > 0) {
      await this.#deleteRaw(garbage.map((k) => this.#sk(k))).catch(() => undefined)
    }
    return found.map((e) => (e === 'garbage' ? undefined : e))
  }

  /**
   * Runs a write after every earlier write of the same keys has settled. Keyv adapters may run concurrent
   * writes out of order (@keyv/sqlite does), and the last write of a key must win.
   */
  #inKeyOrder<T>(keys: string[], write: () => Promise<T>): Promise<T> {
    const prior: Promise<unknown>[] = []
    for (const k of keys) {
      const p = this.#writing.get(k)
      if (p !== undefined) prior.push(p)
    }
    const run = prior.length === 0 ? write() : Promise.allSettled(prior).then(write)
    const settled = run.then(
      () => undefined,
      () => undefined,
    )
    for (const k of keys) this.#writing.set(k, settled)
    settled.then(() => {
      for (const k of keys) if (this.#writing.get(k) === settled) this.#writing.delete(k)
    })
    return run
  }

  set(key: string, entry: StoredEntry): Promise<void> {
    return this.setMany([[key, entry]])
  }

  async setMany(items: [string, StoredEntry][]): Promise<void> {
    if (!Array.isArray(items)) throw new CacheError('E_INVALID_OPTION', 'keyvTier: setMany() needs an array')
    // The last item of a key wins, as if the items were written in order.
    const last = new Map<string, StoredEntry>()
    for (const item of items) {
      const [key, entry] = item
      const err = keyError(key)
      if (err !== undefined) throw err
      if (!(entry?.value instanceof Uint8Array)) {
        throw new CacheError(
          'E_INVALID_VALUE',
          `keyvTier: a remote tier stores envelope bytes; the entry for ${JSON.stringify(key)} has a ${typeof entry?.value} value`,
        )
      }
      last.delete(key)
      last.set(key, entry)
    }
    if (last.size === 0) return
    const now = Date.now()
    const live: KeyvEntry[] = []
    const dead: string[] = []
    const tagged: [string, StoredEntry][] = []
    for (const [key, entry] of last) {
      if (!(entry.staleUntil > now)) {
        // Already past its grace: storing it would only hide an older value; remove that instead.
        dead.push(this.#sk(key))
        continue
      }
      live.push({
        key: this.#sk(key),
        // Engine writes are envelopes; bytes stored directly by a caller get a 'raw' envelope for their TTL.
        value: encodeValue(envelopeOf(entry)),
        ttl: ttlUntil(entry.staleUntil, now),
      })
      if (entry.tags.length > 0) tagged.push([key, entry])
    }
    await this.#inKeyOrder([...last.keys()], () =>
      this.#call('set', () => Promise.all([this.#setRaw(live), this.#deleteRaw(dead)])),
    )
    if (tagged.length === 0) return
    // Entries first, then the tag lists: a deleteByTag that finds a key in a list always finds its entry
    // written, so it may drop keys it cannot find from the list.
    try {
      await this.#index(tagged)
    } catch (err) {
      // An entry missing from its tag list would survive deleteByTag: better not to keep it.
      await this.#deleteRaw(tagged.map(([k]) => this.#sk(k))).catch(() => undefined)
      throw this.#fail('set (tag index)', err)
    }
  }

  /** Adds keys to the lists of their tags (read-modify-write under the per-tag lock). */
  #index(tagged: [string, StoredEntry][]): Promise<void> {
    const byTag = new Map<string, Map<string, number>>()
    for (const [key, entry] of tagged) {
      for (const tag of entry.tags) {
        let keys = byTag.get(tag)
        if (keys === undefined) {
          keys = new Map()
          byTag.set(tag, keys)
        }
        keys.set(key, Math.max(keys.get(key) ?? 0, entry.staleUntil))
      }
    }
    const tags = [...byTag.keys()]
    return this.#locks.run(tags, async () => {
      const raws = await this.#getRaw(tags.map((t) => this.#tagKey(t)))
      const now = Date.now()
      const writes = tags.map((tag, i): KeyvEntry => {
        const list = decodeTagList(raws[i])
        const keys = new Set(list.until > now ? list.keys : [])
        let until = list.until > now ? list.until : 0
        for (const [key, staleUntil] of byTag.get(tag)!) {
          keys.add(key)
          if (staleUntil > until) until = staleUntil
        }
        return {
          key: this.#tagKey(tag),
          value: encodeTagList({ keys: [...keys], until }),
          ttl: ttlUntil(until, now),
        }
      })
      await this.#setRaw(writes)
    })
  }

  async delete(keys: string[]): Promise<number> {
    if (!Array.isArray(keys))
      throw new CacheError('E_INVALID_KEY', 'keyvTier: delete() needs an array of keys')
    for (const k of keys) {
      const err = keyError(k)
      if (err !== undefined) throw err
    }
    const unique = [...new Set(keys)]
    if (unique.length === 0) return 0
    return this.#call('delete', async () => {
      // Keyv's delete answers a boolean for the whole batch: read first to count the live entries.
      const found = await this.#read(unique)
      await this.#deleteRaw(unique.map((k) => this.#sk(k)))
      return found.filter((e) => e !== undefined && e !== 'garbage').length
    })
  }

  async clear(prefix: string): Promise<void> {
    if (typeof prefix !== 'string') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `keyvTier: clear() needs a string prefix, got ${typeof prefix}`,
      )
    }
    const { keyv, map, ownsKeyv } = this.#o
    if (prefix === '' && (map === undefined || !ownsKeyv)) {
      await this.#call('clear', () => keyv.clear())
      return
    }
    const keys = await this.#call('clear', () => this.#listKeys(prefix))
    await this.#call('clear', () => this.#deleteRaw(keys))
  }

  /** Keyv keys of every stored key under `prefix` (tier keys), by iterating the store. */
  async #listKeys(prefix: string): Promise<string[]> {
    const { keyv, map, adapter, ownsKeyv, namespace } = this.#o
    const out: string[] = []
    if (ownsKeyv) {
      const start = this.#sk(prefix)
      if (map !== undefined) {
        // Only our namespace: the Map may hold other tiers' keys too.
        for (const k of map.keys()) if (typeof k === 'string' && k.startsWith(start)) out.push(k)
        return out
      }
      const iterate = (adapter as { iterator?: (ns?: string) => AsyncIterable<unknown[]> }).iterator
      if (typeof iterate === 'function') {
        // Collect first, delete after: some adapters page with OFFSET and would skip rows deleted mid-way.
        for await (const row of iterate.call(adapter, namespace)) {
          const k = row[0]
          if (typeof k === 'string' && k.startsWith(start)) out.push(k)
        }
        return out
      }
    } else if (typeof keyv.iterator === 'function') {
      // A Keyv passed in yields its keys without its namespace, i.e. the keys we gave it.
      for await (const row of keyv.iterator(undefined) as AsyncIterable<unknown[]>) {
        const k = row[0]
        if (typeof k === 'string' && k.startsWith(prefix)) out.push(k)
      }
      return out
    }
    throw new CacheError(
      'E_TIER_ERROR',
      `keyvTier(${this.name}): clear(${JSON.stringify(prefix)}) must list the store's keys, but ${adapter.constructor?.name ?? 'the store'} has no iterator(); clear('') (the whole tier) still works. Use an adapter with iterator() (@keyv/redis, @keyv/sqlite, @keyv/postgres, …), or keep this tier out of namespaces you clear.`,
    )
  }

  async deleteByTag(tags: string[], prefix: string): Promise<number> {
    if (!Array.isArray(tags))
      throw new CacheError('E_INVALID_OPTION', 'keyvTier: deleteByTag() needs an array of tags')
    if (typeof prefix !== 'string')
      throw new CacheError('E_INVALID_OPTION', 'keyvTier: deleteByTag() needs a string prefix')
    const wanted = [...new Set(tags)]
    if (wanted.length === 0) return 0
    if (this.#closed) throw this.#closedError()
    const tagSet = new Set(wanted)
    return this.#locks.run(wanted, () =>
      this.#call('deleteByTag', async () => {
        const raws = await this.#getRaw(wanted.map((t) => this.#tagKey(t)))
        const lists = raws.map((raw) => decodeTagList(raw))
        const candidates = new Set<string>()
        for (const list of lists) for (const k of list.keys) if (k.startsWith(prefix)) candidates.add(k)
        if (candidates.size === 0) return 0
        const keys = [...candidates]
        const found = await this.#read(keys)
        const doomed: string[] = []
        let count = 0
        found.forEach((entry, i) => {
          if (entry === 'garbage') doomed.push(this.#sk(keys[i]!))
          else if (entry?.tags.some((t) => tagSet.has(t))) {
            doomed.push(this.#sk(keys[i]!))
            count++
          }
        })
        await this.#deleteRaw(doomed)
        // Every candidate leaves the lists: it was deleted, is gone, or no longer carries any of these tags.
        const now = Date.now()
        const rewrite: KeyvEntry[] = []
        const empty: string[] = []
        wanted.forEach((tag, i) => {
          const list = lists[i]!
          const rest = list.keys.filter((k) => !candidates.has(k))
          if (rest.length === list.keys.length) return
          if (rest.length === 0 || !(list.until > now)) empty.push(this.#tagKey(tag))
          else
            rewrite.push({
              key: this.#tagKey(tag),
              value: encodeTagList({ keys: rest, until: list.until }),
              ttl: ttlUntil(list.until, now),
            })
        })
        await Promise.all([this.#setRaw(rewrite), this.#deleteRaw(empty)])
        return count
      }),
    )
  }

  async health(): Promise<TierHealth> {
    const { namespace, adapter } = this.#o
    const detail: Record<string, unknown> = {
      namespace,
      store: adapter instanceof Map ? 'Map' : (adapter.constructor?.name ?? 'object'),
    }
    const started = performance.now()
    if (this.#closed) return { ok: false, latencyMs: 0, detail: { ...detail, error: 'closed' } }
    try {
      await this.#o.keyv.get(this.#sk('#health'))
      return { ok: true, latencyMs: performance.now() - started, detail }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      return { ok: false, latencyMs: performance.now() - started, detail: { ...detail, error } }
    }
  }

  /** Marks the tier closed; with `disconnect: true` also disconnects the Keyv (and its adapter). Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closed = true
    this.#closing = this.#o.disconnect ? this.#o.keyv.disconnect().then(() => undefined) : Promise.resolve()
    return this.#closing
  }
}

/**
 * A remote tier on any Keyv store.
 *
 * ```ts
 * const cache = createCache({ tiers: [memoryTier(), keyvTier({ store: new KeyvRedis('redis://localhost') })] })
 * ```
 */
export function keyvTier(options: KeyvTierOptions): KeyvTier {
  return new KeyvTier(options)
}
