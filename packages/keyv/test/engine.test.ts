import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import KeyvSqlite from '@keyv/sqlite'
import { createCache, isCacheError, memoryTier } from '@tierstack/core'
import { Keyv, type KeyvStoreAdapter } from 'keyv'
import { keyvTier } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tierstack-keyv-engine-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('createCache() over memory → keyvTier', () => {
  it('set() writes through to the Keyv store and get() backfills memory from it', async () => {
    const store = new Map<unknown, unknown>()
    const a = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    await a
      .namespace('users')
      .set('u1', { name: 'Ada', born: new Date('1815-12-10T00:00:00Z') }, { ttl: '1m' })
    // Stored under the tier's namespace, as a Keyv-serialized base64 envelope.
    expect([...store.keys()]).toEqual(['tierstack:users:u1'])
    expect(typeof store.get('tierstack:users:u1')).toBe('string')

    // A second instance with a cold memory tier reads it from the store, then from its own memory.
    const b = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    const users = b.namespace('users')
    expect(await users.get('u1')).toEqual({ name: 'Ada', born: new Date('1815-12-10T00:00:00Z') })
    expect(await users.get('u1')).toEqual({ name: 'Ada', born: new Date('1815-12-10T00:00:00Z') })
    expect(b.stats().namespaces.users!.hitsByTier).toEqual({ memory: 1, keyv: 1 })
    await a.close()
    await b.close()
  })

  it('getMany() reads the keys memory lacks from the store in one batch and keeps the order', async () => {
    const store = new Map<unknown, unknown>()
    const a = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    await a.setMany([
      ['a', 1],
      ['b', 2],
    ])
    const b = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    await b.set('c', 3)
    expect(await b.getMany(['c', 'missing', 'b', 'a'])).toEqual([3, undefined, 2, 1])
    expect(b.stats().namespaces.default!.hitsByTier).toEqual({ memory: 1, keyv: 2 })
    await a.close()
    await b.close()
  })

  it('deleteByTag() removes tagged entries from memory and from the store, also for another instance', async () => {
    const file = join(dir, 'tags.sqlite')
    const sqliteA = new KeyvSqlite({ uri: `sqlite://${file}` })
    const sqliteB = new KeyvSqlite({ uri: `sqlite://${file}` })
    const a = createCache({ tiers: [memoryTier(), keyvTier({ store: sqliteA, disconnect: true })] })
    const b = createCache({ tiers: [memoryTier(), keyvTier({ store: sqliteB, disconnect: true })] })
    const pa = a.namespace('posts')
    await pa.set('p1', 'one', { tags: ['author:7'] })
    await pa.set('p2', 'two', { tags: ['author:7', 'topic:x'] })
    await pa.set('p3', 'three', { tags: ['author:8'] })
    expect(await b.namespace('posts').get('p2')).toBe('two')

    expect(await b.namespace('posts').deleteByTag('author:7')).toBe(2)
    // b's memory and the shared store are clean; a still has p1/p2 in its own memory (no bus here), but a
    // fresh instance sees the store's truth.
    expect(await b.namespace('posts').getMany(['p1', 'p2', 'p3'])).toEqual([undefined, undefined, 'three'])
    const c = createCache({
      tiers: [keyvTier({ store: new KeyvSqlite({ uri: `sqlite://${file}` }), disconnect: true })],
    })
    expect(await c.namespace('posts').getMany(['p1', 'p2', 'p3'])).toEqual([undefined, undefined, 'three'])
    await Promise.all([a.close(), b.close(), c.close()])
  })

  it('clear() on a namespace removes only that namespace from the store', async () => {
    const store = new Map<unknown, unknown>()
    const cache = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    await cache.namespace('x').set('k', 1)
    await cache.namespace('xy').set('k', 2)
    await cache.namespace('x').clear()
    expect([...store.keys()]).toEqual(['tierstack:xy:k'])
    const cold = createCache({ tiers: [keyvTier({ store })] })
    expect(await cold.namespace('x').get('k')).toBeUndefined()
    expect(await cold.namespace('xy').get('k')).toBe(2)
    await cache.close()
    await cold.close()
  })

  it('get() treats an entry it cannot decode as a miss, counts an error and deletes it', async () => {
    const store = new Map<unknown, unknown>()
    const keyv = new Keyv({ store, namespace: 'tierstack', useKeyPrefix: false })
    await keyv.set('tierstack:default:k', 'bm90IGFuIGVudmVsb3Bl') // base64 of 'not an envelope'
    const cache = createCache({ tiers: [memoryTier(), keyvTier({ store })] })
    expect(await cache.get('k')).toBeUndefined()
    expect(cache.stats().namespaces.default!.errors).toBe(1)
    await new Promise((r) => setTimeout(r, 20))
    expect(store.has('tierstack:default:k')).toBe(false)
    await cache.close()
  })

  it('get() keeps answering from memory when the Keyv store fails, and reports the failure', async () => {
    const sqlite = new KeyvSqlite({ uri: `sqlite://${join(dir, 'fails.sqlite')}` })
    const tier = keyvTier({ store: sqlite })
    const cache = createCache({ tiers: [memoryTier(), tier] })
    await cache.set('k', 'v')
    await sqlite.disconnect() // the connection is gone: every store call now fails
    expect(await cache.get('k')).toBe('v')
    expect(await cache.get('other')).toBeUndefined()
    expect(cache.stats().tiers.keyv!.errors).toBeGreaterThanOrEqual(1)
    const health = await tier.health()
    expect(health.ok).toBe(false)
    await expect(tier.get('x')).rejects.toMatchObject({ code: 'E_TIER_ERROR' })
    await cache.close()
  })
})

