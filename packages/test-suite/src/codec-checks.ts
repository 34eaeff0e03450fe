import { expect } from '@jest/globals'
import { type Codec, type CodecContext, isCacheError } from '@tierstack/core'
import { codecContext } from './codec-context.js'
import { pseudoRandomBytes, sameBytes, seededRandom } from './entries.js'
import { DEFAULT_FUZZ_SEED, fuzzBytes, fuzzLabel, hexPreview } from './fuzz.js'
import { findCheck } from './suite-kit.js'

/** Options of {@link codecComplianceSuite}: they adapt expectations, they never skip checks. */
export interface CodecSuiteOptions {
  /**
   * The codec detects any damage to its output (checksum, authentication tag): decoding garbage, truncated or
   * bit-flipped input must throw `E_DECODE` (or, for a flip in a field the codec ignores, return the original
   * bytes). When `false` (a bare compression format without checksum), damaged input may also decode to other
   * bytes — but it still never throws anything other than `CacheError` `E_DECODE`. @default true
   */
  detectsCorruption?: boolean
  /**
   * The codec binds the entry key (AES-GCM associated data): decoding with another `ctx.key` must throw
   * `E_DECODE`, and so must decoding without a context; encoding without one must throw. When `false`,
   * decoding with another key, or with no context at all, must round-trip. @default false
   */
  bindsKey?: boolean
  /** Size of the payload encoded for the damaged-input checks; the codec must not skip it. In bytes. @default 65_536 */
  damagePayloadBytes?: number
  /** How long one decode of damaged input may take before the suite calls it a hang, in ms. @default 5_000 */
  decodeTimeoutMs?: number
  /**
   * Number of inputs of the fuzz check: random byte strings and mutated valid encodings (see `fuzzBytes`), each
   * of which `decode()` must turn into bytes or `CacheError` `E_DECODE`, nothing else. @default 2_000
   */
  fuzzInputs?: number
  /** Seed of the fuzz check's inputs (quoted in failure messages, so a failure can be replayed). @default 2024 */
  fuzzSeed?: number
  /**
   * Least share (0–1) of the fuzz inputs that `decode()` must refuse with `E_DECODE`: a floor for codecs that
   * declare `detectsCorruption: false`, so a decoder that stopped checking its input still fails. (With
   * `detectsCorruption`, every random input must be refused anyway.) @default 0
   */
  fuzzMinRefused?: number
  /**
   * More `ctx.param` values for the fuzz check to decode with, besides the right one, `''` and an unknown one
   * (e.g. the other key ids of a keyring). @default []
   */
  fuzzParams?: string[]
  /** Timeout of each test, in milliseconds. @default 30_000 */
  timeoutMs?: number
}

/** What one codec check receives. */
export interface CodecCheckContext {
  /** A fresh codec from the factory. */
  readonly codec: Codec
  readonly options: CodecSuiteOptions
}

/** One named check of the codec suite; `run` throws when the codec does not comply. */
export interface CodecCheck {
  readonly group: string
  /** Stable name (what `runCodecCheck` looks up). */
  readonly name: string
  /** The test's title under these options, when it differs from `name` (e.g. with the fuzz size). */
  readonly title?: (options: CodecSuiteOptions) => string
  run(ctx: CodecCheckContext): Promise<void>
}

const utf8 = new TextEncoder()
const KEY = 'ns:some/key ✓'

function check(group: string, name: string, run: (ctx: CodecCheckContext) => Promise<void>): CodecCheck {
  return { group, name, run }
}

/** Text-like bytes that compress well. */
function compressible(n: number): Uint8Array {
  const line = utf8.encode('{"id":12345,"name":"tierstack","tags":["a","b","c"],"ok":true}\n')
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = line[i % line.length]!
  return out
}

/** Half compressible, half random: a payload no sensible codec leaves alone, with real structure to damage. */
function mixed(n: number): Uint8Array {
  const out = compressible(n)
  out.set(pseudoRandomBytes(Math.floor(n / 2), 99), Math.floor(n / 4))
  return out
}

async function encode(
  codec: Codec,
  input: Uint8Array,
  key = KEY,
): Promise<{ out: Uint8Array; ctx: CodecContext }> {
  const ctx = codecContext(key)
  const out = await codec.encode(input, ctx)
  if (!(out instanceof Uint8Array))
    throw new Error(`encode() returned ${Object.prototype.toString.call(out)}, not a Uint8Array`)
  if (typeof ctx.param !== 'string')
    throw new Error(`encode() set ctx.param to a ${typeof ctx.param}, not a string`)
  if (utf8.encode(ctx.param).length > 255)
    throw new Error(`encode() set ctx.param to more than 255 UTF-8 bytes`)
  if (typeof ctx.skipped !== 'boolean') throw new Error('encode() set ctx.skipped to a non-boolean')
  return { out, ctx }
}

