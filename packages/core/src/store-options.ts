import type { BoundedStoreOptions } from './contracts.js'
import { CacheError } from './errors.js'
import { estimateSize } from './size-of.js'

/** `BoundedStoreOptions` after validation, with defaults filled in. */
export interface ResolvedStoreOptions<TValue> {
  /** `Infinity` when unbounded by count. */
  maxEntries: number
  /** `Infinity` when unbounded by bytes. */
  maxBytes: number
  /** Present exactly when `maxBytes` is finite (the default estimate when the caller gave none). */
  sizeOf: ((value: TValue, key: string) => number) | undefined
  onEvict: ((key: string, value: TValue, reason: 'capacity' | 'expired' | 'deleted') => void) | undefined
  now: () => number
}

/**
 * Validates the options every strategy shares, once, with messages that name the option and the strategy.
 * Shared by all strategy packages so they agree on what is legal.
 */
export function resolveStoreOptions<TValue>(
  strategy: string,
  o: BoundedStoreOptions<TValue>,
): ResolvedStoreOptions<TValue> {
  const bad = (msg: string) => new CacheError('E_INVALID_OPTION', `${strategy}: ${msg}`)
  if (o === null || typeof o !== 'object') throw bad('options must be an object')
  const { maxEntries, maxBytes, sizeOf, onEvict, now } = o
  if (maxEntries !== undefined && (!Number.isInteger(maxEntries) || maxEntries < 1)) {
    throw bad(`maxEntries must be a positive integer, got ${maxEntries}`)
  }
  if (
    maxBytes !== undefined &&
    (typeof maxBytes !== 'number' || !(maxBytes > 0) || !Number.isFinite(maxBytes))
  ) {
    throw bad(`maxBytes must be a positive finite number of bytes, got ${maxBytes}`)
  }
  if (maxEntries === undefined && maxBytes === undefined)
    throw bad('one of maxEntries or maxBytes is required')
  if (sizeOf !== undefined && typeof sizeOf !== 'function') throw bad('sizeOf must be a function')
  if (onEvict !== undefined && typeof onEvict !== 'function') throw bad('onEvict must be a function')
  if (now !== undefined && typeof now !== 'function') throw bad('now must be a function')
  return {
    maxEntries: maxEntries ?? Number.POSITIVE_INFINITY,
    maxBytes: maxBytes ?? Number.POSITIVE_INFINITY,
    sizeOf: maxBytes === undefined ? undefined : (sizeOf ?? defaultSizeOf),
    onEvict,
    now: now ?? Date.now,
  }
}

/** A byte budget without `sizeOf` measures the key (UTF-16) plus `estimateSize(value)`. */
function defaultSizeOf(value: unknown, key: string): number {
  return key.length * 2 + estimateSize(value)
}

/**
 * Measures one entry for a byte budget and refuses sizes that are not a non-negative finite number,
 * naming the key (a size function returning NaN would silently break the budget otherwise).
 */
export function measureEntry<TValue>(
  sizeOf: (value: TValue, key: string) => number,
  value: TValue,
  key: string,
): number {
  const size = sizeOf(value, key)
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `sizeOf returned ${size} for key '${key}'; it must return a non-negative finite number`,
    )
  }
  return size
}
