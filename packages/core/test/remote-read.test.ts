/**
 * The pieces of a remote hit: the JSON payload decode, the envelope fast path of ValuePipeline.decode and
 * the bookkeeping of TierHandle.get/run (breaker, counters, deadline), each against the general path.
 */
import { describe, expect, it } from '@jest/globals'
import {
  CacheError,
  encodeEnvelope,
  jsonSerializer,
  type Serializer,
  type StoredEntry,
  type Tier,
} from '@tierstack/core'
import { TierHandle } from '../src/tier-handle.js'
import { CodecRegistry, ValuePipeline } from '../src/value-pipeline.js'

const utf8 = new TextEncoder()

function pipelineWith(...extra: Serializer[]): ValuePipeline {
  const json = jsonSerializer()
  const registry = new CodecRegistry()
  registry.addSerializer(json)
  for (const s of extra) registry.addSerializer(s)
  registry.addCodec({
    id: 'rev',
    encode: (b) => Uint8Array.from(b).reverse(),
    decode: (b) => Uint8Array.from(b).reverse(),
  })
  return new ValuePipeline(json, [], registry)
}

/** The envelope at an odd offset of a larger Buffer, as an ioredis reply slice is. */
function inBuffer(bytes: Uint8Array): Buffer {
  const chunk = Buffer.alloc(bytes.length + 13, 0x20)
  chunk.set(bytes, 7)
  return chunk.subarray(7, 7 + bytes.length)
}

const times = { createdAt: 1_000, expiresAt: 2_000, staleUntil: 3_000 }

describe('jsonSerializer() payload decode', () => {
  const s = jsonSerializer()

  it('reads the payload at an offset of a Buffer or a Uint8Array as deserialize() of the slice does', () => {
    const value = { id: 7, name: 'ünïcødé ✓', list: [1, 'two', null], when: new Date(5) }
    const payload = s.serialize(value)
    const buf = Buffer.concat([Buffer.from('prefix'), payload])
    expect(s.deserializeAt(buf, 6)).toEqual(value)
    expect(s.deserializeAt(new Uint8Array(buf), 6)).toEqual(value)
    expect(s.deserialize(payload)).toEqual(value)
  })

  it('refuses invalid UTF-8 with E_DECODE even inside a JSON string, and keeps a real U+FFFD', () => {
    // "a<0xff>b" as a JSON string: a lenient decoder would turn it into "a\uFFFDb" and parse it.
    const bad = Buffer.from([0x22, 0x61, 0xff, 0x62, 0x22])
    expect(() => s.deserialize(bad)).toThrow(expect.objectContaining({ code: 'E_DECODE' }))
    expect(() => s.deserializeAt(Buffer.concat([Buffer.from('xx'), bad]), 2)).toThrow(
      expect.objectContaining({ code: 'E_DECODE' }),
    )
    // A lone surrogate encoded in UTF-8 (CESU) is invalid too.
    expect(() => s.deserialize(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow(
      expect.objectContaining({ code: 'E_DECODE' }),
    )
    expect(s.deserialize(s.serialize('a\uFFFDb'))).toBe('a\uFFFDb')
  })

  it('skips a leading byte-order mark, as the strict TextDecoder does', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8.encode('{"a":1}')])
    expect(s.deserialize(withBom)).toEqual({ a: 1 })
    expect(s.deserialize(utf8.encode('"\uFEFFkept"'))).toBe('\uFEFFkept')
  })
})

describe('ValuePipeline.decode()', () => {
  const value = { id: 1, roles: ['reader'], score: 1 / 7 }

  it('an untagged, uncompressed JSON entry decodes to the same entry, wherever its bytes sit', async () => {
    const p = pipelineWith()
    const envelope = await p.encode('ns:k', { value, ...times, tags: [] }, p.serialize(value))
    for (const bytes of [envelope, inBuffer(envelope)]) {
      expect(p.decode('ns:k', bytes)).toEqual({ value, ...times, tags: [] })
    }
  })

  it('entries with tags, codecs or another serializer take the general path and decode the same', async () => {
    const other: Serializer = {
      id: 'jsonx',
      serialize: (v) => utf8.encode(JSON.stringify(v)),
      deserialize: (b) => JSON.parse(new TextDecoder().decode(b)),
    }
    const p = pipelineWith(other)
    const json = p.serialize(value)
    const tagged = encodeEnvelope({ ...times, tags: ['t1', 'ü'], serializer: 'json', codecs: [] }, json)
    const coded = encodeEnvelope(
      { ...times, tags: [], serializer: 'json', codecs: [{ id: 'rev', param: '' }] },
      Uint8Array.from(json).reverse(),
    )
    const foreign = encodeEnvelope({ ...times, tags: [], serializer: 'jsonx', codecs: [] }, json)
    expect(p.decode('k', inBuffer(tagged))).toEqual({ value, ...times, tags: ['t1', 'ü'] })
    expect(p.decode('k', inBuffer(coded))).toEqual({ value, ...times, tags: [] })
    expect(p.decode('k', inBuffer(foreign))).toEqual({ value, ...times, tags: [] })
  })

  it('rejects bad timestamps, unknown serializers and unreadable payloads with E_DECODE', () => {
    const p = pipelineWith()
    const json = p.serialize(value)
    const cases = [
      encodeEnvelope({ ...times, staleUntil: 1_500, tags: [], serializer: 'json', codecs: [] }, json),
      encodeEnvelope({ ...times, createdAt: Number.NaN, tags: [], serializer: 'json', codecs: [] }, json),
      encodeEnvelope({ ...times, tags: [], serializer: 'jsoN', codecs: [] }, json),
      encodeEnvelope({ ...times, tags: [], serializer: 'json', codecs: [] }, utf8.encode('{"a":')),
      encodeEnvelope({ ...times, tags: [], serializer: 'json', codecs: [] }, new Uint8Array(0)),
    ]
    for (const bytes of cases) {
      expect(() => p.decode('k', inBuffer(bytes))).toThrow(expect.objectContaining({ code: 'E_DECODE' }))
    }
  })
})

