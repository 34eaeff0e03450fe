import { describe, expect, it } from '@jest/globals'
import type { Codec, EvictionStrategy, Serializer, Tier } from '@tierstack/core'
import {
  type CodecSuiteOptions,
  codecChecks,
  runCodecCheck,
  runSerializerCheck,
  runStrategyCheck,
  runTierCheck,
  type SerializerSuiteOptions,
  type StrategySuiteOptions,
  serializerChecks,
  strategyChecks,
  tierChecks,
} from '../src/index.js'
import { testSerializer, xorCrcCodec } from './fixtures/reference-codecs.js'
import { type ToyOptions, toyStrategy } from './fixtures/reference-strategies.js'
import { type ToyTierBugs, toyLocalTier } from './fixtures/toy-local-tier.js'

// Each check is run against a correct implementation (it must pass) and against one with a single deliberate
// bug (it must fail): this is what proves the suites can fail.

function named<T extends { name: string }>(list: readonly T[], start: string): T {
  const found = list.find((c) => c.name.startsWith(start))
  if (found === undefined) throw new Error(`no check starting with '${start}'`)
  return found
}

describe('tierComplianceSuite checks', () => {
  const cases: [string, 'local' | 'remote', ToyTierBugs][] = [
    ['getMany() returns entries in key order', 'local', { reversedGetMany: true }],
    ['delete() resolves to how many of the keys existed', 'local', { countsMissing: true }],
    [
      'clear(prefix) removes the keys under the prefix and nothing else',
      'local',
      { clearIgnoresPrefix: true },
    ],
    ['clear(prefix) takes the prefix literally', 'local', { likeWildcards: true }],
    ['delete() and clear() with special-character keys', 'local', { likeWildcards: true }],
    ['get() and getMany() never return an entry past its staleUntil', 'remote', { ignoresStaleUntil: true }],
    [
      'get() returns an entry whose expiresAt passed but staleUntil has not',
      'remote',
      { dropsAtExpiresAt: true },
    ],
    ['set() overwriting an entry replaces its tags', 'local', { keepsOldTags: true }],
    ['deleteByTag() only touches keys under the prefix', 'remote', { tagsIgnorePrefix: true }],
    ['set() and get() round-trip a large value', 'remote', { truncatesLarge: true }],
    ['set() and get() keep unicode, emoji and special-character keys apart', 'remote', { foldsCase: true }],
    ['close() is idempotent', 'local', { closeOnce: true }],
    ['get() returns the stored value', 'remote', { sharesBytes: true }],
  ]
  for (const [start, kind, bugs] of cases) {
    const bug = Object.keys(bugs)[0]
    it(`'${start}…' passes a correct ${kind} tier and fails one with bug '${bug}'`, async () => {
      const c = named(tierChecks, start)
      await expect(runTierCheck(c, () => toyLocalTier(kind))).resolves.toBeUndefined()
      await expect(runTierCheck(c, (): Tier => toyLocalTier(kind, bugs))).rejects.toThrow()
    })
  }

  it('runTierCheck() rejects for an unknown check name', async () => {
    await expect(runTierCheck('no such check', () => toyLocalTier())).rejects.toThrow(/no tier check/)
  })
})

