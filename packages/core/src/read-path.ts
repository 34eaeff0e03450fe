import type { StoredEntry } from './contracts.js'
import { isCacheError } from './errors.js'
import type { Found, NamespaceCore } from './namespace-core.js'
import type { TierHandle } from './tier-handle.js'

/**
 * Reads `key` through the stack in order. A fresh hit in tier k is backfilled into tiers 0..k-1 with the
 * same absolute times, i.e. its remaining TTL. A stale entry (within grace) is remembered while lower tiers
 * are searched for a fresher copy. Tier failures are reported and skipped.
 */
export async function lookup(ns: NamespaceCore, key: string): Promise<Found | undefined> {
  const { tiers, ctx, locals } = ns
  const now = ctx.now()
  // Remote tiers see `namespace:key`; local tiers are read through the namespace's scope by `key`.
  const fullKey = ns.hasRemote ? ns.fullKey(key) : key
  let stale: Found | undefined
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!
    let entry: StoredEntry | undefined
    let raw: Uint8Array | undefined
    const local = locals[i]
    if (local !== undefined) {
      // Timed here, on the slow path only: the L1 fast path stays clock-free.
      const started = performance.now()
      entry = local.getSync(key)
      t.latency.get.record(performance.now() - started)
    } else {
      if (!t.available) continue
      try {
        const stored = await t.get(fullKey)
        if (stored !== undefined) {
          raw = stored.value as Uint8Array
          const decoded = ns.pipeline.decode(fullKey, raw)
          entry = decoded instanceof Promise ? await decoded : decoded
        }
      } catch (err) {
        undecodable(ns, t, fullKey, err)
        ctx.tierError(err, ns.counters, ns.name, t, 'get')
        continue
      }
      if (entry !== undefined && buried(ns, i, fullKey, entry)) entry = undefined
    }
    if (entry === undefined || entry.staleUntil <= now) {
      t.misses++
      continue
    }
    if (entry.expiresAt > now) {
      const found: Found = { entry, index: i, stale: false, raw }
      if (i > 0) backfill(ns, key, fullKey, found)
      return found
    }
    stale ??= { entry, index: i, stale: true, raw }
  }
  return stale
}

/**
 * `get()` without `allowStale` on a `[local, remote]` stack, after its L1 hit path missed: the same outcome and
 * counters as `lookup()` followed by `get()`'s bookkeeping, in one promise step instead of three async layers
 * (this is the L2 hit path the Redis benchmark measures). Resolves to the fresh value or `undefined`.
 */
export function getFromRemote(ns: NamespaceCore, key: string): Promise<unknown> {
  const { ctx, counters } = ns
  const started = performance.now()
  const now = ctx.now()
  // The L1 hit path already missed; a stale L1 copy cannot answer a get() that does not allow stale values.
  ns.tiers[0]!.misses++
  const t = ns.tiers[1]!
  const miss = (): undefined => {
    counters.getLatency.record(performance.now() - started)
    counters.misses++
    return undefined
  }
  if (!t.available) {
    miss()
    return Promise.resolve(undefined)
  }
  const fullKey = ns.fullKey(key)
  const failed = (err: unknown): undefined => {
    // tierError rethrows under onTierError: 'throw'; then the caller gets the rejection, as from lookup().
    undecodable(ns, t, fullKey, err)
    ctx.tierError(err, counters, ns.name, t, 'get')
    return miss()
  }
  const settle = (entry: StoredEntry | undefined, raw: Uint8Array): unknown => {
    if (entry !== undefined && buried(ns, 1, fullKey, entry)) entry = undefined
    if (entry === undefined || entry.expiresAt <= now) {
      if (entry === undefined || entry.staleUntil <= now) t.misses++
      return miss()
    }
    const found: Found = { entry, index: 1, stale: false, raw }
    backfill(ns, key, fullKey, found)
    counters.getLatency.record(performance.now() - started)
    counters.hits++
    counters.tierHits[1]!++
    return entry.value
  }
  return t.get(fullKey).then((stored) => {
    if (stored === undefined) {
      t.misses++
      return miss()
    }
    const raw = stored.value as Uint8Array
    let decoded: StoredEntry | Promise<StoredEntry>
    try {
      decoded = ns.pipeline.decode(fullKey, raw)
    } catch (err) {
      return failed(err)
    }
    if (decoded instanceof Promise) return decoded.then((entry) => settle(entry, raw), failed)
    return settle(decoded, raw)
  }, failed)
}

