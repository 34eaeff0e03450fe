import { describe, expect, it } from '@jest/globals'
import { FrequencySketch } from '@tierstack/strategy-lfu'
import { hashOf } from './helpers.js'

describe('FrequencySketch', () => {
  it('frequency() counts increments of one hash and saturates at 15', () => {
    const sketch = new FrequencySketch(1024)
    const h = hashOf(7)
    expect(sketch.frequency(h)).toBe(0)
    for (let i = 1; i <= 15; i++) {
      sketch.increment(h)
      expect(sketch.frequency(h)).toBe(i)
    }
    for (let i = 0; i < 10; i++) sketch.increment(h)
    expect(sketch.frequency(h)).toBe(15)
  })

  it('frequency() keeps keys apart: rarely seen keys do not inherit a hot key’s count', () => {
    const sketch = new FrequencySketch(512)
    const hot = hashOf(0)
    for (let i = 0; i < 15; i++) sketch.increment(hot)
    for (let k = 1; k <= 512; k++) sketch.increment(hashOf(k))
    let overestimated = 0
    for (let k = 1; k <= 512; k++) if (sketch.frequency(hashOf(k)) > 2) overestimated++
    // A count-min sketch only over-estimates; with 16 counters per entry that stays rare.
    expect(overestimated).toBeLessThan(10)
    expect(sketch.frequency(hot)).toBe(15)
  })

  it('increment() is a conservative update: no other key’s estimate rises above the incremented key’s', () => {
    // A crowded table (1024 counters, 400 keys): with a plain count-min update, raising all four counters of
    // one key lifts keys whose minimum sits on one of its larger counters above that key's own estimate.
    const sketch = new FrequencySketch(64)
    const keys = Array.from({ length: 400 }, (_, i) => hashOf(i))
    let state = 12345
    const next = () => {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      return (state >>> 0) % keys.length
    }
    let checked = 0
    for (let step = 0; step < 600; step++) {
      // Skewed choice: low indices are hot, so counters differ widely within a key.
      const h = keys[Math.min(next(), next())]!
      const before = keys.map((k) => sketch.frequency(k))
      sketch.increment(h)
      const own = sketch.frequency(h)
      for (let i = 0; i < keys.length; i++) {
        const after = sketch.frequency(keys[i]!)
        if (after > before[i]!) {
          expect(after).toBeLessThanOrEqual(own)
          checked++
        }
      }
    }
    // Collisions did raise other keys (the check above ran), just never past the key being counted.
    expect(checked).toBeGreaterThan(600)
  })

  it('reset() halves every counter', () => {
    const sketch = new FrequencySketch(64)
    const a = hashOf(1)
    const b = hashOf(2)
    for (let i = 0; i < 13; i++) sketch.increment(a)
    for (let i = 0; i < 4; i++) sketch.increment(b)
    sketch.reset()
    expect(sketch.frequency(a)).toBe(6)
    expect(sketch.frequency(b)).toBe(2)
  })

  it('increment() halves the counters by itself after sampleSize (10 × capacity) increments', () => {
    const sketch = new FrequencySketch(100)
    expect(sketch.sampleSize).toBe(1000)
    const hot = hashOf(0)
    for (let i = 0; i < 12; i++) sketch.increment(hot)
    expect(sketch.frequency(hot)).toBe(12)
    // 12 increments so far; 988 more distinct ones reach the sample size and trigger the halving.
    for (let k = 1; k <= 987; k++) sketch.increment(hashOf(k))
    expect(sketch.frequency(hot)).toBe(12)
    sketch.increment(hashOf(988))
    expect(sketch.frequency(hot)).toBe(6)
  })

  it('addUncounted() adds several occurrences at once (saturating at 15) without moving the halving', () => {
    const sketch = new FrequencySketch(100)
    const h = hashOf(5)
    expect(sketch.addUncounted(h, 5)).toBe(false)
    expect(sketch.frequency(h)).toBe(5)
    expect(sketch.addUncounted(h, 9)).toBe(false)
    expect(sketch.frequency(h)).toBe(14)
    expect(sketch.addUncounted(h, 16)).toBe(true)
    expect(sketch.frequency(h)).toBe(15)
    // None of that counted towards the 1000 increments between halvings.
    for (let i = 0; i < 999; i++) expect(sketch.tick()).toBe(false)
    expect(sketch.frequency(h)).toBe(15)
    expect(sketch.tick()).toBe(true)
    expect(sketch.frequency(h)).toBe(7)
  })

  it('increment() reports the halving it triggers', () => {
    const sketch = new FrequencySketch(10)
    let halvings = 0
    for (let k = 0; k < 100; k++) if (sketch.increment(hashOf(k))) halvings++
    expect(halvings).toBe(1)
  })

  it('ensureCapacity() grows the table (dropping history) and never shrinks it', () => {
    const sketch = new FrequencySketch(16)
    const h = hashOf(3)
    sketch.increment(h)
    sketch.ensureCapacity(8)
    expect(sketch.capacity).toBe(16)
    expect(sketch.frequency(h)).toBe(1)
    sketch.ensureCapacity(5000)
    expect(sketch.capacity).toBe(5000)
    expect(sketch.sampleSize).toBe(50_000)
    expect(sketch.frequency(h)).toBe(0)
  })

  it('clear() forgets every count', () => {
    const sketch = new FrequencySketch(32)
    for (let k = 0; k < 32; k++) sketch.increment(hashOf(k))
    sketch.clear()
    for (let k = 0; k < 32; k++) expect(sketch.frequency(hashOf(k))).toBe(0)
  })
})
