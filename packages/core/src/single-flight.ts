/**
 * Deduplicates concurrent work per key inside one process: the first caller runs `fn`, every caller that
 * arrives while it runs gets the same promise. The entry is dropped when the work settles, so errors are
 * never cached.
 */
export class SingleFlight<TValue> {
  readonly #inflight = new Map<string, Promise<TValue>>()

  run(key: string, fn: () => Promise<TValue>): Promise<TValue> {
    const running = this.#inflight.get(key)
    if (running) return running
    const p = fn().finally(() => {
      if (this.#inflight.get(key) === p) this.#inflight.delete(key)
    })
    this.#inflight.set(key, p)
    return p
  }

  /** Whether work for `key` is in flight. */
  has(key: string): boolean {
    return this.#inflight.has(key)
  }

  get size(): number {
    return this.#inflight.size
  }
}
