import { describe, expect, it } from '@jest/globals'
import {
  CacheError,
  configFromEnv,
  decodeEnvelope,
  encodeEnvelope,
  entryFromEnvelope,
  estimateSize,
  jsonSerializer,
  LatencyHistogram,
  parseBytes,
  parseDuration,
} from '@tierstack/core'

describe('parseDuration()', () => {
  it('parseDuration() reads numbers and unit strings', () => {
    expect(parseDuration(250)).toBe(250)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('2.5h')).toBe(9_000_000)
    expect(parseDuration('7d')).toBe(604_800_000)
    expect(parseDuration('0')).toBe(0)
    expect(parseDuration('infinite')).toBe(Number.POSITIVE_INFINITY)
  })
  it('parseDuration() refuses bad input with E_INVALID_TTL naming it', () => {
    for (const bad of [-1, Number.NaN, '', 'abc', '5 years', '1h30', {} as never]) {
      expect(() => parseDuration(bad, 'ttl')).toThrow(CacheError)
    }
    expect(() => parseDuration('5 years', 'ttl')).toThrow(/ttl '5 years'/)
  })
})

describe('parseBytes()', () => {
  it('parseBytes() reads numbers and unit strings in powers of 1024', () => {
    expect(parseBytes(10)).toBe(10)
    expect(parseBytes('100mb')).toBe(100 * 1024 * 1024)
    expect(parseBytes('1.5kb')).toBe(1536)
    expect(parseBytes('2GB')).toBe(2 * 1024 ** 3)
    expect(() => parseBytes('lots', 'maxBytes')).toThrow(/maxBytes 'lots'/)
    expect(() => parseBytes(-1)).toThrow(CacheError)
  })
})

describe('envelope', () => {
  it('encodeEnvelope() and decodeEnvelope() round-trip header and payload', () => {
    const payload = new Uint8Array([1, 2, 3, 255])
    const header = {
      createdAt: 1,
      expiresAt: 2,
      staleUntil: Number.POSITIVE_INFINITY,
      tags: ['a', 'ünï'],
      serializer: 'json',
      codecs: [
        { id: 'lz4', param: '' },
        { id: 'aes-256-gcm', param: 'k1' },
      ],
    }
    const bytes = encodeEnvelope(header, payload)
    const out = decodeEnvelope(bytes)
    expect(out.header).toEqual(header)
    expect([...out.payload]).toEqual([...payload])
    expect(entryFromEnvelope(bytes)).toMatchObject({ createdAt: 1, expiresAt: 2, tags: ['a', 'ünï'] })
  })
  it('decodeEnvelope() throws E_DECODE on garbage and truncation, never anything else', () => {
    const good = encodeEnvelope(
      { createdAt: 1, expiresAt: 2, staleUntil: 3, tags: ['t'], serializer: 'json', codecs: [] },
      new Uint8Array(10),
    )
    const cases = [
      new Uint8Array(0),
      new Uint8Array(40),
      good.subarray(0, 31),
      Uint8Array.from(good, (b, i) => (i === 0 ? 0 : b)),
    ]
    for (let i = 0; i < 2000; i++)
      cases.push(Uint8Array.from({ length: (i % 64) + 1 }, () => Math.floor(Math.random() * 256)))
    for (let i = 28; i < good.length; i++) cases.push(good.subarray(0, i))
    for (const c of cases) {
      try {
        decodeEnvelope(c)
      } catch (err) {
        expect((err as CacheError).code).toBe('E_DECODE')
      }
    }
    expect(() => decodeEnvelope(new Uint8Array(3))).toThrow(CacheError)
  })
})

describe('jsonSerializer()', () => {
  it('serialize() round-trips Date, Buffer, BigInt, Map, Set, NaN and objects that look like tags', () => {
    const s = jsonSerializer()
    const value = {
      date: new Date('2026-01-02T03:04:05.678Z'),
      buf: Buffer.from([0, 1, 2, 250]),
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set([3])],
      ]),
      set: new Set(['x']),
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      tricky: { $t: 'date', v: 'not a date' },
      arr: [1, undefined, 'three'],
      nested: { a: [{ b: null }] },
    }
    expect(s.deserialize(s.serialize(value))).toEqual(value)
    expect(s.deserialize(s.serialize('plain'))).toBe('plain')
  })
  it('serialize() refuses functions, symbols and cycles with E_SERIALIZE; deserialize() garbage gives E_DECODE', () => {
    const s = jsonSerializer()
    const cyc: { self?: unknown } = {}
    cyc.self = cyc
    expect(() => s.serialize(cyc)).toThrow(expect.objectContaining({ code: 'E_SERIALIZE' }))
    expect(() => s.serialize({ f() {} })).toThrow(expect.objectContaining({ code: 'E_SERIALIZE' }))
    expect(() => s.deserialize(new Uint8Array([0xff, 0xfe]))).toThrow(
      expect.objectContaining({ code: 'E_DECODE' }),
    )
    expect(() => s.deserialize(new TextEncoder().encode('{"$t":"weird"}'))).toThrow(
      expect.objectContaining({ code: 'E_DECODE' }),
    )
  })
})

describe('LatencyHistogram', () => {
  it('quantile() is within one bucket (≈9%) of the true percentile', () => {
    const h = new LatencyHistogram()
    for (let i = 1; i <= 1000; i++) h.record(i / 10)
    const s = h.summary()
    expect(s.count).toBe(1000)
    expect(s.p50).toBeGreaterThan(50 * 0.9)
    expect(s.p50).toBeLessThan(50 * 1.1)
    expect(s.p99).toBeGreaterThan(99 * 0.9)
    expect(s.p99).toBeLessThanOrEqual(100)
    expect(s.max).toBe(100)
  })
})

