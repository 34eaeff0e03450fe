import { afterEach, describe, expect, it } from '@jest/globals'
import { CacheError, channels, createCache, memoryTier, type TieredCache } from '@tierstack/core'
import { bytesTier, chaosTier } from '@tierstack/test-suite'

let cache: TieredCache | undefined
afterEach(async () => {
  await cache?.close().catch(() => {})
  cache = undefined
})

function stack(
  options: {
    tierTimeout?: number
    resetAfter?: number
    threshold?: number
    onTierError?: 'report' | 'throw'
  } = {},
) {
  let clock = 1_000_000
  const now = () => clock
  const remote = chaosTier(bytesTier({ name: 'remote', now }))
  cache = createCache({
    tiers: [memoryTier({ now }), remote],
    tierTimeout: options.tierTimeout ?? 50,
    breaker: { failureThreshold: options.threshold ?? 1, resetAfter: options.resetAfter ?? 1000 },
    onTierError: options.onTierError,
    now,
  })
  return { cache, remote, advance: (ms: number) => (clock += ms) }
}

describe('remote tier failures', () => {
  it('a write skipped because the breaker is open counts as an error of that tier and of the namespace', async () => {
    const { cache, remote } = stack({ threshold: 1, resetAfter: 60_000 })
    remote.fail(new Error('down'))
    await cache.set('a', 1)
    expect(cache.stats().tiers.remote!.breaker).toBe('open')
    const before = cache.stats()
    await cache.set('b', 2)
    const after = cache.stats()
    expect(after.tiers.remote!.errors).toBe(before.tiers.remote!.errors + 1)
    expect(after.namespaces.default!.errors).toBe(before.namespaces.default!.errors + 1)
    expect(await cache.get('b')).toBe(2) // served from memory meanwhile
  })

  it('get() on a hanging remote tier costs one timeout, then the breaker skips it, then it is used again after it recovers', async () => {
    const { cache, remote, advance } = stack({ tierTimeout: 50, resetAfter: 1000 })
    remote.hang()
    let started = performance.now()
    expect(await cache.get('k1')).toBeUndefined()
    const first = performance.now() - started
    expect(first).toBeGreaterThanOrEqual(45)
    expect(cache.stats().tiers.remote!.breaker).toBe('open')

    const callsBefore = remote.calls.get
    started = performance.now()
    for (let i = 0; i < 20; i++) expect(await cache.get(`k${i}`)).toBeUndefined()
    // Skipped entirely: no call reached the tier, so no timeout was paid.
    expect(remote.calls.get).toBe(callsBefore)
    expect(performance.now() - started).toBeLessThan(45 * 20)

    remote.heal()
    advance(1001)
    // Half-open probe goes through, succeeds, closes the breaker.
    await cache.get('nothing-here')
    expect(cache.stats().tiers.remote!.breaker).toBe('closed')
    await cache.set('after', 'recovered')
    expect(remote.calls.set).toBe(1)
    expect((await remote.inner.get('default:after'))?.value).toBeInstanceOf(Uint8Array)
    const stats = cache.stats()
    expect(stats.tiers.remote!.timeouts).toBe(1)
    expect(stats.namespaces.default!.timeouts).toBe(1)
  })

  it('get() answers from memory while the remote tier fails, and counts the error instead of throwing', async () => {
    const { cache, remote } = stack({ threshold: 5 })
    await cache.set('k', 'v')
    remote.fail()
    expect(await cache.get('k')).toBe('v')
    expect(await cache.get('other')).toBeUndefined()
    await expect(cache.set('k2', 'v2')).resolves.toBeUndefined()
    expect(await cache.get('k2')).toBe('v2')
    const ns = cache.stats().namespaces.default!
    expect(ns.errors).toBeGreaterThanOrEqual(2)
    expect(cache.stats().tiers.remote!.errors).toBeGreaterThanOrEqual(2)
  })

  it("get() throws the tier error when onTierError is 'throw'", async () => {
    const { cache, remote } = stack({ onTierError: 'throw', threshold: 5 })
    remote.fail()
    await expect(cache.get('x')).rejects.toMatchObject({ code: 'E_TIER_ERROR' })
  })

  it('errors are published on the error channel with the tier name', async () => {
    const { cache, remote } = stack({ threshold: 5 })
    const seen: unknown[] = []
    const fn = (m: unknown) => seen.push(m)
    channels.error.subscribe(fn)
    try {
      remote.fail()
      await cache.get('x')
    } finally {
      channels.error.unsubscribe(fn)
    }
    expect(seen).toEqual([expect.objectContaining({ tier: 'remote', op: 'get', namespace: 'default' })])
  })

  it('get() treats an entry that cannot be decoded as a miss, counts an error and deletes it', async () => {
    const { cache, remote } = stack({ threshold: 5 })
    await cache.namespace('n').set('k', { big: 'x'.repeat(100) })
    await cache.namespace('n').set('k2', 'fine')
    const fresh = createCache({
      tiers: [memoryTier({ now: () => 1_000_000 }), remote],
      tierTimeout: 100,
      now: () => 1_000_000,
    })
    remote.corrupt()
    expect(await fresh.namespace('n').get('k')).toBeUndefined()
    expect(fresh.stats().namespaces.n!.errors).toBe(1)
    remote.heal()
    expect(await remote.inner.get('n:k')).toBeUndefined()
    expect(await fresh.namespace('n').get('k2')).toBe('fine')
    await fresh.close()
  })

  it('health() reports a failing remote tier with its breaker state', async () => {
    const { cache, remote } = stack()
    expect((await cache.health()).ok).toBe(true)
    remote.fail()
    await cache.get('x')
    const health = await cache.health()
    expect(health.ok).toBe(false)
    expect(health.tiers.remote).toMatchObject({ ok: false, kind: 'remote', breaker: 'open' })
    expect(health.tiers.memory).toMatchObject({ ok: true, kind: 'local' })
  })

  it('a tier that enforces its own deadline (capabilities.timeouts) gets no engine timer, and its E_TIER_TIMEOUT counts as a timeout', async () => {
    const inner = bytesTier({ name: 'own' })
    const ownDeadline = Object.assign(Object.create(inner), {
      capabilities: { ...inner.capabilities, timeouts: true },
      get: () =>
        new Promise((_, reject) =>
          setTimeout(() => reject(new CacheError('E_TIER_TIMEOUT', 'own deadline')), 80),
        ),
    }) as typeof inner
    cache = createCache({
      tiers: [memoryTier(), ownDeadline],
      tierTimeout: 10,
      breaker: { failureThreshold: 1 },
    })
    const started = performance.now()
    expect(await cache.get('k')).toBeUndefined()
    // The engine's 10 ms timer did not cut the call short: the tier's own 80 ms deadline did.
    expect(performance.now() - started).toBeGreaterThanOrEqual(70)
    const stats = cache.stats()
    expect(stats.tiers.own).toMatchObject({ timeouts: 1, errors: 1, breaker: 'open' })
    expect(stats.namespaces.default!.timeouts).toBe(1)
  })
})