/**
 * Encodes then decodes with a fresh context carrying the recorded `param`, asserting the bytes come back and the
 * input was not modified. The output is decoded even when `encode()` set `skipped`: that flag only lets a caller
 * (the engine) keep the input in place of the output; the output itself must still decode on its own.
 */
async function roundTrip(
  codec: Codec,
  input: Uint8Array,
  key = KEY,
): Promise<{ encoded: Uint8Array; skipped: boolean }> {
  const before = new Uint8Array(input)
  const { out, ctx } = await encode(codec, input, key)
  const result = await codec.decode(out, codecContext(key, ctx.param))
  if (!(result instanceof Uint8Array)) throw new Error('decode() did not return a Uint8Array')
  if (!sameBytes(input, before)) throw new Error('encode() or decode() modified its input bytes')
  if (!sameBytes(result, before)) {
    const skip = ctx.skipped ? ' (encode() set skipped: its output must still decode on its own)' : ''
    throw new Error(
      `round trip of ${before.length} bytes came back as ${result.length} different bytes${skip}`,
    )
  }
  return { encoded: out, skipped: ctx.skipped }
}

/**
 * Payloads on both sides of the size thresholds compression codecs use (`minBytes` of 0, 16, 1 KiB, 2 KiB …),
 * the empty one first, plus random bytes that do not shrink: every one must round-trip, compressed or stored.
 */
function thresholdPayloads(): Uint8Array[] {
  const sizes = [0, 1, 2, 3, 4, 5, 15, 16, 17, 100, 255, 256, 1023, 1024, 1025, 2047, 2048, 4096, 65_536]
  return [
    ...sizes.map((n) => compressible(n)),
    pseudoRandomBytes(3, 21),
    pseudoRandomBytes(1500, 22),
    pseudoRandomBytes(8192, 23),
  ]
}

/** What a codec threw, or `undefined` when it did not. */
async function thrownBy(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  return undefined
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}

/** Calls `fn` as a codec's caller would, turning what it throws into a failure that names the call. */
async function call(what: string, fn: () => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> {
  let out: Uint8Array
  try {
    out = await fn()
  } catch (err) {
    throw new Error(`${what} threw ${describeError(err)}`, { cause: err })
  }
  if (!(out instanceof Uint8Array)) throw new Error(`${what} returned a non-Uint8Array`)
  return out
}

function expectSame(back: Uint8Array, input: Uint8Array, how: string): void {
  if (!sameBytes(back, input)) {
    throw new Error(`${how}: ${input.length} bytes came back as ${back.length} different bytes`)
  }
}

type Outcome = 'threw' | 'same' | 'different'

/** A failure found by the suite itself (as opposed to an error thrown by the codec). */
class CheckFailure extends Error {}

/**
 * Decodes damaged input. Anything other than `CacheError` `E_DECODE` or a value is a failure, and so is a
 * decode that does not settle within `decodeTimeoutMs`.
 */
async function decodeDamaged(
  ctx: CodecCheckContext,
  input: Uint8Array,
  param: string,
  original: Uint8Array | undefined,
  what: string,
): Promise<Outcome> {
  const limit = ctx.options.decodeTimeoutMs ?? 5_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CheckFailure(`decode() of ${what} did not settle within ${limit} ms`)),
      limit,
    )
  })
  try {
    const out = await Promise.race([
      Promise.resolve().then(() => ctx.codec.decode(input, codecContext(KEY, param))),
      hang,
    ])
    if (!(out instanceof Uint8Array)) throw new CheckFailure(`decode() of ${what} returned a non-Uint8Array`)
    if (original !== undefined && sameBytes(out, original)) return 'same'
    if (ctx.options.detectsCorruption ?? true) {
      throw new CheckFailure(
        `decode() of ${what} returned ${out.length} bytes instead of throwing CacheError E_DECODE`,
      )
    }
    return 'different'
  } catch (err) {
    if (err instanceof CheckFailure) throw err
    if (!isCacheError(err, 'E_DECODE')) {
      throw new Error(
        `decode() of ${what} threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} instead of CacheError E_DECODE`,
      )
    }
    return 'threw'
  } finally {
    clearTimeout(timer)
  }
}

