import type { StoredEntry } from './contracts.js'
import { CacheError, isCacheError } from './errors.js'
import type { NamespaceCore } from './namespace-core.js'
import type { TierHandle } from './tier-handle.js'

/** One entry to write, already validated. */
export interface WriteItem {
  /** The namespace's own key (local tiers are written through the namespace's scope). */
  key: string
  value: unknown
  ttlMs: number
  graceMs: number
  tags: string[]
}

/** The first `E_VALUE_TOO_LARGE` a tier answered a write with (it goes back to the caller). */
interface Refused {
  error?: unknown
}

async function settle(ns: NamespaceCore, jobs: Promise<void>[]): Promise<void> {
  if (jobs.length === 0) return
  const all = Promise.all(jobs).then(() => undefined)
  if (ns.ctx.backgroundRemoteWrites) {
    all.catch(() => {})
    return
  }
  await all
}

function remoteJob(
  ns: NamespaceCore,
  t: TierHandle,
  op: 'set' | 'delete' | 'clear' | 'deleteByTag',
  fn: () => Promise<unknown>,
  onOk?: (r: unknown) => void,
  refused?: Refused,
): Promise<void> {
  if (!t.available) {
    // Skipping a write to a tier whose breaker is open is an error worth counting: that tier now lags.
    t.errors++
    return Promise.resolve().then(() =>
      ns.ctx.tierError(new Error('circuit breaker open'), ns.counters, ns.name, t, op),
    )
  }
  return t.run(op, fn).then(
    (r) => onOk?.(r),
    (err: unknown) => {
      // Too large is the caller's input, not the tier failing: it goes back to the caller (see writeEntries).
      if (refused !== undefined && isCacheError(err, 'E_VALUE_TOO_LARGE')) refused.error ??= err
      else ns.ctx.tierError(err, ns.counters, ns.name, t, op)
    },
  )
}

/**
 * The write path of a namespace with local tiers only: synchronous, no intermediate arrays, so an L1 `set`
 * costs one entry object and the store's own work.
 */
export function writeLocalEntry(ns: NamespaceCore, it: WriteItem): void {
  const now = ns.ctx.now()
  const live = it.ttlMs + it.graceMs > 0
  const expiresAt = now + it.ttlMs
  const staleUntil = expiresAt + it.graceMs
  const createdAt = createdAfterTombstones(ns, it.tags, now)
  const { tiers, locals } = ns
  for (let i = 0; i < tiers.length; i++) {
    if (live) locals[i]!.put(it.key, it.value, createdAt, expiresAt, staleUntil, it.tags)
    else locals[i]!.deleteSync([it.key])
    tiers[i]!.sets++
  }
  ns.counters.sets++
}

/**
 * Write-through. Every value is serialized and encoded before anything is stored, so a value that cannot be
 * serialized fails the call and leaves the cache untouched. Local tiers are written synchronously, remote
 * tiers in parallel (awaited unless `backgroundRemoteWrites`).
 */
export async function writeEntries(ns: NamespaceCore, items: WriteItem[]): Promise<void> {
  const now = ns.ctx.now()
  const fullKeys = ns.hasRemote || ns.hasShared ? items.map((it) => ns.fullKey(it.key)) : []
  const entries: StoredEntry[] = items.map((it) => ({
    value: it.value,
    createdAt: createdAfterTombstones(ns, it.tags, now),
    expiresAt: now + it.ttlMs,
    staleUntil: now + it.ttlMs + it.graceMs,
    tags: it.tags,
  }))
  let envelopes: Uint8Array[] | undefined
  // A zero TTL stores nothing: the value would be expired on arrival; any older value goes.
  const live = items.map((it) => it.ttlMs + it.graceMs > 0)
  if (ns.hasRemote) {
    const serialized = items.map((it) => ns.pipeline.serialize(it.value))
    envelopes = await Promise.all(
      items.map((_, i) => ns.pipeline.encode(fullKeys[i]!, entries[i]!, serialized[i]!)),
    )
    checkEntrySizes(ns, fullKeys, envelopes, live)
  }
  const jobs: Promise<void>[] = []
  const refused: Refused = {}
  for (let ti = 0; ti < ns.tiers.length; ti++) {
    const t = ns.tiers[ti]!
    const local = ns.locals[ti]
    if (local !== undefined) {
      for (let i = 0; i < items.length; i++) {
        const e = entries[i]!
        if (live[i]) local.put(items[i]!.key, e.value, e.createdAt, e.expiresAt, e.staleUntil, e.tags)
        else local.deleteSync([items[i]!.key])
      }
      t.sets += items.length
      continue
    }
    const batch: [string, StoredEntry][] = []
    const doomed: string[] = []
    items.forEach((_, i) => {
      if (live[i]) batch.push([fullKeys[i]!, { ...entries[i]!, value: envelopes![i]! }])
      else doomed.push(fullKeys[i]!)
    })
    if (batch.length === 1) {
      const [key, entry] = batch[0]!
      jobs.push(
        remoteJob(
          ns,
          t,
          'set',
          () => t.tier.set(key, entry),
          () => t.sets++,
          refused,
        ),
      )
    } else if (batch.length > 1) {
      jobs.push(
        remoteJob(
          ns,
          t,
          'set',
          () => t.tier.setMany(batch),
          () => (t.sets += batch.length),
          refused,
        ),
      )
    }
    if (doomed.length > 0) jobs.push(remoteJob(ns, t, 'delete', () => t.tier.delete(doomed)))
  }
  ns.counters.sets += items.length
  if (ns.hasShared) ns.ctx.publish({ type: 'set', keys: fullKeys })
  await settle(ns, jobs)
  if (refused.error !== undefined) {
    // A tier without a declared cap refused the value: no tier may keep serving this key's new (or old) value.
    await deleteEntries(
      ns,
      items.map((it) => it.key),
    ).catch(() => {})
    throw refused.error
  }
}

