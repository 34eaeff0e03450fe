import { describe, expect, it } from '@jest/globals'
import { createCache, isCacheError, memoryTier, type TieredCache } from '@tierstack/core'
import { bytesTier } from '@tierstack/test-suite'
import { createCache as createCacheManager } from 'cache-manager'
import { Keyv } from 'keyv'
import { keyvStore, TierstackKeyvStore } from '../src/index.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Both kinds of stack: memory only (live values) and memory → remote (values serialized to bytes). */
const stacks: [string, () => TieredCache][] = [
  ['memory', () => createCache({ tiers: [memoryTier()] })],
  ['memory → remote', () => createCache({ tiers: [memoryTier(), bytesTier({ name: 'remote' })] })],
]

describe.each(stacks)('Keyv over keyvStore() (%s)', (_, makeCache) => {
  it('set(), get(), has() and delete() round-trip through the tierstack namespace', async () => {
    const cache = makeCache()
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
    expect(await keyv.set('a', { n: 1, list: ['x', null], nested: { s: ':colon' } })).toBe(true)
    expect(await keyv.get('a')).toEqual({ n: 1, list: ['x', null], nested: { s: ':colon' } })
    expect(await keyv.has('a')).toBe(true)
    // Keyv's serialized string lives in the namespace under Keyv's own prefix.
    expect(typeof (await cache.namespace('kv').get('keyv:a'))).toBe('string')
    expect(await keyv.delete('a')).toBe(true)
    expect(await keyv.delete('a')).toBe(false)
    expect(await keyv.get('a')).toBeUndefined()
    expect(await keyv.has('a')).toBe(false)
    await cache.close()
  })

  it('getMany(), setMany() and deleteMany() work in batches', async () => {
    const cache = makeCache()
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 'two' },
      { key: 'c', value: [3] },
    ])
    expect(await keyv.getMany(['c', 'missing', 'a', 'b'])).toEqual([[3], undefined, 1, 'two'])
    expect(await keyv.deleteMany(['a', 'b'])).toBe(true)
    expect(await keyv.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, [3]])
    await cache.close()
  })

  it('clear() clears the namespace and nothing else', async () => {
    const cache = makeCache()
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
    await keyv.set('a', 1)
    await cache.namespace('other').set('b', 2)
    await keyv.clear()
    expect(await keyv.get('a')).toBeUndefined()
    expect(await cache.namespace('other').get('b')).toBe(2)
    await cache.close()
  })

  it('set() with a ttl in ms expires the value in tierstack and in Keyv', async () => {
    const cache = makeCache()
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
    await keyv.set('short', 'v', 80)
    await keyv.set('long', 'v', 60_000)
    expect(await keyv.get('short')).toBe('v')
    await sleep(150)
    expect(await keyv.get('short')).toBeUndefined()
    expect(await cache.namespace('kv').get('keyv:short')).toBeUndefined()
    expect(await keyv.get('long')).toBe('v')
    await cache.close()
  })

  it('a Keyv with serialize/deserialize disabled round-trips its raw { value, expires } objects', async () => {
    const cache = makeCache()
    const keyv = new Keyv({
      store: keyvStore(cache.namespace('raw')),
      serialize: undefined,
      deserialize: undefined,
    })
    const value = { deep: { list: [1, 'two', { three: true }] }, when: '2020-01-01' }
    await keyv.set('k', value, 60_000)
    expect(await keyv.get('k')).toEqual(value)
    const raw = await keyv.getRaw('k')
    expect(raw?.value).toEqual(value)
    expect(typeof raw?.expires).toBe('number')
    await keyv.set('plain', 'text')
    expect(await keyv.get('plain')).toBe('text')
    await cache.close()
  })
})

