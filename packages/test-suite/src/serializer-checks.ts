import { expect } from '@jest/globals'
import { isCacheError, type Serializer } from '@tierstack/core'
import { DEFAULT_FUZZ_SEED, fuzzBytes, fuzzLabel, hexPreview } from './fuzz.js'
import { findCheck } from './suite-kit.js'

/**
 * Options of {@link serializerComplianceSuite}. Each type flag says whether the serializer round-trips that
 * type; a type it does not support must make `serialize()` throw `CacheError` `E_SERIALIZE` (never a silent
 * change of type, like `JSON.stringify` turning a `Date` into a string or a `Map` into `{}`).
 */
export interface SerializerSuiteOptions {
  /** `Date` round-trips as a `Date`. @default true */
  date?: boolean
  /** `Uint8Array` / `Buffer` round-trip as a `Uint8Array` (a `Buffer` is fine) with the same bytes. @default true */
  binary?: boolean
  /** `bigint` round-trips. @default true */
  bigint?: boolean
  /** `Map` round-trips, keys of any type included. @default true */
  map?: boolean
  /** `Set` round-trips. @default true */
  set?: boolean
  /** `NaN`, `Infinity` and `-Infinity` round-trip. @default true */
  specialNumbers?: boolean
  /** Circular structures round-trip; when `false` they must throw `E_SERIALIZE` (not a stack overflow). @default false */
  circular?: boolean
  /** Extra byte strings that are not valid output and must throw `E_DECODE`. @default [] */
  garbage?: Uint8Array[]
  /**
   * Number of inputs of the fuzz check: random byte strings and mutated valid output (see `fuzzBytes`), each of
   * which `deserialize()` must turn into a value or `CacheError` `E_DECODE`, nothing else. @default 2_000
   */
  fuzzInputs?: number
  /** Seed of the fuzz check's inputs (quoted in failure messages, so a failure can be replayed). @default 2024 */
  fuzzSeed?: number
  /**
   * Extra values whose serialized bytes join the fuzz corpus, for types the suite does not know (`undefined`,
   * extension types). The corpus already holds the JSON samples and a sample of every supported type. @default []
   */
  fuzzValues?: unknown[]
  /**
   * Least share (0–1) of the fuzz inputs that `deserialize()` must refuse with `E_DECODE`, so a decoder that
   * stopped checking its input fails. Formats where most byte strings are valid (MessagePack: any byte is a
   * value) need a low floor. @default 0
   */
  fuzzMinRefused?: number
  /** Timeout of each test, in milliseconds. @default 30_000 */
  timeoutMs?: number
}

/** What one serializer check receives. */
export interface SerializerCheckContext {
  /** A fresh serializer from the factory. */
  readonly serializer: Serializer
  readonly options: SerializerSuiteOptions
}

/** One named check of the serializer suite; `run` throws when the serializer does not comply. */
export interface SerializerCheck {
  readonly group: string
  /** Stable name (what `runSerializerCheck` looks up). */
  readonly name: string
  /** The test's title under these options, when it differs from `name` (e.g. with the fuzz size). */
  readonly title?: (options: SerializerSuiteOptions) => string
  run(ctx: SerializerCheckContext): void | Promise<void>
}

type Feature = 'date' | 'binary' | 'bigint' | 'map' | 'set' | 'specialNumbers'

/** Makes values comparable with `toEqual` while keeping every type distinct (a Map never equals an object). */
function normalize(v: unknown, seen = new Set<unknown>()): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() }
  if (v === null || typeof v !== 'object') return v
  if (seen.has(v)) return { $circular: true }
  seen.add(v)
  try {
    if (v instanceof Uint8Array) return { $bytes: Array.from(v) }
    if (v instanceof Date) return { $date: v.getTime() }
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [normalize(k, seen), normalize(x, seen)]) }
    if (v instanceof Set) return { $set: [...v].map((x) => normalize(x, seen)) }
    if (Array.isArray(v)) return { $array: v.map((x) => normalize(x, seen)) }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v)) out[k] = normalize((v as Record<string, unknown>)[k], seen)
    return { $object: out }
  } finally {
    seen.delete(v)
  }
}

function roundTrip(s: Serializer, value: unknown): unknown {
  const bytes = s.serialize(value)
  if (!(bytes instanceof Uint8Array))
    throw new Error(`serialize() returned ${Object.prototype.toString.call(bytes)}, not a Uint8Array`)
  const back = s.deserialize(bytes)
  expect(normalize(back)).toEqual(normalize(value))
  return back
}

function expectCode(fn: () => unknown, code: 'E_SERIALIZE' | 'E_DECODE', what: string): void {
  let thrown: unknown
  let returned: unknown
  try {
    returned = fn()
  } catch (err) {
    thrown = err
  }
  if (thrown === undefined) {
    throw new Error(`${what} must throw CacheError ${code}, but returned ${String(returned)}`)
  }
  if (!isCacheError(thrown, code)) {
    const got = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)
    throw new Error(`${what} must throw CacheError ${code}, but threw ${got}`)
  }
}