/**
 * Refuses the whole write, before any tier is touched, when an entry is over a remote tier's declared
 * `maxEntryBytes` (value bytes + key bytes, the measure the tiers use).
 */
function checkEntrySizes(
  ns: NamespaceCore,
  fullKeys: string[],
  envelopes: Uint8Array[],
  live: boolean[],
): void {
  for (const t of ns.tiers) {
    const cap = t.tier.kind === 'remote' ? t.tier.maxEntryBytes : undefined
    if (cap === undefined || !(cap < Number.POSITIVE_INFINITY)) continue
    for (let i = 0; i < envelopes.length; i++) {
      if (!live[i]) continue
      const size = envelopes[i]!.byteLength + Buffer.byteLength(fullKeys[i]!, 'utf8')
      if (size > cap) {
        throw new CacheError(
          'E_VALUE_TOO_LARGE',
          `value for key '${fullKeys[i]}' is ${size} bytes once encoded, over the ${t.name} tier's maxEntryBytes of ${cap}; nothing was written`,
        )
      }
    }
  }
}

/** Deletes keys from every tier of the namespace; resolves to how many existed (the largest count of any tier). */
export async function deleteEntries(ns: NamespaceCore, keys: string[]): Promise<number> {
  let count = 0
  const jobs: Promise<void>[] = []
  const fullKeys = ns.hasRemote || ns.hasShared ? keys.map((k) => ns.fullKey(k)) : []
  for (let ti = 0; ti < ns.tiers.length; ti++) {
    const t = ns.tiers[ti]!
    const local = ns.locals[ti]
    if (local !== undefined) {
      count = Math.max(count, local.deleteSync(keys))
      t.deletes += keys.length
      continue
    }
    jobs.push(
      remoteJob(
        ns,
        t,
        'delete',
        () => t.tier.delete(fullKeys),
        (n) => {
          t.deletes += fullKeys.length
          count = Math.max(count, n as number)
        },
      ),
    )
  }
  ns.counters.deletes += keys.length
  if (ns.hasShared) ns.ctx.publish({ type: 'delete', keys: fullKeys })
  // Deletes are always awaited: a caller that deletes then reads must not see the old value.
  await Promise.all(jobs)
  return count
}

/** Clears the namespace (prefix) in every tier. */
export async function clearEntries(ns: NamespaceCore): Promise<void> {
  const jobs = ns.tiers.map((t) => remoteJob(ns, t, 'clear', () => t.tier.clear(ns.prefix)))
  if (ns.hasShared) ns.ctx.publish({ type: 'clear', prefix: ns.prefix })
  await Promise.all(jobs)
}

/**
 * `createdAt` for a new entry: `now`, or just after the latest tag invalidation it would otherwise fall under
 * (same millisecond), so a value written right after `deleteByTag` is not taken for an invalidated one.
 */
function createdAfterTombstones(ns: NamespaceCore, tags: string[], now: number): number {
  const tombstones = ns.ctx.tombstones
  if (tombstones.size === 0 || tags.length === 0) return now
  return Math.max(now, tombstones.latest(ns.prefix, tags) + 1)
}

/**
 * Deletes tagged entries of the namespace in every tier; resolves to the largest count of any tier. A tier
 * without `deleteByTag` is covered by a tombstone instead (its entries are dropped when read).
 */
export async function deleteTagged(ns: NamespaceCore, tags: string[]): Promise<number> {
  let count = 0
  if (ns.anyTagBlind) ns.ctx.tombstones.record(ns.prefix, tags, ns.ctx.now())
  const jobs = ns.tiers.flatMap((t, i) =>
    ns.tagBlind[i]
      ? []
      : [
          remoteJob(
            ns,
            t,
            'deleteByTag',
            () => t.tier.deleteByTag(tags, ns.prefix),
            (n) => {
              count = Math.max(count, n as number)
            },
          ),
        ],
  )
  if (ns.hasShared) ns.ctx.publish({ type: 'tags', tags, prefix: ns.prefix })
  await Promise.all(jobs)
  return count
}
