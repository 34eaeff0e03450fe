import type { BoundedStore, EvictionStrategy } from '@tierstack/core'

/** One cache being replayed against a trace: its store and its counters. */
export interface Simulation {
  strategy: string
  size: number
  store: BoundedStore<true>
  requests: number
  hits: number
}

/** A store of `size` entries (count capacity) from `strategy`. */
export function createSimulation(name: string, strategy: EvictionStrategy, size: number): Simulation {
  return { strategy: name, size, store: strategy.create<true>({ maxEntries: size }), requests: 0, hits: 0 }
}

/** Replays a batch of requests: `get`; on a miss, `set`. */
export function replay(sim: Simulation, keys: readonly string[]): void {
  const store = sim.store
  let hits = 0
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (store.get(key) === undefined) store.set(key, true)
    else hits++
  }
  sim.hits += hits
  sim.requests += keys.length
}