function check(
  group: string,
  name: string,
  run: (ctx: SerializerCheckContext) => void | Promise<void>,
): SerializerCheck {
  return { group, name, run }
}

const FEATURE_SAMPLES: Record<Feature, () => unknown[]> = {
  date: () => [
    new Date(0),
    new Date('2024-02-29T12:34:56.789Z'),
    { at: new Date(1_700_000_000_123) },
    [new Date(-1)],
  ],
  binary: () => {
    const all = new Uint8Array(256)
    for (let i = 0; i < 256; i++) all[i] = i
    return [
      all,
      new Uint8Array(0),
      Buffer.from('héllo'),
      new Uint8Array(all.buffer, 10, 20),
      { blob: Buffer.from([1, 2, 3]) },
    ]
  },
  bigint: () => [0n, 123n, -(2n ** 100n), 2n ** 64n, { n: 9007199254740993n }],
  map: () => [
    new Map(),
    new Map<unknown, unknown>([
      ['a', 1],
      ['b', { c: [1, 2] }],
    ]),
    new Map<unknown, unknown>([
      [1, 'one'],
      ['1', 'string one'],
    ]),
    { m: new Map([['k', new Map([['deep', true]])]]) },
  ],
  set: () => [new Set(), new Set<unknown>([1, 'a', null]), { s: new Set(['x', 'y']) }],
  specialNumbers: () => [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    { n: Number.NaN, list: [Number.POSITIVE_INFINITY] },
  ],
}

const FEATURE_DEFAULTS: Record<Feature, boolean> = {
  date: true,
  binary: true,
  bigint: true,
  map: true,
  set: true,
  specialNumbers: true,
}

const FEATURE_NAMES: Record<Feature, string> = {
  date: 'Date',
  binary: 'Uint8Array and Buffer',
  bigint: 'BigInt',
  map: 'Map',
  set: 'Set',
  specialNumbers: 'NaN and ±Infinity',
}

function featureCheck(feature: Feature): SerializerCheck {
  return check(
    'types',
    `serialize() round-trips ${FEATURE_NAMES[feature]} when supported, and throws E_SERIALIZE when not`,
    (ctx) => {
      const supported = ctx.options[feature] ?? FEATURE_DEFAULTS[feature]
      for (const sample of FEATURE_SAMPLES[feature]()) {
        if (supported) {
          const back = roundTrip(ctx.serializer, sample)
          if (sample instanceof Uint8Array) expect(back).toBeInstanceOf(Uint8Array)
        } else {
          expectCode(
            () => ctx.serializer.serialize(sample),
            'E_SERIALIZE',
            `serialize(${FEATURE_NAMES[feature]})`,
          )
        }
      }
    },
  )
}

/** Values every serializer must round-trip, used by the round-trip checks and as seeds of the fuzz check. */
function basicSamples(): unknown[] {
  let deep: unknown = { leaf: 'bottom' }
  for (let i = 0; i < 50; i++) deep = i % 2 ? { level: i, next: deep } : [i, deep]
  return [
    '',
    'hello',
    'Grüße, 世界 🚀',
    'quotes " \' and \\ backslashes \n\t and \u0000 nul',
    'x'.repeat(100_000),
    0,
    1,
    -1,
    1.5,
    -1e-300,
    1e308,
    0.1 + 0.2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32 + 1,
    true,
    false,
    null,
    [],
    {},
    [1, 'two', null, true, [3, [4]], { five: 5 }],
    { a: 1, b: 'two', c: null, d: [1, 2, { e: false }], f: { g: { h: 'deep' } } },
    { ключ: 'значение', '🔑': '🚀', 'with space': 1, '': 'empty key' },
    { $t: 'date', v: 'not a date' },
    { $type: 'Map', __type: 'x', _: 1 },
    deep,
  ]
}

/**
 * Values whose serialized bytes the fuzz check mutates: the short JSON samples, a sample of every type the
 * serializer declares, and `options.fuzzValues`.
 */
function fuzzCorpus(ctx: SerializerCheckContext): unknown[] {
  const values = basicSamples().filter((v) => typeof v !== 'string' || v.length < 1000)
  for (const feature of Object.keys(FEATURE_DEFAULTS) as Feature[]) {
    if (ctx.options[feature] ?? FEATURE_DEFAULTS[feature]) values.push(...FEATURE_SAMPLES[feature]())
  }
  return [...values, ...(ctx.options.fuzzValues ?? [])]
}

