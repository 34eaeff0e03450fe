import { loadStrategy } from './strategies.js'

/**
 * One cache under benchmark, reduced to the three calls the workloads make. Results may be values or
 * promises: the workloads await every call, as an application would.
 */
export interface Subject {
  /** Row label, e.g. `tierstack (tinylfu)`, `lru-cache`, `bentocache`. */
  readonly name: string
  get(key: string): unknown
  set(key: string, value: unknown): unknown
  /** Read-through: the value of `key`, calling `loader` once on a miss (single-flight where the library offers it). */
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>
  close(): Promise<void>
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
