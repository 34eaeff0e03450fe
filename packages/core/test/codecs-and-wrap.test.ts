import { describe, expect, it } from '@jest/globals'
import { CacheError, type Codec, channels, createCache, decodeEnvelope, memoryTier } from '@tierstack/core'
import { bytesTier } from '@tierstack/test-suite'

/** A reversible test codec that records its id and a parameter, and can skip small payloads. */
function xorCodec(
  id: string,
  kind: 'compression' | 'encryption',
  byte: number,
  minBytes = 0,
): Codec & { encoded: number } {
  return {
    id,
    kind,
    encoded: 0,
    encode(b, ctx) {
      if (b.length < minBytes) {
        ctx.skipped = true
        return b
      }
      this.encoded++
      ctx.param = `p${byte}`
      return b.map((x) => x ^ byte)
    },
    decode(b, ctx) {
      if (ctx.param !== `p${byte}`) throw new CacheError('E_DECODE', 'wrong param')
      return b.map((x) => x ^ byte)
    },
  }
}

describe('codecs in the engine', () => {
  it('set() applies compression then encryption, records both in the envelope, and get() reverses them', async () => {
    const remote = bytesTier({ name: 'remote' })
    const zip = xorCodec('zip', 'compression', 1)
    const enc = xorCodec('enc', 'encryption', 2)
    const cache = createCache({ tiers: [remote], codecs: [enc, zip] })
    await cache.set('k', { a: 'b' })
    const { header } = decodeEnvelope((await remote.get('default:k'))!.value as Uint8Array)
    expect(header.codecs).toEqual([
      { id: 'zip', param: 'p1' },
      { id: 'enc', param: 'p2' },
    ])
    expect(header.serializer).toBe('json')
    expect(await cache.get('k')).toEqual({ a: 'b' })
  })

  it('a codec that skips a small payload is not recorded, and the entry still reads back', async () => {
    const remote = bytesTier({ name: 'remote' })
    const zip = xorCodec('zip', 'compression', 1, 100)
    const cache = createCache({ tiers: [remote], codecs: [zip] })
    await cache.set('small', 'x')
    await cache.set('big', 'y'.repeat(500))
    expect(decodeEnvelope((await remote.get('default:small'))!.value as Uint8Array).header.codecs).toEqual([])
    expect(decodeEnvelope((await remote.get('default:big'))!.value as Uint8Array).header.codecs).toHaveLength(
      1,
    )
    expect(await cache.get('small')).toBe('x')
    expect(await cache.get('big')).toBe('y'.repeat(500))
  })

  it('namespaces choose codecs: compress/encrypt false opt out, a Codec picks one', async () => {
    const remote = bytesTier({ name: 'remote' })
    const zip = xorCodec('zip', 'compression', 1)
    const other = xorCodec('other', 'compression', 3)
    const enc = xorCodec('enc', 'encryption', 2)
    const cache = createCache({
      tiers: [remote],
      codecs: [zip, enc],
      namespaces: { plain: { compress: false, encrypt: false }, picked: { compress: other, encrypt: false } },
    })
    await cache.namespace('plain').set('k', 1)
    await cache.namespace('picked').set('k', 1)
    const ids = async (key: string) =>
      decodeEnvelope((await remote.get(key))!.value as Uint8Array).header.codecs.map((c) => c.id)
    expect(await ids('plain:k')).toEqual([])
    expect(await ids('picked:k')).toEqual(['other'])
    expect(await cache.namespace('picked').get('k')).toBe(1)
  })

  it('switching codecs leaves old entries readable through decoders, or clean misses without them', async () => {
    const remote = bytesTier({ name: 'remote' })
    const oldCodec = xorCodec('old', 'compression', 5)
    const writer = createCache({ tiers: [remote], codecs: [oldCodec] })
    await writer.set('k', 'written-with-old')
    const withDecoder = createCache({
      tiers: [remote],
      codecs: [xorCodec('new', 'compression', 6)],
      decoders: [oldCodec],
    })
    expect(await withDecoder.get('k')).toBe('written-with-old')
    const without = createCache({ tiers: [remote], codecs: [xorCodec('new', 'compression', 6)] })
    const errors: unknown[] = []
    const fn = (e: unknown) => errors.push(e)
    channels.error.subscribe(fn)
    try {
      expect(await without.get('k')).toBeUndefined()
    } finally {
      channels.error.unsubscribe(fn)
    }
    expect(without.stats().namespaces.default!.errors).toBe(1)
    expect(errors).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ code: 'E_DECODE' }) }),
    ])
  })
})

