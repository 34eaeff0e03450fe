// Synthetic workloads for checking that the policy generalizes beyond the five public traces (not shipped).
// Every generator is seeded and returns string keys.

/** xorshift32 in [0, 1), seeded (0 counts as 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x1_0000_0000
  }
}

/** Zipf(s) sampler over n items (inverse CDF on a precomputed table). */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s
    cdf[i] = sum
  }
  return () => {
    const x = random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cdf[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

export const WORKLOADS: Record<string, (n: number) => string[]> = {
  /** Static Zipf 0.9 over 100k keys: frequency wins. */
  zipf: (n) => {
    const r = rng(1)
    const z = zipf(100_000, 0.9, r)
    return Array.from({ length: n }, () => String(z()))
  },
  /** Zipf 0.8 whose popularity ranking is reshuffled (new key ids) every 200k requests: aging matters. */
  'zipf-shift': (n) => {
    const r = rng(2)
    const z = zipf(100_000, 0.8, r)
    return Array.from({ length: n }, (_, i) => `${Math.floor(i / 200_000)}:${z()}`)
  },
  /** Recency: 30% new keys, otherwise re-use of the key requested d steps ago, d uniform in [1, 4000]. */
  recency: (n) => {
    const r = rng(3)
    const out: string[] = []
    let fresh = 0
    for (let i = 0; i < n; i++) {
      if (i < 10 || r() < 0.3) out.push(String(fresh++))
      else out.push(out[Math.max(0, i - 1 - Math.floor(r() * 4000))]!)
    }
    return out
  },
  /** Recency with a short horizon (d in [1, 500]) and 50% one-hit keys: like a session store. */
  'recency-short': (n) => {
    const r = rng(4)
    const out: string[] = []
    let fresh = 0
    for (let i = 0; i < n; i++) {
      if (i < 10 || r() < 0.5) out.push(String(fresh++))
      else out.push(out[Math.max(0, i - 1 - Math.floor(r() * 500))]!)
    }
    return out
  },
  /** Zipf 0.99 hot set of 20k keys with a sequential scan of 5k one-time keys every 50k requests. */
  'zipf-scan': (n) => {
    const r = rng(5)
    const z = zipf(20_000, 0.99, r)
    const out: string[] = []
    let scan = 0
    for (let i = 0; out.length < n; i++) {
      if (i % 50_000 === 0) for (let j = 0; j < 5000 && out.length < n; j++) out.push(`scan:${scan++}`)
      out.push(String(z()))
    }
    return out
  },
  /** Half recency, half Zipf 0.7 (a mixed, phase-changing workload: 100k-request phases). */
  phases: (n) => {
    const r = rng(6)
    const z = zipf(50_000, 0.7, r)
    const out: string[] = []
    let fresh = 0
    for (let i = 0; i < n; i++) {
      const recencyPhase = Math.floor(i / 100_000) % 2 === 0
      if (recencyPhase) {
        if (i % 100_000 < 10 || r() < 0.3) out.push(`n${fresh++}`)
        else out.push(out[Math.max(0, i - 1 - Math.floor(r() * 3000))]!)
      } else out.push(`z${z()}`)
    }
    return out
  },
}
