/** Marker for a promise that lost the race against its timer. */
export const TIMED_OUT: unique symbol = Symbol('timed-out')

/**
 * Races `promise` against a timer. Resolves to `TIMED_OUT` when the timer wins; the original promise is left
 * to settle on its own (its rejection is observed so it never becomes an unhandled rejection).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (!Number.isFinite(ms)) return promise
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
    timer.unref?.()
  })
  promise.catch(() => {})
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
