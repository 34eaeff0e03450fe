import { describe, expect, it } from '@jest/globals'
import { fifo } from '@tierstack/strategy-fifo'
import { lru } from '@tierstack/strategy-lru'
import { createSimulation, replay } from '../src/simulate.js'

/** Textbook LRU on a Map, for comparison. */
function referenceLruHits(keys: string[], size: number): number {
  const map = new Map<string, true>()
  let hits = 0
  for (const k of keys) {
    if (map.has(k)) {
      hits++
      map.delete(k)
    } else if (map.size === size) {
      map.delete(map.keys().next().value!)
    }
    map.set(k, true)
  }
  return hits
}

describe('replay()', () => {
  it('replay() counts the hits of get-then-set-on-miss exactly like a textbook LRU', () => {
    let x = 12345
    const keys = Array.from({ length: 20_000 }, () => {
      x = (x * 1103515245 + 12345) % 2147483648
      return `k${Math.floor((x / 2147483648) ** 3 * 2000)}`
    })
    for (const size of [10, 100, 500]) {
      const sim = createSimulation('lru', lru(), size)
      replay(sim, keys.slice(0, 7_000))
      replay(sim, keys.slice(7_000))
      expect(sim.requests).toBe(20_000)
      expect(sim.hits).toBe(referenceLruHits(keys, size))
    }
  })

  it('replay() on a loop larger than the cache gets no hits from FIFO', () => {
    const loop = Array.from({ length: 5_000 }, (_, i) => String(i % 100))
    const sim = createSimulation('fifo', fifo(), 99)
    replay(sim, loop)
    expect(sim.hits).toBe(0)
  })
})
