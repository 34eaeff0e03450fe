import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { type RedisTier, redisTier } from '../src/index.js'
import { makeEntry, randomId } from './helpers/entries.js'
import { type RedisServer, startRedis } from './helpers/redis-server.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const TIMEOUT = 300
/** Scheduling slack on a shared 2-core machine; the point is "bounded", not "fast". */
const SLACK = 400

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
let server: RedisServer
let tier: RedisTier

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  server = await startRedis({ useEnv: false })
})

afterEach(async () => {
  await tier?.close()
  await server.resume()
  if (server.pid === undefined) await server.restart()
})

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server.stop()
})

/** Runs `op`, returning how long it took to settle and how. */
async function timed(op: () => Promise<unknown>): Promise<{ ms: number; ok: boolean; error?: unknown }> {
  const start = performance.now()
  try {
    await op()
    return { ms: performance.now() - start, ok: true }
  } catch (error) {
    return { ms: performance.now() - start, ok: false, error }
  }
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`)
    await sleep(50)
  }
}

describe('RedisTier when the server fails', () => {
  it('get() and set() keep settling within commandTimeout while the server is SIGKILLed mid-load, then work after restart', async () => {
    tier = redisTier({ url: server.url, commandTimeout: TIMEOUT, prefix: `f-${randomId()}:` })
    const results: { ms: number; ok: boolean; error?: unknown }[] = []
    let running = true
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const key = `ns:${w}:${i % 50}`
        const r = await timed(() => (i % 3 === 0 ? tier.set(key, makeEntry()) : tier.get(key)))
        results.push(r)
        // Failing fast is the point, but do not spin the CPU while the server is gone.
        if (!r.ok) await sleep(5)
      }
    }
    const workers = Array.from({ length: 8 }, (_, w) => worker(w))
    await sleep(300)
    await server.kill('SIGKILL')
    await sleep(800)
    await server.restart()
    // The client reconnects by itself (backoff ≤ 1 s): operations succeed again.
    await eventually(async () => {
      await tier.set('ns:after', makeEntry())
      return (await tier.get('ns:after')) !== undefined
    }, 5000)
    await sleep(200)
    running = false
    await Promise.all(workers)

    const failures = results.filter((r) => !r.ok)
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(100)
    expect(failures.length).toBeGreaterThan(0)
    for (const f of failures) {
      expect(isCacheError(f.error, 'E_TIER_ERROR') || isCacheError(f.error, 'E_TIER_TIMEOUT')).toBe(true)
    }
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(TIMEOUT + SLACK)
    expect(unhandled).toEqual([])
  })

  it('get() fails at once (E_TIER_ERROR, well before the timeout) while the connection is down', async () => {
    tier = redisTier({ url: server.url, commandTimeout: 2000, prefix: `f-${randomId()}:` })
    await tier.set('ns:a', makeEntry())
    await server.kill('SIGKILL')
    await eventually(async () => tier.client.status !== 'ready', 2000)
    for (const op of [
      () => tier.get('ns:a'),
      () => tier.set('ns:a', makeEntry()),
      () => tier.getMany(['ns:a']),
      () => tier.delete(['ns:a']),
    ]) {
      const r = await timed(op)
      expect(r.ok).toBe(false)
      expect(isCacheError(r.error, 'E_TIER_ERROR')).toBe(true)
      expect(r.ms).toBeLessThan(500)
    }
    const health = await tier.health()
    expect(health.ok).toBe(false)
    expect(health.detail?.error).toEqual(expect.any(String))
  })

  it('every call rejects with E_TIER_TIMEOUT within commandTimeout while the server is paused (SIGSTOP)', async () => {
    tier = redisTier({ url: server.url, commandTimeout: TIMEOUT, prefix: `f-${randomId()}:` })
    await tier.set('ns:a', makeEntry({ tags: ['t'] }))
    await server.pause()
    const ops: (() => Promise<unknown>)[] = [
      () => tier.get('ns:a'),
      () => tier.getMany(['ns:a', 'ns:b']),
      () => tier.set('ns:a', makeEntry()),
      () => tier.setMany([['ns:b', makeEntry()]]),
      () => tier.delete(['ns:a']),
      () => tier.clear('ns:'),
      () => tier.deleteByTag(['t'], ''),
    ]
    const results = await Promise.all(ops.map((op) => timed(op)))
    for (const r of results) {
      expect(r.ok).toBe(false)
      expect(isCacheError(r.error, 'E_TIER_TIMEOUT')).toBe(true)
      expect(r.ms).toBeLessThan(TIMEOUT + SLACK)
    }
    const health = await timed(async () => {
      const h = await tier.health()
      expect(h.ok).toBe(false)
      expect(h.detail?.code).toBe('E_TIER_TIMEOUT')
    })
    expect(health.ok).toBe(true)
    expect(health.ms).toBeLessThan(TIMEOUT + SLACK)
    await server.resume()
    await eventually(async () => (await tier.health()).ok, 3000)
    await tier.set('ns:c', makeEntry())
    expect(await tier.get('ns:c')).toBeDefined()
    expect(unhandled).toEqual([])
  })

  it('get() against a server that is down from the start fails fast, and works once it comes up', async () => {
    const port = server.port
    await server.kill('SIGKILL')
    tier = redisTier({ url: `redis://127.0.0.1:${port}`, commandTimeout: 1000, prefix: `f-${randomId()}:` })
    const first = await timed(() => tier.get('ns:a'))
    expect(first.ok).toBe(false)
    expect(isCacheError(first.error, 'E_TIER_ERROR') || isCacheError(first.error, 'E_TIER_TIMEOUT')).toBe(
      true,
    )
    expect(first.ms).toBeLessThan(1000 + SLACK)
    const second = await timed(() => tier.get('ns:a'))
    expect(isCacheError(second.error, 'E_TIER_ERROR')).toBe(true)
    expect(second.ms).toBeLessThan(200)
    await server.restart()
    await eventually(async () => {
      await tier.set('ns:a', makeEntry())
      return (await tier.get('ns:a')) !== undefined
    }, 5000)
  })

  it('get() against a paused server at first connection rejects with E_TIER_TIMEOUT', async () => {
    await server.pause()
    tier = redisTier({ url: server.url, commandTimeout: TIMEOUT, prefix: `f-${randomId()}:` })
    const r = await timed(() => tier.get('ns:a'))
    expect(isCacheError(r.error, 'E_TIER_TIMEOUT')).toBe(true)
    expect(r.ms).toBeLessThan(TIMEOUT + SLACK)
  })
})
