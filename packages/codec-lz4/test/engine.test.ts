import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { type Codec, createCache, decodeEnvelope, memoryTier } from '@tierstack/core'
import { aesGcm } from '@tierstack/codec-aes'
import { gzip } from '@tierstack/codec-gzip'
import { msgpack } from '@tierstack/codec-msgpack'
import { sqliteTier } from '@tierstack/tier-sqlite'
import { testScope } from '@tierstack/test-suite'
import { lz4 } from '../src/index.js'

// Integration through the real engine and a real remote tier (an SQLite file): switching a namespace's
// compression, and the full serialize → compress → encrypt pipeline.

const scope = testScope('codec-lz4-')

function open(codecs: Codec[], decoders: Codec[] = []) {
  const tier = sqliteTier({ path: scope.path('cache.db') })
  const cache = scope.track(
    createCache({ tiers: [tier], serializer: msgpack(), codecs, decoders, defaults: { ttl: '1h' } }),
  )
  return { cache, tier }
}

/** A JSON-like value that serializes to roughly `bytes` bytes and compresses well. */
function document(bytes: number): { rows: { id: number; name: string; active: boolean }[] } {
  const rows = []
  for (let i = 0; i * 40 < bytes; i++) rows.push({ id: i, name: `user-${i}`, active: i % 2 === 0 })
  return { rows }
}

async function codecIds(
  tier: { get(k: string): Promise<{ value: unknown } | undefined> },
  key: string,
): Promise<string[]> {
  return decodeEnvelope((await tier.get(key))!.value as Uint8Array).header.codecs.map((c) => c.id)
}

describe('lz4() through the engine and a SQLite tier', () => {
  it('set() compresses large values with lz4, leaves small ones alone, and get() reads both back', async () => {
    const { cache, tier } = open([lz4()])
    const big = document(64 * 1024)
    await cache.set('big', big)
    await cache.set('small', { a: 1 })
    expect(await codecIds(tier, 'default:big')).toEqual(['lz4'])
    expect(await codecIds(tier, 'default:small')).toEqual([])
    expect(((await tier.get('default:big'))!.value as Uint8Array).length).toBeLessThan((64 * 1024) / 3)
    const reader = open([lz4()])
    expect(await reader.cache.get('big')).toEqual(big)
    expect(await reader.cache.get('small')).toEqual({ a: 1 })
  })

  it('switching a namespace from gzip to lz4 keeps old entries readable through decoders', async () => {
    const before = open([gzip()])
    const oldBig = document(32 * 1024)
    await before.cache.namespace('docs').set('old-big', oldBig)
    await before.cache.namespace('docs').set('old-small', 'tiny')
    expect(await codecIds(before.tier, 'docs:old-big')).toEqual(['gzip'])

    const after = open([lz4()], [gzip()])
    const docs = after.cache.namespace('docs')
    expect(await docs.get('old-big')).toEqual(oldBig)
    expect(await docs.get('old-small')).toBe('tiny')
    await docs.set('new-big', document(32 * 1024))
    expect(await codecIds(after.tier, 'docs:new-big')).toEqual(['lz4'])
    expect(after.cache.stats().namespaces.docs!.errors).toBe(0)
  })

  it('switching from gzip to lz4 without decoders turns old compressed entries into clean misses', async () => {
    const before = open([gzip()])
    await before.cache.namespace('docs').set('old-big', document(32 * 1024))
    await before.cache.namespace('docs').set('old-small', 'tiny') // under minBytes: no codec recorded

    const after = open([lz4()])
    const docs = after.cache.namespace('docs')
    expect(await docs.get('old-big')).toBeUndefined()
    expect(after.cache.stats().namespaces.docs!.errors).toBe(1)
    expect(await after.tier.get('docs:old-big')).toBeUndefined() // removed, so the next write starts clean
    expect(await docs.get('old-small')).toBe('tiny')
    const fresh = document(32 * 1024)
    expect(await docs.getOrSet('old-big', async () => fresh)).toEqual(fresh)
    expect(await codecIds(after.tier, 'docs:old-big')).toEqual(['lz4'])
  })

  it('msgpack → lz4 → aes-256-gcm: order is compress then encrypt, and a second instance reads it back', async () => {
    const keys = { k1: randomBytes(32) }
    const { cache, tier } = open([aesGcm({ keys }), lz4()]) // listed out of order on purpose
    const value = {
      ...document(16 * 1024),
      at: new Date(0),
      tags: new Set(['a']),
      counts: new Map([['x', 1n]]),
    }
    await cache.namespace('secure').set('doc', value)
    const { header, payload } = decodeEnvelope((await tier.get('secure:doc'))!.value as Uint8Array)
    expect(header.codecs).toEqual([
      { id: 'lz4', param: '' },
      { id: 'aes-256-gcm', param: 'k1' },
    ])
    expect(payload.length).toBeLessThan((16 * 1024) / 3) // compressed before encryption, or it would not shrink
    const reader = open([lz4(), aesGcm({ keys })])
    expect(await reader.cache.namespace('secure').get('doc')).toEqual(value)
  })

  it('a memory tier in front serves the live value while the SQLite tier holds the lz4 bytes', async () => {
    const tier = sqliteTier({ path: scope.path('stack.db') })
    const cache = scope.track(
      createCache({ tiers: [memoryTier({ maxEntries: 10 }), tier], serializer: msgpack(), codecs: [lz4()] }),
    )
    const value = document(8 * 1024)
    await cache.set('k', value)
    expect(await codecIds(tier, 'default:k')).toEqual(['lz4'])
    expect(await cache.get('k')).toEqual(value)
    expect(cache.stats().namespaces.default!.hitsByTier.memory).toBe(1)
  })
})