describe('strategyComplianceSuite checks', () => {
  const lru: ToyOptions = { recency: true, admission: false }
  const cases: [string, ToyOptions['bugs'], StrategySuiteOptions][] = [
    ['set() keeps size ≤ maxEntries', { overCapacity: true }, { workloadOps: 2000 }],
    ["set() past maxEntries evicts with onEvict(key, value, 'capacity')", { overCapacity: true }, {}],
    ['set() keeps size ≤ maxEntries', { silentEvictions: true }, { workloadOps: 2000 }],
    ["set() past maxEntries evicts with onEvict(key, value, 'capacity')", { silentEvictions: true }, {}],
    [
      'get() protects an entry from eviction, peek() does not',
      { peekIsAccess: true },
      { recencyBased: true },
    ],
    ['peek() does not count as an access', { peekIsAccess: true }, {}],
    ['create() without maxEntries and maxBytes', { noValidation: true }, {}],
    ['create() with maxBytes but no sizeOf', { noDefaultSize: true }, {}],
    ['create() with a negative or NaN', { noValidation: true }, {}],
    ['get(), peek() and has() treat an entry as absent from its expiresAt on', { ignoreExpiry: true }, {}],
    [
      'get() and peek() never return an expired or wrong value',
      { ignoreExpiry: true },
      { workloadOps: 2000 },
    ],
    ['set() overwriting a key replaces the value and its size', { leakBytes: true }, {}],
    ['set() keeps bytes ≤ maxBytes', { leakBytes: true }, { workloadOps: 2000 }],
  ]
  for (const [start, bugs, options] of cases) {
    const bug = Object.keys(bugs ?? {})[0]
    it(`'${start}…' passes a correct strategy and fails one with bug '${bug}'`, async () => {
      const c = named(strategyChecks, start)
      await expect(runStrategyCheck(c, () => toyStrategy('lru', lru), options)).resolves.toBeUndefined()
      await expect(
        runStrategyCheck(c, (): EvictionStrategy => toyStrategy('lru', { ...lru, bugs }), options),
      ).rejects.toThrow()
    })
  }

  it("'set() of a scan of one-time keys…' fails an LRU that claims an admission filter (hot keys are flushed)", async () => {
    const c = named(strategyChecks, 'set() of a scan of one-time keys')
    await expect(
      runStrategyCheck(c, () => toyStrategy('door', { recency: true, admission: true }), {
        admissionFilter: true,
      }),
    ).resolves.toBeUndefined()
    await expect(
      runStrategyCheck(c, () => toyStrategy('lru', lru), { admissionFilter: true }),
    ).rejects.toThrow()
  })

  it("'set() of a key requested again and again…' fails a strategy that never admits", async () => {
    const c = named(strategyChecks, 'set() of a key requested again and again')
    const never: EvictionStrategy = {
      name: 'never',
      create: (o) => {
        const inner = toyStrategy('lru', lru).create(o)
        return Object.assign(Object.create(inner) as typeof inner, {
          set: (k: string, v: unknown) => (inner.size < 10 ? inner.set(k, v as never) : false),
          get: (k: string) => inner.get(k),
          get size() {
            return inner.size
          },
        })
      },
    }
    await expect(runStrategyCheck(c, () => never, { admissionFilter: true })).rejects.toThrow()
  })
})

