// Read throughput of Keyv stores with and without tierstack in front, and of Keyv over keyvStore().
// Run from the repo root: pnpm --filter @tierstack/core --filter @tierstack/keyv build && node packages/keyv/scripts/bench.mjs
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import KeyvSqlite from '@keyv/sqlite'
import { createCache, memoryTier } from '@tierstack/core'
import { Keyv } from 'keyv'
import { keyvStore, keyvTier } from '../dist/index.js'

const KEYS = 1_000
// Calls per case: SQLite-bound reads are ~100× slower, so they get fewer calls (scale both with SCALE=…).
const SCALE = Number(process.env.SCALE ?? 1)
const SLOW_OPS = 20_000 * SCALE
const FAST_OPS = 300_000 * SCALE
const value = { id: 1, name: 'a user', roles: ['admin', 'editor'], at: '2024-01-01T00:00:00Z' }
const dir = mkdtempSync(join(tmpdir(), 'tierstack-keyv-bench-'))

async function measure(label, ops, get) {
  for (let i = 0; i < ops / 5; i++) await get(`k${i % KEYS}`) // warm-up (JIT)
  const started = performance.now()
  for (let i = 0; i < ops; i++) {
    if ((await get(`k${i % KEYS}`)) === undefined) throw new Error(`${label}: miss`)
  }
  const ms = performance.now() - started
  return { label, calls: ops, opsPerSec: Math.round((ops / ms) * 1000) }
}

const rows = []
{
  const sqlite = new KeyvSqlite({ uri: `sqlite://${join(dir, 'plain.sqlite')}` })
  const keyv = new Keyv({ store: sqlite })
  for (let i = 0; i < KEYS; i++) await keyv.set(`k${i}`, value)
  rows.push(await measure('Keyv + @keyv/sqlite: get()', SLOW_OPS, (k) => keyv.get(k)))
  await sqlite.disconnect()
}
{
  const sqlite = new KeyvSqlite({ uri: `sqlite://${join(dir, 'tiered.sqlite')}` })
  const cache = createCache({ tiers: [memoryTier(), keyvTier({ store: sqlite })] })
  for (let i = 0; i < KEYS; i++) await cache.set(`k${i}`, value)
  rows.push(await measure('tierstack memory → keyvTier(@keyv/sqlite): get()', FAST_OPS, (k) => cache.get(k)))
  await cache.close()
  await sqlite.disconnect()
}
{
  const sqlite = new KeyvSqlite({ uri: `sqlite://${join(dir, 'only.sqlite')}` })
  const cache = createCache({ tiers: [keyvTier({ store: sqlite })] })
  for (let i = 0; i < KEYS; i++) await cache.set(`k${i}`, value)
  rows.push(await measure('tierstack keyvTier(@keyv/sqlite) only: get()', SLOW_OPS, (k) => cache.get(k)))
  await cache.close()
  await sqlite.disconnect()
}
{
  const keyv = new Keyv({ store: new Map() })
  for (let i = 0; i < KEYS; i++) await keyv.set(`k${i}`, value)
  rows.push(await measure('Keyv + Map: get()', FAST_OPS, (k) => keyv.get(k)))
}
{
  const cache = createCache({ tiers: [memoryTier()] })
  const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
  for (let i = 0; i < KEYS; i++) await keyv.set(`k${i}`, value)
  rows.push(await measure('Keyv + keyvStore(memory namespace): get()', FAST_OPS, (k) => keyv.get(k)))
  await cache.close()
}
rmSync(dir, { recursive: true, force: true })
console.table(rows)
