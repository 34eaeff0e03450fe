import { describe, expect, it } from '@jest/globals'
import { createCache, memoryTier } from '@tierstack/core'

function clocked(grace = '1h') {
  let clock = 1_000_000
  const cache = createCache({
    tiers: [memoryTier({ now: () => clock })],
    defaults: { ttl: '1m', grace },
    now: () => clock,
  })
  return { cache, advance: (ms: number) => (clock += ms) }
}

describe('getOrSet() grace and timeouts', () => {
  it('getOrSet() serves the stale value when the loader throws inside grace', async () => {
    const { cache, advance } = clocked()
    expect(await cache.getOrSet('k', () => 'v1')).toBe('v1')
    advance(61_000)
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.get('k', { allowStale: true })).toBe('v1')
    const before = cache.stats().namespaces.default!.staleHits
    const v = await cache.getOrSet('k', () => {
      throw new Error('upstream down')
    })
    expect(v).toBe('v1')
    const s = cache.stats().namespaces.default!
    expect(s.staleHits).toBe(before + 1)
    expect(s.loaderErrors).toBe(1)
  })

  it('getOrSet() rethrows the loader error past grace and does not cache it', async () => {
    const { cache, advance } = clocked('10s')
    await cache.getOrSet('k', () => 'v1')
    advance(71_000)
    await expect(
      cache.getOrSet('k', () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    let calls = 0
    expect(
      await cache.getOrSet('k', () => {
        calls++
        return 'v2'
      }),
    ).toBe('v2')
    expect(calls).toBe(1)
  })

  it('getOrSet() answers with the stale value at the soft timeout and stores the fresh one when it arrives', async () => {
    const { cache, advance } = clocked()
    await cache.getOrSet('k', () => 'old')
    advance(61_000)
    let finish: (v: string) => void = () => {}
    const slow = new Promise<string>((r) => {
      finish = r
    })
    const started = performance.now()
    const v = await cache.getOrSet('k', () => slow, { timeout: { soft: 30 } })
    expect(v).toBe('old')
    expect(performance.now() - started).toBeLessThan(1000)
    // A second caller while the refresh is still running joins it instead of starting another loader.
    let second = 0
    expect(
      await cache.getOrSet('k', () => {
        second++
        return 'other'
      }),
    ).toBe('old')
    expect(second).toBe(0)
    finish('new')
    await new Promise((r) => setTimeout(r, 10))
    expect(await cache.get('k')).toBe('new')
  })

  it('getOrSet() rejects with E_LOADER_TIMEOUT at the hard timeout without a stale value, and aborts the signal', async () => {
    const { cache } = clocked()
    let signal: AbortSignal | undefined
    await expect(
      cache.getOrSet(
        'k',
        (ctx) => {
          signal = ctx.signal
          return new Promise((r) => setTimeout(() => r('late'), 200))
        },
        { timeout: { hard: 30 } },
      ),
    ).rejects.toMatchObject({ code: 'E_LOADER_TIMEOUT' })
    await new Promise((r) => setTimeout(r, 20))
    expect(signal?.aborted).toBe(true)
    await new Promise((r) => setTimeout(r, 200))
    // The loader kept running and its value was stored.
    expect(await cache.get('k')).toBe('late')
  })

  it('getOrSet() refreshes early in the background past earlyRefresh × ttl', async () => {
    const { cache, advance } = clocked()
    let n = 0
    const loader = () => `v${++n}`
    expect(await cache.getOrSet('k', loader, { earlyRefresh: 0.5 })).toBe('v1')
    advance(20_000)
    expect(await cache.getOrSet('k', loader, { earlyRefresh: 0.5 })).toBe('v1')
    expect(n).toBe(1)
    advance(15_000)
    expect(await cache.getOrSet('k', loader, { earlyRefresh: 0.5 })).toBe('v1')
    await new Promise((r) => setTimeout(r, 5))
    expect(n).toBe(2)
    expect(await cache.get('k')).toBe('v2')
  })

  it('getOrSet() lets the loader override ttl and tags', async () => {
    const { cache, advance } = clocked('0s')
    await cache.getOrSet('k', (ctx) => {
      ctx.setTtl('5s')
      ctx.setTags(['t'])
      return 'v'
    })
    advance(6000)
    expect(await cache.get('k')).toBeUndefined()
    await cache.getOrSet('k2', (ctx) => {
      ctx.setTags(['t'])
      return 'v'
    })
    expect(await cache.deleteByTag('t')).toBe(1)
    expect(await cache.get('k2')).toBeUndefined()
  })
})
