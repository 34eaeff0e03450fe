import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import {
  type Codec,
  type Tier,
  type TieredCache,
  channels,
  createCache,
  decodeEnvelope,
  memoryTier,
} from '@tierstack/core'
import { msgpack } from '@tierstack/codec-msgpack'
import { sqliteTier } from '@tierstack/tier-sqlite'
import { bytesTier, testScope } from '@tierstack/test-suite'
import { aesGcm } from '../src/index.js'

// Integration through the real engine and a real remote tier (an SQLite file): what a reader sees when
// encrypted entries are tampered with, moved, or written under keys it no longer has.

const K1 = randomBytes(32)
const K2 = randomBytes(32)

const scope = testScope('codec-aes-')

/** A cache over its own connection to the shared SQLite file: a separate process, as far as the data goes. */
function open(
  codecs: Codec[],
  extra: { decoders?: Codec[]; withMemory?: boolean } = {},
): { cache: TieredCache; tier: Tier } {
  const tier = sqliteTier({ path: scope.path('cache.db') })
  const tiers: Tier[] = extra.withMemory ? [memoryTier({ maxEntries: 100 }), tier] : [tier]
  const cache = scope.track(
    createCache({
      tiers,
      serializer: msgpack(),
      codecs,
      decoders: extra.decoders ?? [],
      defaults: { ttl: '1h' },
    }),
  )
  return { cache, tier }
}

/** Rewrites the stored envelope of `fullKey` with one byte changed by `mutate`. */
async function tamper(
  tier: Tier,
  fullKey: string,
  at: (envelope: Uint8Array, payloadStart: number) => number,
): Promise<void> {
  const entry = await tier.get(fullKey)
  if (!entry) throw new Error(`nothing stored under ${fullKey}`)
  const bytes = new Uint8Array(entry.value as Uint8Array)
  const { payload } = decodeEnvelope(bytes)
  const i = at(bytes, bytes.length - payload.length)
  bytes[i] = bytes[i]! ^ 0x20
  await tier.set(fullKey, { ...entry, value: bytes })
}

/** Collects the error events the engine publishes while `fn` runs. */
async function errorEvents(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (e: unknown) => seen.push(e)
  channels.error.subscribe(listener)
  try {
    await fn()
  } finally {
    channels.error.unsubscribe(listener)
  }
  return seen
}

