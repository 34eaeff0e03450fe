import { loadStrategy } from './strategies.js'

/**
 * One cache under benchmark, reduced to the calls the workloads make. Results may be values or promises: the
 * workloads await every call, as an application would.
 */
export interface CacheSubject {
  /** Row label, e.g. `tierstack (tinylfu)`, `lru-cache`, `bentocache`. */
  readonly name: string
  get(key: string): unknown
  set(key: string, value: unknown): unknown
  close(): Promise<void>
  /** Wraps the initial fill (not measured) in one transaction, where a subject would otherwise fsync each write. */
  bulk?(fill: () => Promise<void>): Promise<void>
}

/** A {@link CacheSubject} with read-through, for the in-memory workloads. */
export interface Subject extends CacheSubject {
  /** Read-through: the value of `key`, calling `loader` once on a miss (single-flight where the library offers it). */
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>
}

/** Writes `valueFor(i)` under `keys[i]` for every key, 256 sets in flight at a time, inside `subject.bulk` if any. */
export async function populate(
  subject: CacheSubject,
  keys: readonly string[],
  valueFor: (i: number) => unknown,
): Promise<void> {
  const fill = async () => {
    for (let start = 0; start < keys.length; start += 256) {
      await Promise.all(keys.slice(start, start + 256).map((k, j) => subject.set(k, valueFor(start + j))))
    }
  }
  await (subject.bulk ? subject.bulk(fill) : fill())
}

/**
 * Builds the subjects one after another, calling `prepare` on each (populate, warm up), then runs `body` on
 * them all; every subject built is closed afterwards, whatever happens (errors while closing are ignored).
 */
export async function usingSubjects<TSubject extends CacheSubject>(
  factories: readonly (() => Promise<TSubject>)[],
  prepare: (subject: TSubject) => Promise<void>,
  body: (subjects: TSubject[]) => Promise<void>,
): Promise<void> {
  const built: TSubject[] = []
  try {
    for (const factory of factories) {
      const subject = await factory()
      built.push(subject)
      await prepare(subject)
    }
    await body(built)
  } finally {
    for (const s of built) await s.close().catch(() => undefined)
  }
}

/** Builds a subject whose L1 holds `capacity` entries. */
export type SubjectFactory = (capacity: number) => Promise<Subject>

/** Raw lru-cache, the baseline every figure is divided by (`fetch` is its read-through). */
export const lruCacheSubject: SubjectFactory = async (capacity) => {
  const { LRUCache } = await import('lru-cache')
  const lru = new LRUCache<string, {}, () => Promise<unknown>>({
    max: capacity,
    fetchMethod: (_key, _stale, { context }) => context() as Promise<{}>,
  })
  return {
    name: 'lru-cache',
    get: (key) => lru.get(key),
    set: (key, value) => lru.set(key, value as {}),
    getOrSet: (key, loader) => lru.fetch(key, { context: loader }),
    close: async () => {
      lru.clear()
    },
  }
}

/** The full tierstack engine on a memory-only stack with the named strategy. */
export function tierstackSubject(strategyName: string): SubjectFactory {
  return async (capacity) => {
    const { createCache, memoryTier } = await import('@tierstack/core')
    const strategy = await loadStrategy(strategyName)
    const cache = createCache({ tiers: [memoryTier({ strategy, maxEntries: capacity })] })
    return {
      name: `tierstack (${strategyName})`,
      get: (key) => cache.get(key),
      set: (key, value) => cache.set(key, value),
      getOrSet: (key, loader) => cache.getOrSet(key, loader),
      close: () => cache.close(),
    }
  }
}

/** BentoCache with its memory driver as the only layer (defaults otherwise). */
export const bentocacheSubject: SubjectFactory = async (capacity) => {
  const { BentoCache, bentostore } = await import('bentocache')
  const { memoryDriver } = await import('bentocache/drivers/memory')
  const bento = new BentoCache({
    default: 'memory',
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: capacity })) },
  })
  return {
    name: 'bentocache',
    get: (key) => bento.get({ key }),
    set: (key, value) => bento.set({ key, value }),
    getOrSet: (key, loader) => bento.getOrSet({ key, factory: loader }),
    close: () => bento.disconnectAll(),
  }
}

/** cache-manager v7 on an in-memory Keyv (cacheable's LRU memory store, bounded to `capacity`). */
export const cacheManagerSubject: SubjectFactory = async (capacity) => {
  const { createCache } = await import('cache-manager')
  const { createKeyv } = await import('cacheable')
  const cm = createCache({ stores: [createKeyv({ lruSize: capacity })] })
  return {
    name: 'cache-manager',
    get: (key) => cm.get(key),
    set: (key, value) => cm.set(key, value),
    getOrSet: (key, loader) => cm.wrap(key, loader),
    close: async () => {
      await cm.disconnect()
    },
  }
}

/** cacheable with its in-memory primary store bounded to `capacity`. */
export const cacheableSubject: SubjectFactory = async (capacity) => {
  const { Cacheable, createKeyv } = await import('cacheable')
  const c = new Cacheable({ primary: createKeyv({ lruSize: capacity }) })
  return {
    name: 'cacheable',
    get: (key) => c.get(key),
    set: (key, value) => c.set(key, value),
    getOrSet: (key, loader) => c.getOrSet(key, loader),
    close: () => c.disconnect(),
  }
}

/** Peer libraries by command-line name. */
export const peerSubjects: Record<string, SubjectFactory> = {
  bentocache: bentocacheSubject,
  'cache-manager': cacheManagerSubject,
  cacheable: cacheableSubject,
}