/** An encoded (not skipped) payload to damage. */
async function encodedForDamage(
  ctx: CodecCheckContext,
): Promise<{ original: Uint8Array; out: Uint8Array; param: string }> {
  const original = mixed(ctx.options.damagePayloadBytes ?? 65_536)
  const { out, ctx: c } = await encode(ctx.codec, original)
  if (c.skipped) {
    throw new Error(
      `the codec skipped a ${original.length}-byte payload; set damagePayloadBytes to a size it encodes`,
    )
  }
  return { original, out, param: c.param }
}

/** A valid encoding the fuzz check mutates, with what it decodes to. */
interface FuzzSeed {
  original: Uint8Array
  out: Uint8Array
  param: string
}

/**
 * The fuzz corpus: the codec's own encodings of payloads of several kinds (the damage payload, short JSON-like
 * text, 100 KB of zeros, random bytes); payloads the codec skips are left out, the damage payload never is.
 */
async function fuzzCorpus(ctx: CodecCheckContext): Promise<FuzzSeed[]> {
  const corpus: FuzzSeed[] = [await encodedForDamage(ctx)]
  const payloads = [compressible(1900), new Uint8Array(100_000), pseudoRandomBytes(3000, 5)]
  for (const original of payloads) {
    const { out, ctx: c } = await encode(ctx.codec, original)
    if (!c.skipped) corpus.push({ original, out, param: c.param })
  }
  return corpus
}

/**
 * The `ctx.param` a fuzz input is decoded with: three times in five the right one, then `''`, then in turn an
 * unknown param or one of `options.fuzzParams`.
 */
function fuzzParam(ctx: CodecCheckContext, index: number, right: string): string {
  const k = index % 5
  if (k < 3) return right
  if (k === 3) return ''
  const others = ['fuzz:unknown-param', ...(ctx.options.fuzzParams ?? [])]
  return others[Math.floor(index / 5) % others.length]!
}

