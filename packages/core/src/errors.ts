/** Every error code tierstack throws or reports. */
export const errorCodes = {
  /** An option passed to a factory or `createCache` is invalid. */
  E_INVALID_OPTION: 'E_INVALID_OPTION',
  /** A key is not a non-empty string (or is too long). */
  E_INVALID_KEY: 'E_INVALID_KEY',
  /** A TTL / grace / timeout is negative, NaN or unparseable. */
  E_INVALID_TTL: 'E_INVALID_TTL',
  /** A value cannot be cached (`undefined`, a function, a symbol). */
  E_INVALID_VALUE: 'E_INVALID_VALUE',
  /** The serializer could not turn the value into bytes. */
  E_SERIALIZE: 'E_SERIALIZE',
  /** A stored entry could not be decoded (garbage, truncated, unknown codec, wrong key). */
  E_DECODE: 'E_DECODE',
  /** The value is larger than the tier's `maxEntryBytes`. */
  E_VALUE_TOO_LARGE: 'E_VALUE_TOO_LARGE',
  /** A tier operation did not finish within its timeout. */
  E_TIER_TIMEOUT: 'E_TIER_TIMEOUT',
  /** A tier operation failed. */
  E_TIER_ERROR: 'E_TIER_ERROR',
  /** The tier is skipped by its open circuit breaker. */
  E_TIER_UNAVAILABLE: 'E_TIER_UNAVAILABLE',
  /** The loader passed its hard timeout. */
  E_LOADER_TIMEOUT: 'E_LOADER_TIMEOUT',
  /** A namespace or tier name that the cache does not know. */
  E_UNKNOWN_NAME: 'E_UNKNOWN_NAME',
  /** An environment variable read by `configFromEnv()` is invalid. */
  E_INVALID_ENV: 'E_INVALID_ENV',
  /** The cache or tier was closed. */
  E_CLOSED: 'E_CLOSED',
  /** A distributed lock could not be taken or released. */
  E_LOCK: 'E_LOCK',
} as const

/** One of the codes in `errorCodes`. */
export type CacheErrorCode = keyof typeof errorCodes

/**
 * The one error class of tierstack. `code` is stable and machine-readable; `cause` always carries the
 * underlying error when there is one.
 */
export class CacheError extends Error {
  /** Machine-readable code, one of `errorCodes`. */
  readonly code: CacheErrorCode
  override readonly name = 'CacheError'

  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message.startsWith('tierstack') ? message : `tierstack: ${message}`, options)
    this.code = code
  }
}

/** `true` when `err` is a `CacheError` (optionally with the given code). */
export function isCacheError(err: unknown, code?: CacheErrorCode): err is CacheError {
  return err instanceof CacheError && (code === undefined || err.code === code)
}
