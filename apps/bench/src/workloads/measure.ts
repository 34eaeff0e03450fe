/**
 * What throughput is measured against. `cpu`: this process's user + system CPU time, which ignores the time
 * the scheduler gives to other processes (the bench machine is 2 cores shared with other work, where wall
 * time swings by 2× from run to run). `wall`: elapsed time.
 */
export type BenchClock = 'cpu' | 'wall'

/** Milliseconds on `clock` (only differences are meaningful). */
export function clockMs(clock: BenchClock): number {
  if (clock === 'wall') return performance.now()
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/** Validates a `--clock` value. */
export function parseClock(value: string): BenchClock {
  if (value !== 'cpu' && value !== 'wall') throw new Error(`--clock must be cpu or wall, got '${value}'`)
  return value
}

/** Options of `opsPerSecond`. */
export interface MeasureOptions {
  /** @default 'cpu' */
  clock?: BenchClock
  /** Time measured, ms. */
  timeMs: number
  /** Time run first and discarded (JIT warm-up), ms. */
  warmupMs: number
  /** Called between warm-up and measurement (e.g. to reset hit counters). */
  onMeasureStart?: () => void
}

const BATCH = 512

/**
 * Calls `op(i)` with i = 0, 1, 2, … and awaits each result (the way an application awaits a cache call),
 * for `timeMs` after a `warmupMs` warm-up (both on `clock`); returns operations per second of that clock. The clock is read once per batch
 * of calls, and `i` keeps counting across warm-up and measurement so a workload walks on through its
 * precomputed key sequence.
 */
export async function opsPerSecond(op: (i: number) => unknown, options: MeasureOptions): Promise<number> {
  const clock = options.clock ?? 'cpu'
  let i = 0
  const warmEnd = clockMs(clock) + options.warmupMs
  while (clockMs(clock) < warmEnd) {
    for (let j = 0; j < BATCH; j++) await op(i++)
  }
  options.onMeasureStart?.()
  const start = clockMs(clock)
  const end = start + options.timeMs
  let done = 0
  let now = start
  while (now < end) {
    for (let j = 0; j < BATCH; j++) await op(i++)
    done += BATCH
    now = clockMs(clock)
  }
  return (done * 1000) / (now - start)
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Formats ops/s as `3.71M` / `152k`. */
export function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M`
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(0)}k`
  return opsPerSec.toFixed(0)
}

/** Runs a full GC twice (needs `--expose-gc`) so heap figures are settled; returns false without it. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return false
  gc()
  gc()
  return true
}
