import type { CacheSubject } from '../subjects.js'
import { type MeasureOptions, measureOps } from './measure.js'

/** What {@link measureKeyed} measured. */
export interface KeyedResult {
  /** Calls per second over the measured phase. */
  opsPerSec: number
  /** Calls made. */
  calls: number
  /** Gets that returned a value (0 for sets). */
  hits: number
}

/**
 * The store workload of the `redis` and `sqlite` commands: `get` (counting the values found) or `set` (of
 * `valueFor(k)`) of `keys[k]`, with `k` read from `sequence`, by the callers of `measureOps` (each awaiting
 * one call after another, starting at different places of the sequence).
 */
export async function measureKeyed(
  subject: CacheSubject,
  op: 'get' | 'set',
  keys: readonly string[],
  sequence: Uint32Array,
  valueFor: (k: number) => unknown,
  options: MeasureOptions,
): Promise<KeyedResult> {
  let hits = 0
  const found = (value: unknown) => {
    if (value !== undefined && value !== null) hits++
  }
  const call =
    op === 'get'
      ? (i: number) => Promise.resolve(subject.get(keys[sequence[i % sequence.length]!]!)).then(found)
      : (i: number) => {
          const k = sequence[i % sequence.length]!
          return subject.set(keys[k]!, valueFor(k))
        }
  const { opsPerSec, calls } = await measureOps(call, options)
  return { opsPerSec, calls, hits }
}
