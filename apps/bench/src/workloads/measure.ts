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

/** Options of {@link measureOps}. */
export interface MeasureOptions {
  /** @default 'cpu' */
  clock?: BenchClock
  /** Time measured, ms. */
  timeMs: number
  /** Time run first and discarded (JIT warm-up, connection set-up), ms. @default 0 */
  warmupMs?: number
  /** Called between warm-up and measurement (e.g. to reset hit counters). */
  onMeasureStart?: () => void
  /**
   * Callers running at once, each awaiting one call after another; caller `w` starts its index at
   * `w × 7919`, so callers walk different parts of a precomputed key sequence. @default 1
   */
  concurrency?: number
  /**
   * Calls each caller makes between two reads of the clock. Reading the clock is what a timer cannot do here: a
   * store answering with already-settled promises never lets a timer fire. @default 512
   */
  checkEvery?: number
  /** Least calls per caller in the measured phase, however short `timeMs` is. @default 1 */
  minCalls?: number
  /**
   * `'always'` awaits every result, as an application awaits a cache call; `'promises'` awaits only a promise,
   * so a synchronous call (a codec round trip) pays no microtask. @default 'always'
   */
  awaitResults?: 'always' | 'promises'
}

/** What {@link measureOps} measured. */
export interface MeasureResult {
  /** Calls per second of the clock, over the measured phase. */
  opsPerSec: number
  /** Calls made in the measured phase, all callers together. */
  calls: number
  /** Length of the measured phase on the clock, ms. */
  elapsedMs: number
}

/**
 * The timing loop of every bench command: calls `op(i)` with i = 0, 1, 2, … (per caller, see `concurrency`)
 * for `warmupMs`, then for `timeMs` (both on `clock`), reading the clock once every `checkEvery` calls; returns
 * the calls per second of the measured phase. `i` keeps counting across warm-up and measurement, so a workload
 * walks on through its precomputed key sequence.
 */
export async function measureOps(
  op: (i: number) => unknown,
  options: MeasureOptions,
): Promise<MeasureResult> {
  const clock = options.clock ?? 'cpu'
  const every = options.checkEvery ?? 512
  const awaitAll = (options.awaitResults ?? 'always') === 'always'
  const next = Array.from({ length: options.concurrency ?? 1 }, (_, w) => w * 7919)
  const phase = async (ms: number, minCalls: number): Promise<MeasureResult> => {
    const start = clockMs(clock)
    const end = start + ms
    let calls = 0
    const caller = async (w: number) => {
      let i = next[w]!
      let mine = 0
      do {
        for (let j = 0; j < every; j++) {
          const r = op(i++)
          if (awaitAll || r instanceof Promise) await r
        }
        mine += every
      } while (clockMs(clock) < end || mine < minCalls)
      next[w] = i
      calls += mine
    }
    await Promise.all(next.map((_, w) => caller(w)))
    const elapsedMs = clockMs(clock) - start
    return { opsPerSec: (calls * 1000) / elapsedMs, calls, elapsedMs }
  }
  if ((options.warmupMs ?? 0) > 0) await phase(options.warmupMs!, 1)
  options.onMeasureStart?.()
  return phase(options.timeMs, options.minCalls ?? 1)
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
