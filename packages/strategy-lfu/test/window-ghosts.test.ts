import { describe, expect, it } from '@jest/globals'
import { DISPLACED, REJECTED, WindowGhosts } from '../src/window-ghosts.js'
import { hashOf } from './helpers.js'

describe('WindowGhosts', () => {
  // 1000 entries → horizon of 62 evictions (6.25%).
  const capacity = 1000

  it('miss() counts a rejected candidate that comes back within the horizon, once', () => {
    const ghosts = new WindowGhosts(capacity)
    ghosts.record(hashOf(1), REJECTED)
    for (let i = 0; i < 50; i++) ghosts.record(hashOf(100 + i), REJECTED)
    ghosts.miss(hashOf(1))
    ghosts.miss(hashOf(1))
    expect(ghosts.rejectedHits).toBe(1)
    expect(ghosts.displacedHits).toBe(0)
  })

  it('miss() ignores a ghost older than the horizon and keys never recorded', () => {
    const ghosts = new WindowGhosts(capacity)
    ghosts.record(hashOf(1), REJECTED)
    for (let i = 0; i < 80; i++) ghosts.record(hashOf(100 + i), REJECTED)
    ghosts.miss(hashOf(1))
    ghosts.miss(hashOf(99_999))
    expect(ghosts.rejectedHits).toBe(0)
  })

  it('a displaced victim ages in displacements only: rejections in between do not push it out', () => {
    const ghosts = new WindowGhosts(capacity)
    ghosts.record(hashOf(1), DISPLACED)
    for (let i = 0; i < 500; i++) ghosts.record(hashOf(100 + i), REJECTED)
    for (let i = 0; i < 40; i++) ghosts.record(hashOf(1000 + i), DISPLACED)
    ghosts.miss(hashOf(1))
    expect(ghosts.displacedHits).toBe(1)
    // …but displacements do age it, and they also count as evictions for rejected candidates.
    ghosts.record(hashOf(2), DISPLACED)
    ghosts.record(hashOf(3), REJECTED)
    for (let i = 0; i < 70; i++) ghosts.record(hashOf(2000 + i), DISPLACED)
    ghosts.miss(hashOf(2))
    ghosts.miss(hashOf(3))
    expect(ghosts.displacedHits).toBe(1)
    expect(ghosts.rejectedHits).toBe(0)
  })

  it('reset() starts a new count; clear() also forgets the ghosts', () => {
    const ghosts = new WindowGhosts(capacity)
    ghosts.record(hashOf(1), REJECTED)
    ghosts.record(hashOf(2), DISPLACED)
    ghosts.record(hashOf(3), REJECTED)
    ghosts.miss(hashOf(1))
    ghosts.miss(hashOf(2))
    expect([ghosts.rejectedHits, ghosts.displacedHits]).toEqual([1, 1])
    ghosts.reset()
    expect([ghosts.rejectedHits, ghosts.displacedHits]).toEqual([0, 0])
    ghosts.clear()
    ghosts.miss(hashOf(3))
    expect(ghosts.rejectedHits).toBe(0)
  })

  it('a large store tracks a hash-selected sample of its keys, so the counts scale down with it', () => {
    const big = new WindowGhosts(1 << 20)
    const small = new WindowGhosts(capacity)
    let bigHits = 0
    for (let i = 0; i < 4096; i++) {
      big.record(hashOf(i), REJECTED)
      big.miss(hashOf(i))
      small.record(hashOf(i), REJECTED)
      small.miss(hashOf(i))
    }
    bigHits = big.rejectedHits
    expect(small.rejectedHits).toBe(4096)
    // 2^20 entries → one key in 16: about 256 of 4096.
    expect(bigHits).toBeGreaterThan(150)
    expect(bigHits).toBeLessThan(400)
  })
})
