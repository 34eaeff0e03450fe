// Heap bytes per entry for 1M small entries: tinyLfu() and lfu() stores against lru-cache. Not shipped.
//   node --expose-gc --import ./scripts/register.mjs scripts/memory.ts
import { createRequire } from 'node:module'
import { lfu, tinyLfu } from '@tierstack/strategy-lfu'

const require = createRequire(new URL('../../../apps/bench/package.json', import.meta.url))
const { LRUCache } = require('lru-cache') as typeof import('lru-cache')
const N = 1_000_000
const keys = Array.from({ length: N }, (_, i) => `key:${i}`)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

function measure(make: () => { set(k: string, v: unknown): unknown }): number {
  gc!()
  gc!()
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
  const store = make()
  for (let i = 0; i < N; i++) store.set(keys[i]!, i)
  gc!()
  gc!()
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
  ;(globalThis as { keep?: unknown }).keep = store
  return (after - before) / N
}

const expiring = (store: { set(k: string, v: unknown, expiresAt?: number): unknown }) => ({
  set: (k: string, v: unknown) => store.set(k, v, Date.now() + 3_600_000),
})
const results = {
  'lru-cache': measure(() => new LRUCache<string, unknown>({ max: N })),
  'lru-cache (with ttl)': measure(() => {
    const lru = new LRUCache<string, {}>({ max: N })
    return { set: (k: string, v: unknown) => lru.set(k, v as {}, { ttl: 3_600_000 }) }
  }),
  tinylfu: measure(() => tinyLfu().create<unknown>({ maxEntries: N })),
  'tinylfu (with expiry)': measure(() => expiring(tinyLfu().create<unknown>({ maxEntries: N }))),
  lfu: measure(() => lfu().create<unknown>({ maxEntries: N })),
  'lfu (with expiry)': measure(() => expiring(lfu().create<unknown>({ maxEntries: N }))),
}
const base = results['lru-cache']
for (const [name, bytes] of Object.entries(results)) {
  console.log(`${name}: ${bytes.toFixed(1)} bytes/entry (${(bytes / base).toFixed(2)}×)`)
}
