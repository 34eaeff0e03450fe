import { CacheError } from '@tierstack/core'
import type { BoundedStoreOptions, EvictionReason } from '@tierstack/core'

/** `BoundedStoreOptions` after validation: budgets are numbers (`Infinity` when unset). */
export interface ResolvedStoreOptions<TValue> {
  maxEntries: number
  maxBytes: number
  sizeOf: ((value: TValue, key: string) => number) | undefined
  onEvict: ((key: string, value: TValue, reason: EvictionReason) => void) | undefined
  now: (() => number) | undefined
}

const PACKAGE = '@tierstack/strategy-ttl'

function invalid(option: string, message: string, value: unknown): CacheError {
  return new CacheError(
    'E_INVALID_OPTION',
    `${PACKAGE}: ${option} ${message}, got ${typeof value === 'function' ? 'a function' : String(value)}`,
    { cause: new TypeError(`invalid ${option}`) },
  )
}

/**
 * Validates the options every eviction strategy understands, once, when a store is created.
 * Throws `CacheError` `E_INVALID_OPTION` naming the option and the value.
 */
export function resolveStoreOptions<TValue>(
  options: BoundedStoreOptions<TValue>,
): ResolvedStoreOptions<TValue> {
  if (options === null || typeof options !== 'object') throw invalid('options', 'must be an object', options)
  const { maxEntries, maxBytes, sizeOf, onEvict, now } = options
  if (maxEntries !== undefined && !(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
    throw invalid('maxEntries', 'must be a positive integer', maxEntries)
  }
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw invalid('maxBytes', 'must be a positive integer number of bytes', maxBytes)
  }
  if (maxEntries === undefined && maxBytes === undefined) {
    throw invalid('maxEntries', 'or maxBytes is required (a store must be bounded)', maxEntries)
  }
  if (sizeOf !== undefined && typeof sizeOf !== 'function')
    throw invalid('sizeOf', 'must be a function', sizeOf)
  if (maxBytes !== undefined && sizeOf === undefined)
    throw invalid('sizeOf', 'is required with maxBytes', sizeOf)
  if (onEvict !== undefined && typeof onEvict !== 'function')
    throw invalid('onEvict', 'must be a function', onEvict)
  if (now !== undefined && typeof now !== 'function') throw invalid('now', 'must be a function', now)
  return {
    maxEntries: maxEntries ?? Number.POSITIVE_INFINITY,
    maxBytes: maxBytes ?? Number.POSITIVE_INFINITY,
    sizeOf: maxBytes === undefined ? undefined : sizeOf,
    onEvict,
    now,
  }
}

/** Calls `sizeOf` and checks the answer: a non-negative finite number. */
export function measure<TValue>(
  sizeOf: (value: TValue, key: string) => number,
  value: TValue,
  key: string,
): number {
  const size = sizeOf(value, key)
  if (typeof size !== 'number' || !(size >= 0) || !Number.isFinite(size)) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${PACKAGE}: sizeOf must return a non-negative finite number, got ${String(size)} for key ${JSON.stringify(key)}`,
      {
        cause: new RangeError('invalid size'),
      },
    )
  }
  return size
}
