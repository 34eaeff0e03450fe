import { CacheError } from '@tierstack/core'

/** `E_TIER_TIMEOUT` for an operation that passed its deadline. */
export function timeoutError(what: string, op: string, ms: number): CacheError {
  return new CacheError(
    'E_TIER_TIMEOUT',
    `tierstack: ${what}: ${op} did not finish within ${ms} ms (commandTimeout)`,
  )
}

/** Wraps anything a Redis client threw in `E_TIER_ERROR` (a `CacheError` passes through unchanged). */
export function tierError(what: string, op: string, cause: unknown): CacheError {
  if (cause instanceof CacheError) return cause
  const message = cause instanceof Error ? cause.message : String(cause)
  return new CacheError('E_TIER_ERROR', `tierstack: ${what}: ${op} failed: ${message}`, { cause })
}

/** `E_INVALID_OPTION` naming the option and the value. */
export function optionError(what: string, option: string, value: unknown, expected: string): CacheError {
  let shown: string
  try {
    shown =
      typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : String(value)
  } catch {
    shown = typeof value
  }
  return new CacheError(
    'E_INVALID_OPTION',
    `tierstack: ${what}: option '${option}' must be ${expected}, got ${shown}`,
  )
}

/** Settles `promise` or rejects with `E_TIER_TIMEOUT` after `ms`; errors become `E_TIER_ERROR`. One timer per call. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, op: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError(what, op, ms)), ms)
    // A timer must not keep a process alive that has nothing else to do.
    timer.unref?.()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(tierError(what, op, err))
      },
    )
  })
}