/** Every check of the serializer compliance suite, by group. */
export const serializerChecks: readonly SerializerCheck[] = [
  // ── round trip ──────────────────────────────────────────────────────────────
  check('round trip', 'serialize() then deserialize() round-trips strings, including unicode', (ctx) => {
    for (const v of basicSamples().filter((x) => typeof x === 'string')) roundTrip(ctx.serializer, v)
  }),
  check('round trip', 'serialize() then deserialize() round-trips numbers', (ctx) => {
    for (const v of basicSamples().filter((x) => typeof x === 'number')) roundTrip(ctx.serializer, v)
  }),
  check('round trip', 'serialize() then deserialize() round-trips booleans and null', (ctx) => {
    for (const v of [true, false, null, [true, false, null], { t: true, f: false, n: null }])
      roundTrip(ctx.serializer, v)
  }),
  check('round trip', 'serialize() then deserialize() round-trips nested objects and arrays', (ctx) => {
    for (const v of basicSamples().filter((x) => x !== null && typeof x === 'object'))
      roundTrip(ctx.serializer, v)
  }),
  check('round trip', 'deserialize() reads a Uint8Array view at a non-zero byteOffset', (ctx) => {
    const value = { a: [1, 2, 3], b: 'view ✓' }
    const bytes = ctx.serializer.serialize(value)
    const backing = new Uint8Array(bytes.length + 11).fill(0xc1)
    backing.set(bytes, 5)
    expect(normalize(ctx.serializer.deserialize(backing.subarray(5, 5 + bytes.length)))).toEqual(
      normalize(value),
    )
  }),

  // ── types ───────────────────────────────────────────────────────────────────
  featureCheck('date'),
  featureCheck('binary'),
  featureCheck('bigint'),
  featureCheck('map'),
  featureCheck('set'),
  featureCheck('specialNumbers'),
  check(
    'types',
    'serialize() of a circular structure round-trips when supported, and throws E_SERIALIZE when not',
    (ctx) => {
      const a: Record<string, unknown> = { name: 'a' }
      a.self = a
      if (ctx.options.circular ?? false) {
        const back = ctx.serializer.deserialize(ctx.serializer.serialize(a)) as Record<string, unknown>
        expect(back.name).toBe('a')
        expect(back.self).toBe(back)
      } else {
        expectCode(() => ctx.serializer.serialize(a), 'E_SERIALIZE', 'serialize(circular)')
      }
    },
  ),

  // ── damaged input ───────────────────────────────────────────────────────────
  check('damaged input', 'deserialize() of garbage or truncated bytes throws CacheError E_DECODE', (ctx) => {
    const valid = ctx.serializer.serialize({ a: 'x'.repeat(100), b: [1, 2, 3], c: { d: 'nested' } })
    const samples: [string, Uint8Array][] = [
      ['empty bytes', new Uint8Array(0)],
      ['[0xc1]', new Uint8Array([0xc1])],
      ['[0xc1, 0xc1, 0xc1]', new Uint8Array([0xc1, 0xc1, 0xc1])],
      [
        `output truncated to ${Math.floor(valid.length / 2)} of ${valid.length} bytes`,
        valid.slice(0, Math.floor(valid.length / 2)),
      ],
      ...(ctx.options.garbage ?? []).map((g, i) => [`options.garbage[${i}]`, g] as [string, Uint8Array]),
    ]
    for (const [what, bytes] of samples)
      expectCode(() => ctx.serializer.deserialize(bytes), 'E_DECODE', `deserialize(${what})`)
  }),
  {
    title: (o) => `deserialize() of ${fuzzLabel(o)} returns a value or throws E_DECODE, nothing else`,
    ...check(
      'damaged input',
      'deserialize() of seeded random and mutated inputs (fuzzInputs) returns a value or throws E_DECODE, nothing else',
      (ctx) => {
        const count = ctx.options.fuzzInputs ?? 2_000
        const seed = ctx.options.fuzzSeed ?? DEFAULT_FUZZ_SEED
        const corpus = fuzzCorpus(ctx).map((v) => ctx.serializer.serialize(v))
        let refused = 0
        for (const input of fuzzBytes(corpus, { count, seed })) {
          try {
            ctx.serializer.deserialize(input.bytes)
          } catch (err) {
            if (!isCacheError(err, 'E_DECODE')) {
              const got = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
              throw new Error(
                `fuzz input #${input.index} (seed ${seed}, ${input.bytes.length} bytes: ${hexPreview(input.bytes)}) threw ${got} instead of CacheError E_DECODE`,
              )
            }
            refused++
          }
        }
        const floor = ctx.options.fuzzMinRefused ?? 0
        if (refused < floor * count) {
          throw new Error(
            `deserialize() refused only ${refused} of ${count} fuzz inputs (seed ${seed}) with E_DECODE, fewer than fuzzMinRefused ${floor}`,
          )
        }
        // Still healthy afterwards.
        roundTrip(ctx.serializer, { ok: true, list: [1, 'two'] })
      },
    ),
  },

  // ── identity ────────────────────────────────────────────────────────────────
  check('identity', 'id is a non-empty string of at most 255 UTF-8 bytes', (ctx) => {
    expect(typeof ctx.serializer.id).toBe('string')
    expect(ctx.serializer.id.length).toBeGreaterThan(0)
    expect(new TextEncoder().encode(ctx.serializer.id).length).toBeLessThanOrEqual(255)
  }),
]

/** Runs one serializer check (by object or name) against a fresh serializer from `factory`. */
export async function runSerializerCheck(
  check: SerializerCheck | string,
  factory: () => Serializer,
  options: SerializerSuiteOptions = {},
): Promise<void> {
  await findCheck(serializerChecks, check, 'serializer').run({ serializer: factory(), options })
}
