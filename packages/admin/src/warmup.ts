import type { LoaderContext } from '@tierstack/core'
import type { AdminNamespace } from './admin-cache.js'

/**
 * Loads one key of a namespace for `POST /cache/warmup`. It runs through `getOrSet`, so it is
 * single-flighted with live traffic; `ctx` lets it set tags or a TTL for the entry.
 */
export type WarmupLoader = (key: string, ctx: LoaderContext) => unknown

/** Progress of a warm-up: `done` of `total` keys processed. */
export interface WarmupProgress {
  type: 'progress'
  done: number
  total: number
  loaded: number
  cached: number
  failed: number
}

/** Outcome of a warm-up. */
export interface WarmupSummary {
  type: 'summary'
  namespace: string
  total: number
  /** Keys whose loader ran and succeeded. */
  loaded: number
  /** Keys already cached (the loader did not run). */
  cached: number
  /** Keys whose loader failed (their errors are not cached). */
  failed: number
  /** The first errors, by key. */
  errors: { key: string; message: string }[]
  durationMs: number
}

const MAX_REPORTED_ERRORS = 20

/**
 * Runs the loader for every key with at most `concurrency` in flight. Yields a progress record after
 * each key, then the summary.
 */
export async function* runWarmup(
  namespaceName: string,
  ns: AdminNamespace,
  loader: WarmupLoader,
  keys: string[],
  concurrency: number,
): AsyncGenerator<WarmupProgress | WarmupSummary> {
  const started = performance.now()
  const total = keys.length
  let next = 0
  let done = 0
  let loaded = 0
  let cached = 0
  let failed = 0
  const errors: WarmupSummary['errors'] = []
  // Completed keys are queued here and yielded by the generator; `wake` resumes it.
  const pending: WarmupProgress[] = []
  let wake: (() => void) | undefined

  const worker = async (): Promise<void> => {
    while (next < total) {
      const key = keys[next++] as string
      let ran = false
      try {
        await ns.getOrSet(key, async (ctx) => {
          ran = true
          return loader(key, ctx)
        })
        if (ran) loaded++
        else cached++
      } catch (err) {
        failed++
        if (errors.length < MAX_REPORTED_ERRORS)
          errors.push({ key, message: err instanceof Error ? err.message : String(err) })
      }
      done++
      pending.push({ type: 'progress', done, total, loaded, cached, failed })
      wake?.()
    }
  }
  const workers = Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  while (done < total || pending.length > 0) {
    const item = pending.shift()
    if (item !== undefined) {
      yield item
      continue
    }
    await new Promise<void>((resolve) => {
      wake = resolve
    })
    wake = undefined
  }
  await workers
  yield {
    type: 'summary',
    namespace: namespaceName,
    total,
    loaded,
    cached,
    failed,
    errors,
    durationMs: Math.round(performance.now() - started),
  }
}
