import { type BoundedStoreOptions, CacheError, type EvictionReason, estimateSize } from '@tierstack/core'

/** Store options after validation: absent budgets are `Infinity`. */
export interface ResolvedStoreOptions<TValue> {
  maxEntries: number
  maxBytes: number
  /** Present only when `maxBytes` is finite (sizes are not computed otherwise). */
  sizeOf: ((value: TValue, key: string) => number) | undefined
  onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  now: () => number
}

/** Largest `maxEntries` accepted: slots are indexed by 32-bit typed arrays. */
export const MAX_ENTRIES_LIMIT = 2 ** 30

/** Throws the package's `E_INVALID_OPTION` error naming the option and the value it got. */
export function invalidOption(where: string, option: string, expected: string, got: unknown): never {
  throw new CacheError(
    'E_INVALID_OPTION',
    `tierstack: strategy-lfu: ${where} option ${option} must be ${expected}, got ${describe(got)}`,
  )
}

/** Validates the options of `EvictionStrategy.create()` once, for the strategy named `where`. */
export function resolveStoreOptions<TValue>(
  where: string,
  options: BoundedStoreOptions<TValue> | undefined,
): ResolvedStoreOptions<TValue> {
  if (options === null || typeof options !== 'object') invalidOption(where, 'options', 'an object', options)
  const { maxEntries, maxBytes, sizeOf, onEvict, now } = options
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== 'number' ||
      !Number.isInteger(maxEntries) ||
      maxEntries < 1 ||
      maxEntries > MAX_ENTRIES_LIMIT)
  ) {
    invalidOption(where, 'maxEntries', `an integer from 1 to ${MAX_ENTRIES_LIMIT}`, maxEntries)
  }
  if (
    maxBytes !== undefined &&
    (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes) || maxBytes <= 0)
  ) {
    invalidOption(where, 'maxBytes', 'a finite number of bytes > 0', maxBytes)
  }
  if (maxEntries === undefined && maxBytes === undefined) {
    invalidOption(where, 'maxEntries / maxBytes', 'set (at least one budget is required)', undefined)
  }
  if (sizeOf !== undefined && typeof sizeOf !== 'function')
    invalidOption(where, 'sizeOf', 'a function', sizeOf)
  if (onEvict !== undefined && typeof onEvict !== 'function')
    invalidOption(where, 'onEvict', 'a function', onEvict)
  if (now !== undefined && typeof now !== 'function') invalidOption(where, 'now', 'a function', now)
  return {
    maxEntries: maxEntries ?? Number.POSITIVE_INFINITY,
    maxBytes: maxBytes ?? Number.POSITIVE_INFINITY,
    // A byte budget without sizeOf measures the key (UTF-16) plus core's estimate of the value.
    sizeOf:
      maxBytes === undefined ? undefined : (sizeOf ?? ((value, key) => key.length * 2 + estimateSize(value))),
    onEvict,
    now: now ?? Date.now,
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}
