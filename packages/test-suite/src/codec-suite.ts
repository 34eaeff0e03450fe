import type { Codec, Serializer } from '@tierstack/core'
import { type CodecSuiteOptions, codecChecks } from './codec-checks.js'
import { type SerializerSuiteOptions, serializerChecks } from './serializer-checks.js'
import { registerChecks } from './suite-kit.js'

/**
 * Registers the codec compliance suite: round trips (empty, 1 byte, 1 MiB random and compressible, views at a
 * non-zero offset, many in flight), the `ctx.param` / `ctx.skipped` protocol, round trips on both sides of size
 * thresholds with a fresh context for each call and with none (the output must decode from its bytes alone;
 * a key-binding codec must refuse without a key), and damaged input (garbage,
 * truncated, bit-flipped, another key, and a seeded fuzz of `fuzzInputs` random and mutated inputs) that
 * must throw `CacheError` `E_DECODE` and nothing else. Sync and async codecs alike. Every test gets a fresh
 * codec from `factory`.
 *
 * @example
 *   codecComplianceSuite('gzip', () => gzip({ minBytes: 0 }), { fuzzInputs: 10_000, fuzzSeed: 0x677a6970 })
 */
export function codecComplianceSuite(
  name: string,
  factory: () => Codec,
  options: CodecSuiteOptions = {},
): void {
  registerChecks(`codec compliance: ${name}`, codecChecks, options, () => ({ codec: factory(), options }))
}

/**
 * Registers the serializer compliance suite: round trips of every JSON type plus the richer types the options
 * declare (unsupported ones must throw `E_SERIALIZE`), garbage and truncated input (`E_DECODE`), and a fuzz
 * check (`fuzzInputs` seeded random or mutated inputs, 2,000 by default: a value or `E_DECODE`, never another
 * exception).
 *
 * @example
 *   serializerComplianceSuite('msgpack', () => msgpack(), { circular: false })
 */
export function serializerComplianceSuite(
  name: string,
  factory: () => Serializer,
  options: SerializerSuiteOptions = {},
): void {
  registerChecks(`serializer compliance: ${name}`, serializerChecks, options, () => ({
    serializer: factory(),
    options,
  }))
}
