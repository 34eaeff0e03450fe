/** A copy of `array` with room for `length` elements (the new ones 0). */
export function growInt32(array: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length)
  next.set(array)
  return next
}