/** A remote tier whose `get` does what the test says. */
function remoteTier(get: (key: string) => Promise<StoredEntry | undefined>, ownDeadline = true): Tier {
  return {
    name: 'remote',
    kind: 'remote',
    capabilities: {
      ttlPrecisionMs: 1,
      tags: false,
      batch: false,
      persistent: false,
      shared: true,
      timeouts: ownDeadline,
    },
    get,
    getMany: async () => [],
    set: async () => {},
    setMany: async () => {},
    delete: async () => 0,
    clear: async () => {},
    deleteByTag: async () => 0,
    health: async () => ({ ok: true, latencyMs: 0 }),
    close: async () => {},
  }
}

const entry: StoredEntry = { value: new Uint8Array(1), ...times, tags: [] }

describe('TierHandle.get() and run()', () => {
  it('answer what the tier answers and record the latency of each call', async () => {
    const t = new TierHandle(
      remoteTier(async () => entry),
      'c',
      1000,
      3,
      1000,
      Date.now,
    )
    expect(await t.get('k')).toBe(entry)
    expect(await t.run('get', () => Promise.resolve(undefined))).toBeUndefined()
    expect(t.latency.get.summary().count).toBe(2)
    expect(t.errors).toBe(0)
  })

  it('turn a thrown or rejected failure into E_TIER_ERROR, count it, and open the breaker at the threshold', async () => {
    let calls = 0
    const t = new TierHandle(
      remoteTier(() => {
        calls++
        if (calls === 1) throw new Error('sync boom')
        return Promise.reject(new Error('async boom'))
      }),
      'c',
      1000,
      2,
      60_000,
      Date.now,
    )
    const first = t.get('k')
    expect(first).toBeInstanceOf(Promise)
    await expect(first).rejects.toMatchObject({ code: 'E_TIER_ERROR' })
    await expect(t.get('k')).rejects.toMatchObject({ code: 'E_TIER_ERROR' })
    expect(t.errors).toBe(2)
    expect(t.breakerState).toBe('open')
    await expect(t.get('k')).rejects.toMatchObject({ code: 'E_TIER_UNAVAILABLE' })
    await expect(t.run('get', async () => entry)).rejects.toMatchObject({ code: 'E_TIER_UNAVAILABLE' })
    expect(calls).toBe(2)
  })

  it('let E_DECODE through without counting it against the breaker', async () => {
    const t = new TierHandle(
      remoteTier(() => Promise.reject(new CacheError('E_DECODE', 'bad bytes'))),
      'c',
      1000,
      1,
      60_000,
      Date.now,
    )
    await expect(t.get('k')).rejects.toMatchObject({ code: 'E_DECODE' })
    await expect(t.get('k')).rejects.toMatchObject({ code: 'E_DECODE' })
    expect(t.breakerState).toBe('closed')
    expect(t.errors).toBe(0)
  })

  it('race a tier without its own deadline against the timeout, and accept a plain value', async () => {
    const hung = new TierHandle(
      remoteTier(() => new Promise(() => {}), false),
      'c',
      20,
      5,
      60_000,
      Date.now,
    )
    await expect(hung.get('k')).rejects.toMatchObject({ code: 'E_TIER_TIMEOUT' })
    expect(hung.timeouts).toBe(1)
    const plain = new TierHandle(
      remoteTier(() => entry as unknown as Promise<StoredEntry>, false),
      'c',
      1000,
      5,
      60_000,
      Date.now,
    )
    expect(await plain.get('k')).toBe(entry)
  })
})
