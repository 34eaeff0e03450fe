/**
 * Samples ranks 0…n-1 with probability ∝ 1 / (rank+1)^s — the popularity curve of real caches (a few hot
 * keys, a long tail). Inverse-CDF over a precomputed table: O(log n) per sample.
 */
export function zipf(n: number, s = 1.1, random: () => number = Math.random): () => number {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s
    cdf[i] = sum
  }
  for (let i = 0; i < n; i++) (cdf as Float64Array)[i] = (cdf[i] as number) / sum
  return () => {
    const u = random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
