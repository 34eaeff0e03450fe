/**
 * `SQLITE_BUSY` handling. better-sqlite3 is synchronous, so SQLite's own busy handler sleeps on the event
 * loop thread. The tier therefore gives it only a short slice (`NATIVE_BUSY_SLICE_MS`) and does the rest of
 * the `busyTimeout` wait asynchronously, with jittered exponential back-off, between whole-operation retries.
 * A failed attempt has been rolled back by then (better-sqlite3 rolls a transaction back when it throws).
 */

/** Longest time SQLite's native busy handler may block the event loop in one attempt, in ms. */
export const NATIVE_BUSY_SLICE_MS = 25

/** First and largest asynchronous back-off between attempts, in ms. */
export const BACKOFF_MIN_MS = 1
export const BACKOFF_MAX_MS = 50

/** `true` for `SQLITE_BUSY*` and `SQLITE_LOCKED*` (another connection holds the lock: try again later). */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

/** Resolves after about `ms` (± 50 % jitter, so that competing processes do not retry in lock-step). */
export function backoff(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random())))
}
