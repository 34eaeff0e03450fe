import { isCacheError } from '@tierstack/core'

/**
 * What `fn()` throws, or `undefined` when it returns. Synchronous: a returned promise is not awaited (use
 * {@link errorOfAsync}), so a test of a synchronous API also proves the error is thrown, not rejected.
 *
 * @example
 *   const err = errorOf(() => gzip({ level: 10 }))
 *   expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
 */
export function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

/** What `fn()` throws or its promise rejects with, or `undefined` when it settles normally. */
export async function errorOfAsync(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  return undefined
}

function codeOfError(err: unknown): string | undefined {
  if (err === undefined) return undefined
  return isCacheError(err) ? err.code : `not a CacheError: ${String(err)}`
}

/**
 * The `CacheError` code `fn()` throws (synchronously, as {@link errorOf}), `undefined` when it returns, or
 * `'not a CacheError: …'` for anything else thrown, so `expect(codeOf(…)).toBe('E_DECODE')` fails with the
 * real error in the diff.
 */
export function codeOf(fn: () => unknown): string | undefined {
  return codeOfError(errorOf(fn))
}

/** {@link codeOf} for a function that may return a promise: awaits it. */
export async function codeOfAsync(fn: () => unknown): Promise<string | undefined> {
  return codeOfError(await errorOfAsync(fn))
}
