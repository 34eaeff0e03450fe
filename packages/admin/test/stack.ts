import type { AdminCache } from '@tierstack/admin'
import { fakeCache } from './fake-cache.js'

/** The cache under test, with helpers to seed it, probe it and fail a tier. */
export interface Stack {
  cache: AdminCache
  put(namespace: string, key: string, value: unknown, tags?: string[]): Promise<void>
  has(namespace: string, key: string): Promise<boolean>
  setDown(tier: 'memory' | 'remote', down: boolean): void
  close(): Promise<void>
}

export const REMOTE = 'redis'

export async function makeStack(): Promise<Stack> {
  const cache = fakeCache(['llm', 'stats'])
  return {
    cache,
    async put(ns, key, value, tags = []) {
      cache.data.set(`${ns}:${key}`, { value, tags })
    },
    async has(ns, key) {
      return cache.data.has(`${ns}:${key}`)
    },
    setDown(tier, down) {
      const name = tier === 'remote' ? REMOTE : tier
      if (down) cache.down.add(name)
      else cache.down.delete(name)
    },
    async close() {},
  }
}
