/**
 * Seeded 32-bit string hash for the frequency sketch: FNV-1a over the UTF-16 code units, then the murmur3
 * finalizer so that every output bit depends on every input bit (the sketch slices the hash into small
 * fields). The per-store random seed makes collisions differ from one process to the next, which keeps an
 * attacker from precomputing keys that inflate a victim's frequency.
 */
export function hashString(key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

/** A random 32-bit seed (not cryptographic: it only has to differ between processes). */
export function randomSeed(): number {
  return (Math.random() * 0x1_0000_0000) | 0
}
