/** Distinct, well-spread 32-bit hashes (the store feeds the sketch and the ghosts hashed keys). */
export function hashOf(i: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h | 0
}