describe('keyvStore() options', () => {
  it('keyvStore(cache) uses the default namespace, and its clear() leaves other namespaces alone', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const keyv = new Keyv({ store: keyvStore(cache) })
    await keyv.set('a', 1)
    await cache.namespace('other').set('b', 2)
    expect(await cache.get('keyv:a')).toBe('{"value":1}')
    await keyv.clear()
    expect(await keyv.get('a')).toBeUndefined()
    expect(await cache.namespace('other').get('b')).toBe(2)
    await cache.close()
  })

  it('ttl applies to values Keyv writes without one; otherwise the namespace ttl does', async () => {
    const cache = createCache({ tiers: [memoryTier()], namespaces: { short: { ttl: 60 } } })
    const withTtl = new Keyv({ store: keyvStore(cache.namespace('long'), { ttl: 60 }) })
    const byNamespace = new Keyv({ store: keyvStore(cache.namespace('short')) })
    const forever = new Keyv({
      store: keyvStore(cache.namespace('short'), { ttl: 'infinite' }),
      namespace: 'f',
    })
    await withTtl.set('a', 1)
    await withTtl.set('b', 1, 60_000)
    await byNamespace.set('c', 1)
    await forever.set('d', 1)
    await sleep(130)
    expect(await withTtl.get('a')).toBeUndefined()
    expect(await withTtl.get('b')).toBe(1)
    expect(await byNamespace.get('c')).toBeUndefined()
    expect(await forever.get('d')).toBe(1)
    await cache.close()
  })

  it('tags are added to every value, so cache.deleteByTag() drops what Keyv wrote', async () => {
    const cache = createCache({ tiers: [memoryTier(), bytesTier({ name: 'remote' })] })
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv'), { tags: ['from-keyv'] }) })
    await keyv.set('a', 1)
    await keyv.setMany([{ key: 'b', value: 2 }])
    await cache.namespace('kv').set('mine', 3)
    expect(await cache.deleteByTag('from-keyv')).toBe(2)
    expect(await keyv.getMany(['a', 'b'])).toEqual([undefined, undefined])
    expect(await cache.namespace('kv').get('mine')).toBe(3)
    await cache.close()
  })

  it('keyvStore() rejects bad arguments with E_INVALID_OPTION', () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const bad: [unknown, unknown][] = [
      [undefined, {}],
      [{}, {}],
      [cache, { ttl: -1 }],
      [cache, { ttl: 'soon' }],
      [cache, { ttl: 0 }],
      [cache, { tags: 'x' }],
      [cache, { tags: [''] }],
    ]
    for (const [c, o] of bad) {
      try {
        keyvStore(c as never, o as never)
        throw new Error(`no error for ${JSON.stringify(o)}`)
      } catch (err) {
        expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
        expect((err as Error).message).toMatch(/keyvStore: /)
      }
    }
    return cache.close()
  })

  it('the adapter has the shape Keyv expects and disconnect() leaves the cache open', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const store = keyvStore(cache.namespace('kv'))
    expect(store).toBeInstanceOf(TierstackKeyvStore)
    expect(store.opts).toEqual({ dialect: 'tierstack', namespace: 'kv', ttl: undefined, tags: [] })
    const keyv = new Keyv({ store, namespace: 'app' })
    expect(store.namespace).toBe('app')
    expect(keyv.iterator).toBeUndefined()
    await keyv.disconnect()
    await keyv.set('still', 'open')
    expect(await keyv.get('still')).toBe('open')
    await cache.close()
  })

  it('store errors reach Keyv: a closed cache makes get() miss and set() answer false with an error event', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const keyv = new Keyv({ store: keyvStore(cache.namespace('kv')) })
    const errors: unknown[] = []
    keyv.on('error', (e) => errors.push(e))
    await cache.close()
    expect(await keyv.set('a', 1)).toBe(false)
    expect(errors).toHaveLength(1)
    expect(isCacheError(errors[0], 'E_CLOSED')).toBe(true)
    expect(await keyv.get('a')).toBeUndefined()
    const throwing = new Keyv({ store: keyvStore(cache.namespace('kv')), throwOnErrors: true })
    await expect(throwing.get('a')).rejects.toMatchObject({ code: 'E_CLOSED' })
  })
})

describe('cache-manager v7 over Keyv over keyvStore()', () => {
  it('wrap() runs the function once and serves the cached value after', async () => {
    const cache = createCache({ tiers: [memoryTier(), bytesTier({ name: 'remote' })] })
    const manager = createCacheManager({ stores: [new Keyv({ store: keyvStore(cache.namespace('cm')) })] })
    let calls = 0
    const load = async () => {
      calls++
      return { user: 'ada', roles: ['admin'] }
    }
    expect(await manager.wrap('user:1', load, 60_000)).toEqual({ user: 'ada', roles: ['admin'] })
    expect(await manager.wrap('user:1', load, 60_000)).toEqual({ user: 'ada', roles: ['admin'] })
    expect(calls).toBe(1)
    expect(await manager.get('user:1')).toEqual({ user: 'ada', roles: ['admin'] })
    await cache.close()
  })

  it('set(), get(), mget(), del() and ttl expiry work, and the values live in tierstack', async () => {
    const cache = createCache({ tiers: [memoryTier(), bytesTier({ name: 'remote' })] })
    const manager = createCacheManager({ stores: [new Keyv({ store: keyvStore(cache.namespace('cm')) })] })
    await manager.set('a', 'A')
    await manager.set('short', 'S', 80)
    expect(await manager.get('a')).toBe('A')
    expect(await manager.mget(['a', 'short', 'none'])).toEqual(['A', 'S', undefined])
    expect(cache.stats().namespaces.cm!.sets).toBe(2)
    await sleep(150)
    expect(await manager.get('short')).toBeUndefined()
    expect(await manager.del('a')).toBe(true)
    expect(await manager.get('a')).toBeUndefined()
    await manager.set('b', 'B')
    await manager.clear()
    expect(await manager.get('b')).toBeUndefined()
    await cache.close()
  })
})
