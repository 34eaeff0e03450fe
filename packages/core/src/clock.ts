/**
 * A coarse clock for the hot path. `Date.now()` costs as much as a whole L1 hit on some machines, and cache
 * expiry only needs millisecond resolution, so the value is reused until a 1 ms timer clears it or 256 reads
 * have been served (the read budget keeps the clock moving in long synchronous or microtask-only loops, where
 * timers cannot fire).
 */
let cached = 0
let reads = 0
let timer: ReturnType<typeof setTimeout> | undefined

function invalidate(): void {
  reads = 0
  timer = undefined
}

/** Epoch ms, at most ~1 ms (or 256 calls) old. */
export function coarseNow(): number {
  if (reads !== 0 && reads++ < 256) return cached
  cached = Date.now()
  reads = 1
  if (timer === undefined) {
    timer = setTimeout(invalidate, 1)
    timer.unref?.()
  }
  return cached
}