describe('aesGcm() through the engine and a SQLite tier', () => {
  it('set() stores ciphertext with the key id in the envelope; get() from another instance decrypts it', async () => {
    const writer = open([aesGcm({ keys: { k1: K1 } })])
    const value = { user: 'alice', roles: ['admin'], since: new Date(1_700_000_000_000) }
    await writer.cache.namespace('prefs').set('alice', value)
    const stored = (await writer.tier.get('prefs:alice'))!.value as Uint8Array
    const { header } = decodeEnvelope(stored)
    expect(header.codecs).toEqual([{ id: 'aes-256-gcm', param: 'k1' }])
    expect(header.serializer).toBe('msgpack')
    expect(Buffer.from(stored).includes('alice')).toBe(false)
    const reader = open([aesGcm({ keys: { k1: K1 } })])
    expect(await reader.cache.namespace('prefs').get('alice')).toEqual(value)
  })

  it.each([
    ['the first ciphertext byte', (_b: Uint8Array, start: number) => start + 12],
    ['a nonce byte', (_b: Uint8Array, start: number) => start],
    ['the last tag byte', (b: Uint8Array) => b.length - 1],
    [
      'the key id in the envelope header',
      (b: Uint8Array, start: number) => Buffer.from(b.subarray(0, start)).lastIndexOf('k1'),
    ],
  ])(
    'get() of an entry with %s tampered in the tier is a miss counted as an error, not a throw or a wrong value',
    async (_what, at) => {
      const writer = open([aesGcm({ keys: { k1: K1 } })])
      await writer.cache.namespace('prefs').set('alice', { plan: 'pro' })
      await tamper(writer.tier, 'prefs:alice', at)
      const reader = open([aesGcm({ keys: { k1: K1 } })], { withMemory: true })
      const prefs = reader.cache.namespace('prefs')
      let result: unknown = 'not called'
      const events = await errorEvents(async () => {
        result = await prefs.get('alice')
      })
      expect(result).toBeUndefined()
      expect(reader.cache.stats().namespaces.prefs!.errors).toBe(1)
      expect(reader.cache.stats().namespaces.prefs!.misses).toBe(1)
      expect(events).toEqual([
        expect.objectContaining({ error: expect.objectContaining({ code: 'E_DECODE' }) }),
      ])
      // The unreadable entry is gone, and the key works normally again.
      expect(await reader.tier.get('prefs:alice')).toBeUndefined()
      await prefs.set('alice', { plan: 'free' })
      expect(await prefs.get('alice')).toEqual({ plan: 'free' })
    },
  )

  it('get() of an entry copied under another cache key is a miss (the cache key is bound as AAD)', async () => {
    const { cache, tier } = open([aesGcm({ keys: { k1: K1 } })])
    await cache.namespace('users').set('alice', { role: 'admin' })
    await cache.namespace('users').set('bob', { role: 'guest' })
    // An attacker with write access to the store copies alice's entry over bob's.
    await tier.set('users:bob', (await tier.get('users:alice'))!)
    const reader = open([aesGcm({ keys: { k1: K1 } })])
    expect(await reader.cache.namespace('users').get('bob')).toBeUndefined()
    expect(reader.cache.stats().namespaces.users!.errors).toBe(1)
    expect(await reader.cache.namespace('users').get('alice')).toEqual({ role: 'admin' })
  })

  it('rotating keys: old entries stay readable while their key is listed, and become clean misses once it is removed', async () => {
    const v1 = open([aesGcm({ keys: { k1: K1 } })])
    await v1.cache.set('old', 'written with k1')

    // Deploy 2: k2 is current, k1 still listed.
    const v2 = open([aesGcm({ keys: { k1: K1, k2: K2 }, current: 'k2' })])
    expect(await v2.cache.get('old')).toBe('written with k1')
    await v2.cache.set('new', 'written with k2')
    expect(decodeEnvelope((await v2.tier.get('default:new'))!.value as Uint8Array).header.codecs).toEqual([
      { id: 'aes-256-gcm', param: 'k2' },
    ])
    // An instance still on deploy 1 meets a k2 entry: a miss, not a crash.
    expect(await v1.cache.get('new')).toBeUndefined()
    expect(v1.cache.stats().namespaces.default!.errors).toBe(1)

    // Deploy 3: k1 removed.
    await v2.cache.set('new', 'written with k2')
    const v3 = open([aesGcm({ keys: { k2: K2 } })])
    expect(await v3.cache.get('new')).toBe('written with k2')
    expect(await v3.cache.get('old')).toBeUndefined()
    expect(v3.cache.stats().namespaces.default!.errors).toBe(1)
  })

  it('namespaces opt out of encryption with encrypt: false; the others are encrypted', async () => {
    const remote = bytesTier({ name: 'remote' })
    const cache = scope.track(
      createCache({
        tiers: [remote],
        codecs: [aesGcm({ keys: { k1: K1 } })],
        namespaces: { public: { encrypt: false }, secret: {} },
      }),
    )
    await cache.namespace('public').set('k', 'visible text')
    await cache.namespace('secret').set('k', 'hidden text')
    const raw = async (key: string) => Buffer.from((await remote.get(key))!.value as Uint8Array)
    expect((await raw('public:k')).includes('visible text')).toBe(true)
    expect((await raw('secret:k')).includes('hidden text')).toBe(false)
    expect(await cache.namespace('secret').get('k')).toBe('hidden text')
  })
})