/** Every check of the codec compliance suite, by group. */
export const codecChecks: readonly CodecCheck[] = [
  // ── round trip ──────────────────────────────────────────────────────────────
  check('round trip', 'encode() then decode() round-trips an empty payload', async (ctx) => {
    await roundTrip(ctx.codec, new Uint8Array(0))
  }),
  check('round trip', 'encode() then decode() round-trips a 1-byte payload', async (ctx) => {
    await roundTrip(ctx.codec, new Uint8Array([0]))
    await roundTrip(ctx.codec, new Uint8Array([0xff]))
  }),
  check('round trip', 'encode() then decode() round-trips 1 MiB of random bytes', async (ctx) => {
    await roundTrip(ctx.codec, pseudoRandomBytes(1 << 20, 1))
  }),
  check(
    'round trip',
    'encode() then decode() round-trips 1 MiB of highly compressible bytes',
    async (ctx) => {
      const input = compressible(1 << 20)
      const { encoded, skipped } = await roundTrip(ctx.codec, input)
      if (ctx.codec.kind === 'compression') {
        expect(skipped).toBe(false)
        expect(encoded.length).toBeLessThan(input.length / 2)
      }
    },
  ),
  check(
    'round trip',
    'encode() then decode() round-trips a Uint8Array view at a non-zero byteOffset',
    async (ctx) => {
      const backing = mixed(10_000)
      await roundTrip(ctx.codec, backing.subarray(13, 13 + 4096))
      await roundTrip(ctx.codec, backing.subarray(5000, 5003))
      const buf = Buffer.from(compressible(3000))
      await roundTrip(ctx.codec, Buffer.from(buf.buffer, buf.byteOffset + 7, 2000))
    },
  ),
  check(
    'round trip',
    'encode() then decode() round-trip with one bare { key } context reused, as DESIGN.md §2 callers do',
    async (ctx) => {
      // Callers outside the engine know only ctx.key; whatever encode() records on the context (param,
      // skipped) must be enough for decode() given the same object, for skipped and encoded payloads alike.
      for (const input of [new Uint8Array([1, 2, 3]), compressible(50_000), pseudoRandomBytes(2048, 9)]) {
        const bare = { key: 'ns:bare' } as CodecContext
        const out = await ctx.codec.encode(input, bare)
        const back = await ctx.codec.decode(out, bare)
        expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true)
      }
    },
  ),
  check('round trip', 'encode() and decode() handle 32 entries in flight at once', async (ctx) => {
    const inputs = Array.from({ length: 32 }, (_, i) =>
      i % 2 ? mixed(1000 + i * 997) : pseudoRandomBytes(i * 131, i + 3),
    )
    await Promise.all(inputs.map((input, i) => roundTrip(ctx.codec, input, `ns:key-${i}`)))
  }),
  check(
    'round trip',
    'encode() output decodes on its own whether or not encode() sets skipped (which only lets a caller keep the input)',
    async (ctx) => {
      // Exercised by every round trip; here across sizes around typical thresholds.
      for (const n of [1, 16, 100, 512, 1023, 1024, 1025, 4096]) await roundTrip(ctx.codec, compressible(n))
    },
  ),
  check(
    'round trip',
    'encode() then decode() round-trip below and above size thresholds with a fresh context for each call',
    async (ctx) => {
      // DESIGN.md §2 promises a codec only ctx.key: a caller may encode with one context object and decode,
      // later or elsewhere, with another that holds nothing else. So the bytes alone must say how to decode,
      // whether the codec compressed them or stored them as they were.
      const key = 'ns:fresh'
      for (const input of thresholdPayloads()) {
        const n = `${input.length} bytes`
        const bare = await call(`encode() of ${n} with { key }`, () =>
          ctx.codec.encode(input, { key } as CodecContext),
        )
        const back = await call(`decode() of ${n} with a fresh { key }`, () =>
          ctx.codec.decode(bare, { key } as CodecContext),
        )
        expectSame(back, input, `encode() then decode() with fresh { key } contexts`)
        // The engine's context shape, without the param the engine would have recorded.
        const shaped = await call(`encode() of ${n} with codecContext()`, () =>
          ctx.codec.encode(input, codecContext(key)),
        )
        const again = await call(`decode() of ${n} with a fresh codecContext()`, () =>
          ctx.codec.decode(shaped, codecContext(key)),
        )
        expectSame(again, input, `encode() then decode() with fresh codecContext() contexts`)
      }
    },
  ),
  check(
    'round trip',
    'encode() then decode() without a context round-trip, or refuse for key-binding codecs',
    async (ctx) => {
      // A missing context is treated as an empty one: a codec that does not need the key must not trip
      // over it (no TypeError); one that binds the key must refuse rather than produce unbound output.
      const encodeBare = ctx.codec.encode as (b: Uint8Array) => Uint8Array | Promise<Uint8Array>
      const decodeBare = ctx.codec.decode as (b: Uint8Array) => Uint8Array | Promise<Uint8Array>
      const key = 'ns:no-context'
      for (const input of thresholdPayloads()) {
        const n = `${input.length} bytes`
        const keyed = await call(`encode() of ${n} with { key }`, () =>
          ctx.codec.encode(input, { key } as CodecContext),
        )
        if (ctx.options.bindsKey ?? false) {
          const noKey = await thrownBy(() => decodeBare.call(ctx.codec, keyed))
          if (!isCacheError(noKey, 'E_DECODE')) {
            throw new Error(
              `decode() of ${n} without a context must throw CacheError E_DECODE (no key to check), got ${noKey === undefined ? 'bytes' : describeError(noKey)}`,
            )
          }
          const unbound = await thrownBy(() => encodeBare.call(ctx.codec, input))
          if (unbound === undefined)
            throw new Error(`encode() of ${n} without a context returned output not bound to any key`)
          continue
        }
        const out = await call(`encode() of ${n} without a context`, () => encodeBare.call(ctx.codec, input))
        expectSame(
          await call(`decode() of ${n} without a context`, () => decodeBare.call(ctx.codec, out)),
          input,
          'encode() then decode() without a context',
        )
        expectSame(
          await call(`decode() of ${n} with { key } after encode() without a context`, () =>
            ctx.codec.decode(out, { key } as CodecContext),
          ),
          input,
          'encode() without a context then decode() with { key }',
        )
        expectSame(
          await call(`decode() of ${n} without a context after encode() with { key }`, () =>
            decodeBare.call(ctx.codec, keyed),
          ),
          input,
          'encode() with { key } then decode() without a context',
        )
      }
    },
  ),

  // ── damaged input ───────────────────────────────────────────────────────────
  check('damaged input', 'decode() of garbage throws CacheError E_DECODE', async (ctx) => {
    const { param } = await encodedForDamage(ctx)
    const rand = seededRandom(7)
    for (const n of [1, 7, 64, 4096]) {
      const garbage = pseudoRandomBytes(n, 1 + Math.floor(rand() * 1e9))
      await decodeDamaged(ctx, garbage, param, undefined, `${n} random bytes`)
      await decodeDamaged(ctx, garbage, '', undefined, `${n} random bytes (empty param)`)
    }
    await decodeDamaged(ctx, new Uint8Array(64), param, undefined, '64 zero bytes')
  }),
  check('damaged input', 'decode() of truncated output throws CacheError E_DECODE', async (ctx) => {
    const { original, out, param } = await encodedForDamage(ctx)
    for (const n of [1, Math.floor(out.length / 2), out.length - 1]) {
      await decodeDamaged(
        ctx,
        out.slice(0, n),
        param,
        original,
        `output truncated to ${n} of ${out.length} bytes`,
      )
    }
  }),
  check(
    'damaged input',
    'decode() of output with one flipped bit throws CacheError E_DECODE (never other bytes)',
    async (ctx) => {
      const { original, out, param } = await encodedForDamage(ctx)
      const rand = seededRandom(11)
      const positions = [0, 1, Math.floor(out.length / 2), out.length - 1]
      for (let i = 0; i < 16; i++) positions.push(Math.floor(rand() * out.length))
      for (const p of positions) {
        const damaged = new Uint8Array(out)
        damaged[p] = damaged[p]! ^ (1 << Math.floor(rand() * 8))
        await decodeDamaged(
          ctx,
          damaged,
          param,
          original,
          `output with a bit flipped at byte ${p} of ${out.length}`,
        )
      }
    },
  ),
  check(
    'damaged input',
    'decode() with another ctx.key fails for key-binding codecs and round-trips for the others',
    async (ctx) => {
      const { original, out, param } = await encodedForDamage(ctx)
      const other = codecContext('ns:another-key', param)
      if (ctx.options.bindsKey ?? false) {
        let thrown: unknown
        try {
          await ctx.codec.decode(out, other)
        } catch (err) {
          thrown = err
        }
        if (!isCacheError(thrown, 'E_DECODE'))
          throw new Error(`decode() with another key must throw E_DECODE, got ${String(thrown)}`)
      } else {
        expect(sameBytes(await ctx.codec.decode(out, other), original)).toBe(true)
      }
    },
  ),
  {
    title: (o) => `decode() of ${fuzzLabel(o)} returns bytes or throws E_DECODE, nothing else`,
    ...check(
      'damaged input',
      'decode() of seeded random and mutated inputs (fuzzInputs) returns bytes or throws E_DECODE, nothing else',
      async (ctx) => {
        const count = ctx.options.fuzzInputs ?? 2_000
        const seed = ctx.options.fuzzSeed ?? DEFAULT_FUZZ_SEED
        const corpus = await fuzzCorpus(ctx)
        let refused = 0
        for (const input of fuzzBytes(
          corpus.map((c) => c.out),
          { count, seed },
        )) {
          const base = input.from === undefined ? undefined : corpus[input.from]!
          const param = fuzzParam(ctx, input.index, (base ?? corpus[0]!).param)
          const what = `fuzz input #${input.index} (seed ${seed}, ${input.bytes.length} bytes: ${hexPreview(input.bytes)}, param '${param}')`
          if ((await decodeDamaged(ctx, input.bytes, param, base?.original, what)) === 'threw') refused++
        }
        const floor = ctx.options.fuzzMinRefused ?? 0
        if (refused < floor * count) {
          throw new CheckFailure(
            `decode() refused only ${refused} of ${count} fuzz inputs (seed ${seed}) with E_DECODE, fewer than fuzzMinRefused ${floor}`,
          )
        }
        // Still healthy afterwards.
        await roundTrip(ctx.codec, corpus[0]!.original)
      },
    ),
  },

  // ── identity ────────────────────────────────────────────────────────────────
  check(
    'identity',
    'id is a non-empty string of at most 255 UTF-8 bytes, and kind is compression, encryption or unset',
    async (ctx) => {
      expect(typeof ctx.codec.id).toBe('string')
      expect(ctx.codec.id.length).toBeGreaterThan(0)
      expect(utf8.encode(ctx.codec.id).length).toBeLessThanOrEqual(255)
      expect([undefined, 'compression', 'encryption']).toContain(ctx.codec.kind)
    },
  ),
  check('identity', 'encode() and decode() return a Uint8Array or a Promise of one', async (ctx) => {
    const c = codecContext(KEY)
    const encoded = ctx.codec.encode(mixed(2048), c)
    const out = await encoded
    expect(out).toBeInstanceOf(Uint8Array)
    expect(await ctx.codec.decode(out, codecContext(KEY, c.param))).toBeInstanceOf(Uint8Array)
  }),
]

/** Runs one codec check (by object or name) against a fresh codec from `factory`. */
export async function runCodecCheck(
  check: CodecCheck | string,
  factory: () => Codec,
  options: CodecSuiteOptions = {},
): Promise<void> {
  await findCheck(codecChecks, check, 'codec').run({ codec: factory(), options })
}