describe('wrap() and the cached() decorator', () => {
  it('wrap() memoizes by the key function and forwards arguments', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    let calls = 0
    const add = cache.wrap(
      async (a: number, b: number) => {
        calls++
        return a + b
      },
      { key: (a, b) => `add:${a}:${b}`, ttl: '1m' },
    )
    expect(await add(1, 2)).toBe(3)
    expect(await add(1, 2)).toBe(3)
    expect(await add(2, 2)).toBe(4)
    expect(calls).toBe(2)
    expect(await cache.get('add:1:2')).toBe(3)
    expect(() => cache.wrap(add, { ttl: 'nonsense' })).toThrow(CacheError)
  })

  it('cached() decorates a method so it runs once per argument list, with `this` intact', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const ns = cache.namespace('forecast')
    class Forecasts {
      calls = 0
      factor = 10
      @ns.cached({ ttl: '1h' })
      async forProduct(id: string): Promise<number> {
        this.calls++
        return id.length * this.factor
      }
    }
    const f = new Forecasts()
    expect(await f.forProduct('abc')).toBe(30)
    expect(await f.forProduct('abc')).toBe(30)
    expect(await f.forProduct('abcd')).toBe(40)
    expect(f.calls).toBe(2)
  })
})

describe('stats()', () => {
  it('stats() reports hits, misses, hit ratio, cost saved, latency and local tier size', async () => {
    const cache = createCache({ tiers: [memoryTier()], namespaces: { llm: { costPerMiss: 0.5 } } })
    const llm = cache.namespace('llm')
    await llm.getOrSet('q', () => 'a')
    for (let i = 0; i < 99; i++) await llm.get('q')
    await llm.get('missing')
    const s = cache.stats()
    expect(s.namespaces.llm).toMatchObject({ hits: 99, misses: 2, loaderCalls: 1, sets: 1 })
    expect(s.namespaces.llm!.hitRatio).toBeCloseTo(99 / 101)
    expect(s.namespaces.llm!.costSaved).toBeCloseTo(49.5)
    expect(s.namespaces.llm!.latency.get.count).toBeGreaterThan(0)
    expect(s.namespaces.llm!.latency.loader.count).toBe(1)
    expect(s.tiers.memory).toMatchObject({ kind: 'local', entries: 1 })
    expect(s.totals.hits).toBe(99)
  })
})

describe('events', () => {
  it('operation events are published on tierstack:operation with outcome and tier', async () => {
    const cache = createCache({ tiers: [memoryTier()] })
    const seen: { op: string; outcome?: string; tier?: string; key?: string }[] = []
    const fn = (e: unknown) => seen.push(e as never)
    channels.operation.subscribe(fn)
    try {
      await cache.set('k', 1)
      for (let i = 0; i < 3; i++) await cache.get('k')
      await cache.get('nope')
      await cache.getOrSet('g', () => 2)
      await cache.delete('k')
    } finally {
      channels.operation.unsubscribe(fn)
    }
    expect(seen.map((e) => e.op)).toEqual(['set', 'get', 'get', 'get', 'get', 'getOrSet', 'delete'])
    expect(seen[1]).toMatchObject({ outcome: 'hit', tier: 'memory', key: 'k', namespace: 'default' })
    expect(seen[4]).toMatchObject({ outcome: 'miss', key: 'nope' })
  })
})
