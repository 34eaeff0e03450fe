/** A seeded PRNG (mulberry32): the same seed gives the same workload on every run and machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` indices drawn uniformly from [0, n). */
export function uniformIndices(n: number, count: number, random: () => number): Uint32Array {
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * n)
  return out
}

/**
 * `count` indices from a Zipf distribution over [0, n) with exponent `s` (rank 0 most popular), by
 * inverse-CDF lookup (binary search over the cumulative weights).
 */
export function zipfIndices(n: number, s: number, count: number, random: () => number): Uint32Array {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s
    cdf[i] = sum
  }
  const out = new Uint32Array(count)
  for (let j = 0; j < count; j++) {
    const u = random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! < u) lo = mid + 1
      else hi = mid
    }
    out[j] = lo
  }
  return out
}

/** `key0` … `key{n-1}`, built once so that key construction is not part of any measurement. */
export function makeKeys(n: number, prefix = 'key'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`)
}
