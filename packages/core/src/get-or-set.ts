import { parseDuration } from './duration.js'
import { CacheError } from './errors.js'
import { channels } from './events.js'
import type { Found, NamespaceCore } from './namespace-core.js'
import type { Loader, LoaderContext } from './options.js'
import { lookup } from './read-path.js'
import { TIMED_OUT, withTimeout } from './timeout.js'
import { checkTags, type ResolvedPolicy } from './validate.js'
import { writeEntries } from './write-path.js'

/** A getOrSet call's policy after parsing. */
export interface CallPolicy extends ResolvedPolicy {
  tags: string[]
  distributed: boolean
  lockWaitMs: number
}

/** Counts a hit (stale hits are hits that also count as stale). */
export function countHit(ns: NamespaceCore, found: Found): void {
  ns.counters.hits++
  ns.counters.tierHits[found.index]!++
  if (found.stale) ns.counters.staleHits++
}

/**
 * The miss path of `getOrSet`, run once per key per process (the caller wraps it in single-flight).
 * Order: fresh hit anywhere → join a loader that is still running in the background → distributed lock
 * (if asked) → run the loader under the soft/hard timeouts, falling back to a stale value in grace.
 */
export async function loadThrough(
  ns: NamespaceCore,
  key: string,
  loader: Loader<unknown>,
  p: CallPolicy,
): Promise<unknown> {
  const found = await lookup(ns, key)
  if (found !== undefined && !found.stale) {
    countHit(ns, found)
    maybeRefreshEarly(ns, key, loader, p, found)
    return found.entry.value
  }
  const running = ns.refreshing.get(key)
  if (running !== undefined) {
    if (found !== undefined) {
      countHit(ns, found)
      return found.entry.value
    }
    ns.counters.misses++
    return running
  }
  if (!p.distributed) return runLoader(ns, key, loader, p, found)
  return loadUnderLock(ns, key, loader, p, found)
}

async function loadUnderLock(
  ns: NamespaceCore,
  key: string,
  loader: Loader<unknown>,
  p: CallPolicy,
  stale: Found | undefined,
): Promise<unknown> {
  const lock = ns.ctx.lock
  if (lock === undefined) {
    throw new CacheError(
      'E_INVALID_OPTION',
      "getOrSet: lock: 'distributed' needs a `lock` in createCache options (e.g. redisLock())",
    )
  }
  const ttlMs = Number.isFinite(p.hardMs) ? p.hardMs + 1000 : 30_000
  let handle: Awaited<ReturnType<typeof lock.acquire>>
  try {
    handle = await lock.acquire(ns.fullKey(key), ttlMs, p.lockWaitMs)
  } catch (err) {
    // A lock backend that is down must not take the cache down with it: load without it.
    if (channels.error.hasSubscribers) {
      channels.error.publish({
        cacheId: ns.ctx.id,
        namespace: ns.name,
        op: 'lock',
        error: new CacheError('E_LOCK', 'lock acquire failed', { cause: err }),
      })
    }
    ns.counters.errors++
    handle = undefined
  }
  try {
    // Whoever held the lock before us has probably loaded the value already.
    const again = await lookup(ns, key)
    if (again !== undefined && !again.stale) {
      countHit(ns, again)
      return again.entry.value
    }
    return await runLoader(ns, key, loader, p, again ?? stale)
  } finally {
    handle?.release().catch(() => {})
  }
}

/** Starts the loader and records it as running; resolves to the loaded value (written through) or rejects. */
function startLoader(
  ns: NamespaceCore,
  key: string,
  loader: Loader<unknown>,
  p: CallPolicy,
  stale: Found | undefined,
  controller: AbortController,
): Promise<unknown> {
  let ttlMs = p.ttlMs
  let tags = p.tags
  const ctx: LoaderContext = {
    key,
    stale: stale?.entry.value,
    signal: controller.signal,
    setTtl: (ttl) => {
      ttlMs = parseDuration(ttl, 'setTtl()')
    },
    setTags: (t) => {
      tags = checkTags(t)
    },
  }
  ns.counters.loaderCalls++
  const started = performance.now()
  const loading = (async () => {
    let ok = false
    try {
      const value = await loader(ctx)
      ok = true
      if (value !== undefined) {
        await writeEntries(ns, [{ key, value, ttlMs, graceMs: p.graceMs, tags }])
      }
      return value
    } catch (err) {
      if (!ok) ns.counters.loaderErrors++
      throw err
    } finally {
      const ms = performance.now() - started
      ns.counters.loaderLatency.record(ms)
      if (channels.loader.hasSubscribers) {
        channels.loader.publish({ cacheId: ns.ctx.id, namespace: ns.name, key, durationMs: ms, ok })
      }
    }
  })()
  ns.refreshing.set(key, loading)
  const done = () => {
    if (ns.refreshing.get(key) === loading) ns.refreshing.delete(key)
  }
  loading.then(done, done)
  if (Number.isFinite(p.hardMs)) {
    const timer = setTimeout(
      () =>
        controller.abort(new CacheError('E_LOADER_TIMEOUT', `loader for '${key}' passed its hard timeout`)),
      p.hardMs,
    )
    timer.unref?.()
    loading.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    )
  }
  return loading
}

async function runLoader(
  ns: NamespaceCore,
  key: string,
  loader: Loader<unknown>,
  p: CallPolicy,
  stale: Found | undefined,
): Promise<unknown> {
  const controller = new AbortController()
  const loading = startLoader(ns, key, loader, p, stale, controller)
  const limit = stale !== undefined ? Math.min(p.softMs, p.hardMs) : p.hardMs
  try {
    const result = await withTimeout(loading, limit)
    if (result !== TIMED_OUT) {
      ns.counters.misses++
      return result
    }
  } catch (err) {
    if (stale !== undefined) {
      countHit(ns, stale)
      return stale.entry.value
    }
    ns.counters.misses++
    throw err
  }
  // Timed out: stale-while-revalidate if we can, otherwise the hard timeout error.
  if (stale !== undefined) {
    countHit(ns, stale)
    return stale.entry.value
  }
  ns.counters.misses++
  ns.counters.timeouts++
  throw new CacheError(
    'E_LOADER_TIMEOUT',
    `loader for '${key}' did not finish within ${p.hardMs} ms (it keeps running; its value will be stored if it succeeds)`,
  )
}

/** Early refresh: a hit past `earlyRefresh × ttl` starts one background reload; the caller is not delayed. */
export function maybeRefreshEarly(
  ns: NamespaceCore,
  key: string,
  loader: Loader<unknown>,
  p: CallPolicy,
  found: Found,
): void {
  if (p.earlyRefresh <= 0) return
  const { createdAt, expiresAt } = found.entry
  if (!Number.isFinite(expiresAt) || ns.ctx.now() < createdAt + (expiresAt - createdAt) * p.earlyRefresh)
    return
  if (ns.refreshing.has(key)) return
  startLoader(ns, key, loader, p, found, new AbortController()).catch(() => {})
}
