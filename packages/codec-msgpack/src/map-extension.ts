import { addExtension } from 'msgpackr'

/**
 * MessagePack extension type for JavaScript `Map`s, in the user range 1–100 of msgpackr.
 *
 * Why an extension: with records off (`useRecords: false`, the portable setting), msgpackr writes a plain
 * object and a `Map` as the same MessagePack map, so one of them is lost on read. We keep plain objects as
 * plain maps (portable, fast) and write `Map`s as this extension: `[k0, v0, k1, v1, …]`.
 */
export const MAP_EXTENSION_TYPE = 77

/** Marker the pre-walk puts where a `Map` was; only instances of this private class use the extension. */
class TaggedMap {
  constructor(readonly flat: unknown[]) {}
}

let registered = false

/**
 * Registers the `Map` extension with msgpackr once per process. msgpackr's extension table is global, so this
 * runs lazily from the serializer's constructor rather than at import time (the package has no side effects).
 */
export function registerMapExtension(): void {
  if (registered) return
  registered = true
  addExtension({
    Class: TaggedMap,
    type: MAP_EXTENSION_TYPE,
    write: (tagged: TaggedMap) => tagged.flat,
    read: (flat: unknown) => {
      if (!Array.isArray(flat) || flat.length % 2 !== 0) throw new Error('malformed Map extension')
      const map = new Map()
      for (let i = 0; i < flat.length; i += 2) map.set(flat[i], flat[i + 1])
      return map
    },
  })
}

/** Deeper than this, the pre-walk refuses the value (almost always a circular structure). */
export const MAX_DEPTH = 1000

export class DepthError extends Error {}

/**
 * Returns `value` itself when it holds no `Map`, otherwise a copy where every `Map` is a `TaggedMap`.
 * Copy-on-write: containers are copied only on the path to a `Map`, so the common case allocates nothing.
 * Leaves (Date, typed arrays, ArrayBuffer, RegExp, Error, objects with `toJSON`) are not entered: msgpackr
 * writes them natively.
 *
 * Hot loop: primitives are skipped before any call, and plain objects / arrays are recognised by their
 * constructor, so the walk costs ~2 % of msgpackr's pack + unpack on JSON-like data.
 */
export function tagMaps(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth > MAX_DEPTH) throw new DepthError(`value is nested deeper than ${MAX_DEPTH} levels (circular?)`)
  const d = depth + 1
  const ctor = (value as object).constructor
  if (ctor === Object) return tagObject(value as Record<string, unknown>, d)
  if (ctor === Array) {
    const array = value as unknown[]
    let copy: unknown[] | undefined
    for (let i = 0; i < array.length; i++) {
      const item = array[i]
      if (typeof item !== 'object' || item === null) continue
      const tagged = tagMaps(item, d)
      if (tagged !== item) {
        copy ??= array.slice()
        copy[i] = tagged
      }
    }
    return copy ?? array
  }
  if (value instanceof Map) {
    const flat: unknown[] = new Array(value.size * 2)
    let i = 0
    for (const [k, v] of value) {
      flat[i++] = tagMaps(k, d)
      flat[i++] = tagMaps(v, d)
    }
    return new TaggedMap(flat)
  }
  if (value instanceof Set) {
    let changed = false
    const items: unknown[] = []
    for (const item of value) {
      const tagged = tagMaps(item, d)
      if (tagged !== item) changed = true
      items.push(tagged)
    }
    return changed ? new Set(items) : value
  }
  if (Array.isArray(value)) return tagMaps(Array.from(value), depth) // an Array subclass: msgpackr writes an array
  if (
    value instanceof Date ||
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof RegExp ||
    value instanceof Error ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return value
  }
  // A null-prototype object or a class instance: msgpackr writes its own enumerable properties as a map.
  return tagObject(value as Record<string, unknown>, d)
}

function tagObject(obj: Record<string, unknown>, depth: number): unknown {
  let copy: Record<string, unknown> | undefined
  for (const key in obj) {
    const item = obj[key]
    if (typeof item !== 'object' || item === null || !Object.hasOwn(obj, key)) continue
    const tagged = tagMaps(item, depth)
    if (tagged !== item) {
      copy ??= { ...obj }
      copy[key] = tagged
    }
  }
  return copy ?? obj
}
