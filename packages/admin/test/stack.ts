import type { AdminCache } from '../src/index.js'
import { createCache, memoryTier } from '@tierstack/core'
import { bytesTier, chaosTier } from '@tierstack/test-suite'

/** The cache under test (the real engine: memory → a remote bytes tier wrapped in a chaos tier), with helpers. */
export interface Stack {
  cache: AdminCache
  put(namespace: string, key: string, value: unknown, tags?: string[]): Promise<void>
  has(namespace: string, key: string): Promise<boolean>
  setDown(tier: 'remote', down: boolean): void
  close(): Promise<void>
}

/** Name of the remote tier. */
export const REMOTE = 'remote'

export async function makeStack(): Promise<Stack> {
  const remote = chaosTier(bytesTier({ name: REMOTE }))
  const cache = createCache({
    tiers: [memoryTier({ maxEntries: 1000 }), remote],
    namespaces: { llm: { ttl: '1h' }, stats: { ttl: '10m' } },
  })
  return {
    cache,
    async put(ns, key, value, tags = []) {
      await cache.namespace(ns).set(key, value, { tags })
    },
    has(ns, key) {
      return cache.namespace(ns).has(key)
    },
    setDown(_tier, down) {
      if (down) remote.fail()
      else remote.heal()
    },
    close: () => cache.close(),
  }
}
