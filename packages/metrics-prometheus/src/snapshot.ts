import type { CacheStats } from '@tierstack/core'
import type { MetricsSource } from './source.js'

/**
 * Reads `stats()` once per scrape. prom-client calls every metric's `collect()` in the same tick of
 * `registry.metrics()`, so the snapshot is shared by all of them and dropped on the next macrotask:
 * one `stats()` call per scrape, however many metric families read it.
 */
export class StatsSnapshot {
  readonly #source: MetricsSource
  #current: CacheStats | undefined

  constructor(source: MetricsSource) {
    this.#source = source
  }

  get(): CacheStats {
    if (this.#current === undefined) {
      this.#current = this.#source.stats()
      setImmediate(() => {
        this.#current = undefined
      })
    }
    return this.#current
  }
}