/** Batch read: one round trip per tier for the keys still missing. Results in the order of `keys`. */
export async function lookupMany(ns: NamespaceCore, keys: string[]): Promise<(Found | undefined)[]> {
  const { tiers, ctx, locals } = ns
  const now = ctx.now()
  const fullKeys = ns.hasRemote ? keys.map((k) => ns.fullKey(k)) : keys
  const out: (Found | undefined)[] = new Array(fullKeys.length).fill(undefined)
  let pending = fullKeys.map((_, i) => i)
  for (let ti = 0; ti < tiers.length && pending.length > 0; ti++) {
    const t = tiers[ti]!
    let entries: (StoredEntry | undefined)[]
    let raws: (Uint8Array | undefined)[] = []
    const local = locals[ti]
    if (local !== undefined) {
      entries = pending.map((i) => local.getSync(keys[i]!))
    } else {
      if (!t.available) continue
      try {
        const stored = await t.run('getMany', () => t.tier.getMany(pending.map((i) => fullKeys[i]!)))
        raws = stored.map((s) => s?.value as Uint8Array | undefined)
        entries = await Promise.all(
          stored.map(async (s, j) => {
            if (s === undefined) return undefined
            const key = fullKeys[pending[j]!]!
            try {
              const entry = await ns.pipeline.decode(key, s.value as Uint8Array)
              return buried(ns, ti, key, entry) ? undefined : entry
            } catch (err) {
              undecodable(ns, t, key, err)
              ctx.tierError(err, ns.counters, ns.name, t, 'get')
              return undefined
            }
          }),
        )
      } catch (err) {
        ctx.tierError(err, ns.counters, ns.name, t, 'getMany')
        continue
      }
    }
    const still: number[] = []
    pending.forEach((i, j) => {
      const entry = entries[j]
      if (entry === undefined || entry.staleUntil <= now) {
        t.misses++
        still.push(i)
        return
      }
      if (entry.expiresAt > now) {
        const found: Found = { entry, index: ti, stale: false, raw: raws[j] }
        out[i] = found
        if (ti > 0) backfill(ns, keys[i]!, fullKeys[i]!, found)
        return
      }
      out[i] ??= { entry, index: ti, stale: true, raw: raws[j] }
      still.push(i)
    })
    pending = still
  }
  return out
}

/**
 * Whether a remote entry was invalidated by tag in a tier that cannot delete by tag (see `TagTombstones`);
 * such an entry is deleted from that tier as it is found.
 */
function buried(ns: NamespaceCore, index: number, fullKey: string, entry: StoredEntry): boolean {
  if (!ns.tagBlind[index] || !ns.ctx.tombstones.buried(ns.prefix, entry.tags, entry.createdAt)) return false
  const t = ns.tiers[index]!
  t.run('delete', () => t.tier.delete([fullKey])).catch(() => {})
  return true
}

/** An entry a reader cannot decode is deleted from that tier so it stops costing a decode on every read. */
function undecodable(_ns: NamespaceCore, t: TierHandle, fullKey: string, err: unknown): void {
  if (!isCacheError(err, 'E_DECODE')) return
  // Counted against the tier that held the bytes too (the namespace counts it through tierError).
  t.errors++
  t.run('delete', () => t.tier.delete([fullKey])).catch(() => {})
}

/** Writes a found entry into the tiers above the one that answered. Remote backfills do not delay the read. */
function backfill(ns: NamespaceCore, key: string, fullKey: string, found: Found): void {
  const { entry } = found
  for (let i = 0; i < found.index; i++) {
    const t = ns.tiers[i]!
    const local = ns.locals[i]
    if (local !== undefined) {
      try {
        local.put(key, entry.value, entry.createdAt, entry.expiresAt, entry.staleUntil, entry.tags)
      } catch {
        // A value too large for this tier simply is not backfilled there.
      }
      continue
    }
    if (!t.available) continue
    const bytes =
      found.raw === undefined
        ? ns.pipeline.encode(fullKey, entry, ns.pipeline.serialize(entry.value))
        : Promise.resolve(found.raw)
    bytes
      .then((value) => t.run('set', () => t.tier.set(fullKey, { ...entry, value })))
      .catch((err: unknown) => {
        try {
          ns.ctx.tierError(err, ns.counters, ns.name, t, 'backfill')
        } catch {
          // backfill errors are never thrown to the reader
        }
      })
  }
}
