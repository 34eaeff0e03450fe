import { describe, it } from '@jest/globals'
import type { Codec, Serializer } from '@tierstack/core'
import { type CodecSuiteOptions, codecChecks } from './codec-checks.js'
import { type SerializerSuiteOptions, serializerChecks } from './serializer-checks.js'

/**
 * Registers the codec compliance suite: round trips (empty, 1 byte, 1 MiB random and compressible, views at a
 * non-zero offset, many in flight), the `ctx.param` / `ctx.skipped` protocol, and damaged input (garbage,
 * truncated, bit-flipped, another key) that must throw `CacheError` `E_DECODE` and nothing else. Sync and
 * async codecs alike. Every test gets a fresh codec from `factory`.
 *
 * @example
 *   codecComplianceSuite('gzip', () => gzip({ minBytes: 0 }))
 */
export function codecComplianceSuite(
  name: string,
  factory: () => Codec,
  options: CodecSuiteOptions = {},
): void {
  const groups = new Map<string, typeof codecChecks>()
  for (const c of codecChecks) groups.set(c.group, [...(groups.get(c.group) ?? []), c])
  describe(`codec compliance: ${name}`, () => {
    for (const [group, checks] of groups) {
      describe(group, () => {
        for (const c of checks)
          it(c.name, () => c.run({ codec: factory(), options }), options.timeoutMs ?? 30_000)
      })
    }
  })
}

/**
 * Registers the serializer compliance suite: round trips of every JSON type plus the richer types the options
 * declare (unsupported ones must throw `E_SERIALIZE`), garbage and truncated input (`E_DECODE`), and a fuzz
 * check (2,000 random or mutated inputs: a value or `E_DECODE`, never another exception).
 *
 * @example
 *   serializerComplianceSuite('msgpack', () => msgpack(), { circular: false })
 */
export function serializerComplianceSuite(
  name: string,
  factory: () => Serializer,
  options: SerializerSuiteOptions = {},
): void {
  const groups = new Map<string, typeof serializerChecks>()
  for (const c of serializerChecks) groups.set(c.group, [...(groups.get(c.group) ?? []), c])
  describe(`serializer compliance: ${name}`, () => {
    for (const [group, checks] of groups) {
      describe(group, () => {
        for (const c of checks)
          it(c.name, () => c.run({ serializer: factory(), options }), options.timeoutMs ?? 30_000)
      })
    }
  })
}