describe('codecComplianceSuite checks', () => {
  const cases: [string, () => Codec, CodecSuiteOptions][] = [
    ['decode() of output with one flipped bit', () => xorCrcCodec({ bugs: { noChecksum: true } }), {}],
    ['decode() of garbage', () => xorCrcCodec({ bugs: { plainErrors: true } }), {}],
    ['decode() of truncated output', () => xorCrcCodec({ bugs: { plainErrors: true } }), {}],
    [
      'encode() then decode() round-trips a 1-byte payload',
      () => xorCrcCodec({ bugs: { contextSkip: true } }),
      {},
    ],
    [
      'encode() output decodes on its own whether or not encode() sets skipped',
      () => xorCrcCodec({ bugs: { contextSkip: true } }),
      {},
    ],
    [
      'encode() then decode() round-trip below and above size thresholds with a fresh context',
      () => xorCrcCodec({ bugs: { contextSkip: true } }),
      {},
    ],
    ['encode() then decode() without a context', () => xorCrcCodec({ bugs: { needsContext: true } }), {}],
    ['encode() then decode() without a context', () => xorCrcCodec({ bugs: { contextSkip: true } }), {}],
    [
      'encode() then decode() without a context',
      () => xorCrcCodec({ bindKey: true, bugs: { emptyKeyWithoutContext: true } }),
      { bindsKey: true },
    ],
    [
      'encode() then decode() round-trips a Uint8Array view',
      () => xorCrcCodec({ bugs: { ignoresByteOffset: true } }),
      {},
    ],
    ['decode() with another ctx.key', () => xorCrcCodec({ bindKey: false }), { bindsKey: true }],
    ['decode() with another ctx.key', () => xorCrcCodec({ bindKey: true }), { bindsKey: false }],
    ['decode() of seeded random and mutated inputs', () => xorCrcCodec({ bugs: { plainErrors: true } }), {}],
    ['decode() of seeded random and mutated inputs', () => xorCrcCodec({ bugs: { noChecksum: true } }), {}],
  ]
  for (const [start, broken, options] of cases) {
    it(`'${start}…' passes the reference codec and fails a broken one`, async () => {
      const c = named(codecChecks, start)
      const good = () => xorCrcCodec({ bindKey: options.bindsKey ?? false })
      await expect(runCodecCheck(c, good, options)).resolves.toBeUndefined()
      await expect(runCodecCheck(c, broken, options)).rejects.toThrow()
    })
  }

  it("'decode() of garbage…' fails a codec that hangs on bad input", async () => {
    const c = named(codecChecks, 'decode() of garbage')
    const base = xorCrcCodec()
    const hanging: Codec = {
      id: 'hang',
      encode: base.encode,
      decode: () => new Promise<Uint8Array>(() => undefined),
    }
    await expect(runCodecCheck(c, () => hanging, { decodeTimeoutMs: 50 })).rejects.toThrow(/did not settle/)
  })

  it("'decode() of seeded random and mutated inputs…' fails a codec below fuzzMinRefused", async () => {
    const c = named(codecChecks, 'decode() of seeded random and mutated inputs')
    const options: CodecSuiteOptions = { detectsCorruption: false, fuzzMinRefused: 0.5 }
    // Without a checksum, only inputs under 4 bytes and the wrong-param ones are refused: well under half.
    await expect(runCodecCheck(c, () => xorCrcCodec(), options)).resolves.toBeUndefined()
    await expect(
      runCodecCheck(c, () => xorCrcCodec({ bugs: { noChecksum: true } }), options),
    ).rejects.toThrow(/fuzzMinRefused/)
  })

  it("'decode() of seeded random and mutated inputs…' names the input, seed and param of a failure", async () => {
    const c = named(codecChecks, 'decode() of seeded random and mutated inputs')
    const broken = () => xorCrcCodec({ bugs: { plainErrors: true } })
    await expect(runCodecCheck(c, broken, { fuzzSeed: 77 })).rejects.toThrow(
      /fuzz input #\d+ \(seed 77, \d+ bytes: [0-9a-f]*…?, param '[^']*'\)/,
    )
  })

  it("'…highly compressible bytes' fails a compression codec that does not compress", async () => {
    const c = named(codecChecks, 'encode() then decode() round-trips 1 MiB of highly compressible')
    const fake: Codec = { ...xorCrcCodec(), kind: 'compression' }
    await expect(runCodecCheck(c, () => fake)).rejects.toThrow()
  })
})

describe('serializerComplianceSuite checks', () => {
  const cases: [string, () => Serializer, SerializerSuiteOptions][] = [
    ['serialize() round-trips Date', () => testSerializer({ bugs: { lossy: true } }), {}],
    ['serialize() round-trips Date', () => testSerializer({ bugs: { lossy: true } }), { date: false }],
    ['serialize() round-trips Map', () => testSerializer({ bugs: { lossy: true } }), { map: false }],
    ['serialize() round-trips Date', () => testSerializer(), {}],
    ['deserialize() of garbage', () => testSerializer({ rich: true, bugs: { rawParseErrors: true } }), {}],
    [
      'deserialize() of seeded random and mutated inputs',
      () => testSerializer({ rich: true, bugs: { rawParseErrors: true } }),
      {},
    ],
  ]
  for (const [start, broken, options] of cases) {
    it(`'${start}…' with ${JSON.stringify(options)} passes the reference serializer and fails a broken one`, async () => {
      const c = named(serializerChecks, start)
      const rich = Object.keys(options).length === 0
      await expect(runSerializerCheck(c, () => testSerializer({ rich }), options)).resolves.toBeUndefined()
      await expect(runSerializerCheck(c, broken, options)).rejects.toThrow()
    })
  }

  it("'deserialize() of seeded random and mutated inputs…' fails a serializer below fuzzMinRefused", async () => {
    const c = named(serializerChecks, 'deserialize() of seeded random and mutated inputs')
    const lenient: Serializer = {
      ...testSerializer({ rich: true }),
      deserialize: (bytes) => {
        try {
          return testSerializer({ rich: true }).deserialize(bytes)
        } catch {
          return null // swallows every decode error
        }
      },
    }
    const options = { fuzzMinRefused: 0.5 }
    await expect(
      runSerializerCheck(c, () => testSerializer({ rich: true }), options),
    ).resolves.toBeUndefined()
    await expect(runSerializerCheck(c, () => lenient, options)).rejects.toThrow(/fuzzMinRefused/)
  })
})