describe('keyvTier() options', () => {
  it('keyvTier() rejects a missing or wrong store with E_INVALID_OPTION naming it', () => {
    for (const store of [undefined, null, 42, {}, { get() {} }]) {
      try {
        keyvTier({ store } as never)
        throw new Error('no error')
      } catch (err) {
        expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
        expect((err as Error).message).toMatch(/keyvTier: store must be/)
      }
    }
  })

  it('keyvTier() rejects a bad namespace, name or flag, and a namespace next to a Keyv instance', () => {
    const bad = [
      { store: new Map(), namespace: 'has:colon' },
      { store: new Map(), namespace: '' },
      { store: new Map(), name: '' },
      { store: new Map(), disconnect: 'yes' },
      { store: new Keyv(), namespace: 'x' },
    ]
    for (const options of bad) {
      expect(() => keyvTier(options as never)).toThrow(
        expect.objectContaining({
          code: 'E_INVALID_OPTION',
          message: expect.stringMatching(/^tierstack: keyvTier: /),
        }),
      )
    }
  })

  it('capabilities describe the store: batch for adapters with getMany and setMany, persistence by dialect', async () => {
    expect(keyvTier({ store: new Map() }).capabilities).toEqual({
      ttlPrecisionMs: 1,
      tags: true,
      batch: false,
      persistent: false,
      shared: false,
    })
    const onFile = new KeyvSqlite({ uri: `sqlite://${join(dir, 'caps.sqlite')}` })
    expect(keyvTier({ store: onFile }).capabilities).toMatchObject({
      persistent: true,
      shared: true,
      batch: false,
    })
    const inMemory = new KeyvSqlite()
    expect(keyvTier({ store: inMemory }).capabilities).toMatchObject({ persistent: false, shared: false })
    expect(keyvTier({ store: new Map(), persistent: true, shared: true }).capabilities).toMatchObject({
      persistent: true,
      shared: true,
    })
    await Promise.all([onFile.disconnect(), inMemory.disconnect()])
  })

  it('clear(prefix) rejects with E_TIER_ERROR on a store that cannot list its keys; clear("") still works', async () => {
    // A minimal Keyv adapter without iterator(), backed by a real Map.
    const data = new Map<string, unknown>()
    const adapter: KeyvStoreAdapter = {
      opts: {},
      namespace: undefined as string | undefined,
      get: async (k: string) => data.get(k) as never,
      set: async (k: string, v: unknown) => {
        data.set(k, v)
      },
      delete: async (k: string) => data.delete(k),
      clear: async () => data.clear(),
      on() {
        return this
      },
    }
    const tier = keyvTier({ store: adapter })
    const cache = createCache({ tiers: [tier] })
    await cache.set('k', 1)
    await expect(tier.clear('default:')).rejects.toMatchObject({
      code: 'E_TIER_ERROR',
      message: expect.stringContaining('has no iterator()'),
    })
    await tier.clear('')
    expect(data.size).toBe(0)
    await cache.close()
  })

  it('close() leaves a Keyv passed in usable, and disconnect: true disconnects the store', async () => {
    const keyv = new Keyv({ store: new Map(), throwOnErrors: true })
    const tier = keyvTier({ store: keyv })
    await tier.close()
    await expect(tier.get('k')).rejects.toMatchObject({ code: 'E_CLOSED' })
    await keyv.set('still', 'works')
    expect(await keyv.get('still')).toBe('works')

    const sqlite = new KeyvSqlite({ uri: `sqlite://${join(dir, 'close.sqlite')}` })
    const owned = keyvTier({ store: sqlite, disconnect: true })
    await owned.close()
    await owned.close()
    await expect(sqlite.get('x')).rejects.toThrow()
  })

  it('keyvTier() warns once when a Keyv passed in would swallow store errors', () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      keyvTier({ store: new Keyv({ store: new Map(), throwOnErrors: true }) })
      expect(spy).not.toHaveBeenCalled()
      keyvTier({ store: new Keyv({ store: new Map() }) })
      keyvTier({ store: new Keyv({ store: new Map() }) })
      expect(spy).toHaveBeenCalledTimes(1)
      expect(spy.mock.calls[0]![1]).toEqual({ code: 'TIERSTACK_KEYV_THROW_ON_ERRORS' })
    } finally {
      spy.mockRestore()
    }
  })
})