describe('estimateSize()', () => {
  it('estimateSize() grows with content and survives cycles', () => {
    expect(estimateSize('x'.repeat(1000))).toBeGreaterThan(estimateSize('x'))
    expect(estimateSize(Buffer.alloc(5000))).toBeGreaterThanOrEqual(5000)
    const a: Record<string, unknown> = { s: 'abc' }
    a.self = a
    expect(estimateSize(a)).toBeGreaterThan(0)
  })
})

describe('configFromEnv()', () => {
  it('configFromEnv() reads REDIS_URL, defaults and per-namespace settings', () => {
    const strategy = { name: 'fake', create: () => ({}) as never }
    const cfg = configFromEnv({
      env: {
        REDIS_URL: 'redis://localhost:6380',
        TIERSTACK_TTL: '10m',
        TIERSTACK_LLM_TTL: '7d',
        TIERSTACK_LLM_COMPRESS: 'true',
        TIERSTACK_LLM_COST_PER_MISS: '0.002',
        TIERSTACK_SESSIONS_STRATEGY: 'fake',
        TIERSTACK_SESSIONS_MAX_BYTES: '64mb',
        TIERSTACK_PREFS_ENCRYPT: '1',
        TIERSTACK_AES_KEYS: 'k1:aGVsbG8=,k2:abcd',
        TIERSTACK_ADMIN_TOKEN: 'ignored',
      },
      strategies: { fake: () => strategy },
    })
    expect(cfg.redisUrl).toBe('redis://localhost:6380')
    expect(cfg.defaults.ttl).toBe(600_000)
    expect(cfg.namespaces.llm).toEqual({ ttl: 604_800_000, compress: true, costPerMiss: 0.002 })
    expect(cfg.namespaces.sessions).toEqual({ strategy, maxBytes: 64 * 1024 * 1024 })
    expect(cfg.namespaces.prefs).toEqual({ encrypt: true })
    expect(cfg.aesKeys).toEqual({ keys: { k1: 'aGVsbG8=', k2: 'abcd' }, current: 'k2' })
  })
  it('configFromEnv() names the bad variable with E_INVALID_ENV', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ TIERSTACK_LLM_TTL: 'forever-ish' }, /TIERSTACK_LLM_TTL/],
      [{ TIERSTACK_LLM_MAX_BYTES: 'big' }, /TIERSTACK_LLM_MAX_BYTES/],
      [{ TIERSTACK_LLM_COMPRESS: 'maybe' }, /TIERSTACK_LLM_COMPRESS/],
      [{ TIERSTACK_LLM_STRATEGY: 'nope' }, /TIERSTACK_LLM_STRATEGY/],
      [{ TIERSTACK_AES_KEYS: 'nocolon' }, /TIERSTACK_AES_KEYS/],
      [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
      [{ TIERSTACK_X_MAX_ENTRIES: '-2' }, /TIERSTACK_X_MAX_ENTRIES/],
    ]
    for (const [env, re] of bad) {
      expect(() => configFromEnv({ env })).toThrow(re)
      expect(() => configFromEnv({ env })).toThrow(expect.objectContaining({ code: 'E_INVALID_ENV' }))
    }
  })
})

describe('envelopeOf()', () => {
  it('envelopeOf() keeps envelopes as they are and wraps other bytes so entryFromEnvelope() gives them back', async () => {
    const { envelopeOf } = await import('@tierstack/core')
    const env = encodeEnvelope(
      { createdAt: 1, expiresAt: 2, staleUntil: 3, tags: [], serializer: 'json', codecs: [] },
      new Uint8Array([9]),
    )
    expect(envelopeOf({ value: env, createdAt: 1, expiresAt: 2, staleUntil: 3, tags: [] })).toBe(env)
    const raw = new Uint8Array([0, 1, 2, 3])
    const wrapped = envelopeOf({ value: raw, createdAt: 10, expiresAt: 20, staleUntil: 30, tags: ['x'] })
    const back = entryFromEnvelope(wrapped)
    expect([...back.value]).toEqual([0, 1, 2, 3])
    expect(back).toMatchObject({ createdAt: 10, expiresAt: 20, staleUntil: 30, tags: ['x'] })
    expect(() => envelopeOf({ value: 'text', createdAt: 1, expiresAt: 2, staleUntil: 3, tags: [] })).toThrow(
      CacheError,
    )
  })
})

describe('DeadlineQueue', () => {
  it('race() settles fast calls with their result and times out slow ones in order, with one timer', async () => {
    const { DeadlineQueue, TIMED_OUT } = await import('../src/timeout.js')
    const q = new DeadlineQueue(40)
    const later = (ms: number, v: string) => new Promise<string>((r) => setTimeout(() => r(v), ms))
    const failing = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('boom')), 5))
    const started = performance.now()
    const results = await Promise.allSettled([
      q.race(later(5, 'fast')),
      q.race(later(200, 'slow')),
      q.race(failing),
      q.race(later(10, 'fast2')),
      q.race(later(300, 'slower')),
    ])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'fast',
      TIMED_OUT,
      'boom',
      'fast2',
      TIMED_OUT,
    ])
    expect(performance.now() - started).toBeLessThan(150)
    // Reusable after draining.
    expect(await q.race(later(1, 'again'))).toBe('again')
  })
})
