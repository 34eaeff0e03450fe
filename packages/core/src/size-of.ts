/**
 * Estimated heap footprint of a value, in bytes. It is an estimate (V8 does not expose real sizes), good
 * enough to keep a byte budget honest: strings 2 bytes per char, binary data its length, containers their
 * elements plus per-slot overhead. Shared references are counted once; cycles are safe.
 */
export function estimateSize(value: unknown): number {
  return measure(value, undefined)
}

function measure(v: unknown, seen: Set<object> | undefined): number {
  switch (typeof v) {
    case 'string':
      return 16 + v.length * 2
    case 'number':
      return 8
    case 'boolean':
      return 4
    case 'bigint':
      return 16 + Math.ceil(v.toString(16).length / 2)
    case 'undefined':
    case 'function':
    case 'symbol':
      return 0
  }
  if (v === null) return 0
  const o = v as object
  if (ArrayBuffer.isView(o)) return 64 + o.byteLength
  if (o instanceof ArrayBuffer) return 32 + o.byteLength
  if (o instanceof Date) return 32
  const visited = seen ?? new Set<object>()
  if (visited.has(o)) return 8
  visited.add(o)
  let size = 32
  if (Array.isArray(o)) {
    for (const x of o) size += 8 + measure(x, visited)
  } else if (o instanceof Map) {
    for (const [k, x] of o) size += 16 + measure(k, visited) + measure(x, visited)
  } else if (o instanceof Set) {
    for (const x of o) size += 8 + measure(x, visited)
  } else {
    for (const k of Object.keys(o))
      size += 8 + 16 + k.length * 2 + measure((o as Record<string, unknown>)[k], visited)
  }
  return size
}
