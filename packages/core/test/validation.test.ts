import { afterEach, describe, expect, it } from '@jest/globals'
import { CacheError, createCache, memoryTier, type TieredCache } from '@tierstack/core'
import { bytesTier } from '@tierstack/test-suite'

let cache: TieredCache
afterEach(() => cache?.close())

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp) {
  let err: unknown
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(CacheError)
  expect((err as CacheError).code).toBe(code)
  if (message) expect((err as CacheError).message).toMatch(message)
}

describe('bad input fails at the call with a CacheError, and nothing else is lost', () => {
  it('get()/set()/getOrSet()/delete() refuse non-string, empty and oversized keys with E_INVALID_KEY', async () => {
    cache = createCache({ tiers: [memoryTier()] })
    await cache.set('keep', 'safe')
    for (const bad of [undefined, null, 42, {}, ['a'], '', 'x'.repeat(5000)]) {
      await expectCode(cache.get(bad as string), 'E_INVALID_KEY')
      await expectCode(cache.set(bad as string, 1), 'E_INVALID_KEY')
      await expectCode(
        cache.getOrSet(bad as string, () => 1),
        'E_INVALID_KEY',
      )
      await expectCode(cache.delete(bad as string), 'E_INVALID_KEY')
      await expectCode(cache.has(bad as string), 'E_INVALID_KEY')
    }
    await expectCode(cache.getMany(['ok', '']), 'E_INVALID_KEY')
    await expectCode(cache.deleteMany(['keep', 7 as never]), 'E_INVALID_KEY')
    expect(await cache.get('keep')).toBe('safe')
  })

  it('set() refuses NaN, negative and unparseable TTL / grace with E_INVALID_TTL naming the option', async () => {
    cache = createCache({ tiers: [memoryTier()] })
    await cache.set('k', 'old')
    await expectCode(cache.set('k', 'new', { ttl: Number.NaN }), 'E_INVALID_TTL', /ttl/)
    await expectCode(cache.set('k', 'new', { ttl: -1 }), 'E_INVALID_TTL', /ttl/)
    await expectCode(cache.set('k', 'new', { ttl: '5 parsecs' }), 'E_INVALID_TTL', /ttl '5 parsecs'/)
    await expectCode(cache.set('k', 'new', { grace: -5 }), 'E_INVALID_TTL', /grace/)
    await expectCode(
      cache.getOrSet('k2', () => 1, { ttl: 'soon' }),
      'E_INVALID_TTL',
      /getOrSet: ttl/,
    )
    await expectCode(
      cache.getOrSet('k2', () => 1, { timeout: { hard: -1 } }),
      'E_INVALID_TTL',
      /timeout.hard/,
    )
    expect(await cache.get('k')).toBe('old')
  })

  it('createCache() refuses bad options with E_INVALID_OPTION naming the option', async () => {
    await expectCode(() => createCache({ tiers: [] }), 'E_INVALID_OPTION', /tiers/)
    await expectCode(() => createCache({} as never), 'E_INVALID_OPTION', /tiers/)
    await expectCode(() => createCache({ tiers: [{} as never] }), 'E_INVALID_OPTION', /tiers\[0\]/)
    await expectCode(
      () => createCache({ tiers: [memoryTier(), memoryTier()] }),
      'E_INVALID_OPTION',
      /named 'memory'/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], defaults: { ttl: 'x' } }),
      'E_INVALID_TTL',
      /defaults.ttl/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], namespaces: { 'a:b': {} } }),
      'E_INVALID_OPTION',
      /namespace name/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], namespaces: { a: { tll: '1h' } as never } }),
      'E_INVALID_OPTION',
      /unknown option 'tll'/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], namespaces: { a: { compress: true } } }),
      'E_INVALID_OPTION',
      /compress/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], namespaces: { a: { costPerMiss: -1 } } }),
      'E_INVALID_OPTION',
      /costPerMiss/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], tierTimeout: -3 }),
      'E_INVALID_OPTION',
      /tierTimeout/,
    )
    await expectCode(
      () => createCache({ tiers: [memoryTier()], breaker: { failureThreshold: 0 } }),
      'E_INVALID_OPTION',
      /failureThreshold/,
    )
    await expectCode(() => memoryTier({ maxEntries: 0 }), 'E_INVALID_OPTION', /maxEntries/)
    await expectCode(() => memoryTier({ maxBytes: 'lots' }), 'E_INVALID_OPTION', /maxBytes/)
    cache = createCache({ tiers: [memoryTier()] })
    await expectCode(() => cache.namespace('bad name'), 'E_INVALID_OPTION', /namespace name/)
    await expectCode(cache.getOrSet('k', 'not a function' as never), 'E_INVALID_OPTION', /loader/)
    await expectCode(cache.set('k', 1, { tags: [''] }), 'E_INVALID_OPTION', /tag/)
  })

  it('set() refuses undefined, functions and symbols with E_INVALID_VALUE', async () => {
    cache = createCache({ tiers: [memoryTier()] })
    await cache.set('k', 'old')
    await expectCode(cache.set('k', undefined), 'E_INVALID_VALUE')
    await expectCode(
      cache.set('k', () => 1),
      'E_INVALID_VALUE',
    )
    await expectCode(cache.set('k', Symbol('s')), 'E_INVALID_VALUE')
    expect(await cache.get('k')).toBe('old')
  })

  it('set() refuses a value that cannot be serialized for a remote tier with E_SERIALIZE, leaving every tier untouched', async () => {
    const remote = bytesTier({ name: 'remote' })
    const mem = memoryTier()
    cache = createCache({ tiers: [mem, remote] })
    await cache.set('k', 'old')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expectCode(cache.set('k', circular), 'E_SERIALIZE', /circular/)
    await expectCode(cache.set('k', { f: () => 1 }), 'E_SERIALIZE', /function/)
    await expectCode(
      cache.setMany([
        ['ok', 1],
        ['k', circular],
      ]),
      'E_SERIALIZE',
    )
    expect(await cache.get('k')).toBe('old')
    expect(mem.getSync('default:ok')).toBeUndefined()
    expect(await remote.get('default:ok')).toBeUndefined()
  })

  it('set() refuses a value over maxEntryBytes with E_VALUE_TOO_LARGE and keeps the old value', async () => {
    cache = createCache({ tiers: [memoryTier({ maxBytes: '1mb', maxEntryBytes: '10kb' })] })
    await cache.set('k', 'small')
    await cache.set('other', 'x')
    await expectCode(cache.set('k', 'x'.repeat(20_000)), 'E_VALUE_TOO_LARGE', /maxEntryBytes/)
    expect(await cache.get('k')).toBe('small')
    expect(await cache.get('other')).toBe('x')
  })

  it('every call after close() rejects with E_CLOSED', async () => {
    cache = createCache({ tiers: [memoryTier()] })
    await cache.close()
    await expectCode(cache.get('k'), 'E_CLOSED')
    await expectCode(cache.set('k', 1), 'E_CLOSED')
    await expectCode(
      cache.getOrSet('k', () => 1),
      'E_CLOSED',
    )
    await cache.close()
  })
})
