import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { formatTable, runLoad, zipfPaths } from '../src/load.js'
import { call, startDemo } from './helpers.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('embedded stack (memory → SQLite)', () => {
  it('createDemo() serves entries from the SQLite file after a restart, with no server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tierstack-demo-persist-'))
    dirs.push(dataDir)
    const first = await startDemo({ dataDir })
    expect(first.stack.mode).toBe('embedded')
    expect(first.stack.sqlitePath).toBe(join(dataDir, 'demo-cache.db'))
    expect((await call(first.url, 'GET', '/api/stats/tourism-es')).headers.get('x-cache')).toBe('miss')
    await first.dispose()

    const second = await startDemo({ dataDir })
    try {
      const r = await call(second.url, 'GET', '/api/stats/tourism-es')
      expect(r.headers.get('x-cache')).toBe('hit')
      expect(second.upstreams.meters.stats.calls).toBe(0)
      expect(second.cache.stats().namespaces.stats?.hitsByTier.sqlite).toBe(1)
    } finally {
      await second.dispose()
    }
  })
})

describe('demo:load', () => {
  it('zipfPaths() is reproducible and skewed toward the popular keys', () => {
    const a = zipfPaths(500, 1.1, 7)
    expect(zipfPaths(500, 1.1, 7)).toEqual(a)
    const llm = a.filter((p) => p.startsWith('/api/llm'))
    expect(llm.length).toBeGreaterThan(200)
    expect(llm.length).toBeLessThan(300)
    const top = llm.filter((p) => p === `/api/llm?q=${encodeURIComponent('What is a tiered cache?')}`).length
    expect(top / llm.length).toBeGreaterThan(0.1) // rank 1 of 40 with s = 1.1
  })

  it('runLoad() measures without cache, cold and warm phases and formatTable() prints them', async () => {
    const demo = await startDemo()
    try {
      const results = await runLoad({ url: demo.url, requests: 60, concurrency: 6, s: 1.1, seed: 3 })
      const [off, cold, warm] = results
      if (off === undefined || cold === undefined || warm === undefined)
        throw new Error('three phases expected')
      expect(off.hits).toBe(0)
      expect(off.upstreamCalls).toBe(60)
      expect(cold.upstreamCalls).toBeLessThan(60)
      expect(cold.hits).toBeGreaterThan(0)
      expect(warm.hits).toBe(60)
      expect(warm.upstreamCalls).toBe(0)
      expect(warm.upstreamCost).toBe(0)
      const table = formatTable(results)
      expect(table.split('\n')).toHaveLength(5)
      expect(table).toMatch(/with cache \(warm\)\s+60\s+100\.0%\s+0\s/)
    } finally {
      await demo.dispose()
    }
  })
})
