/**
 * Turning "keys that start with `prefix`" into an index range, `key >= lower AND key < upper`.
 *
 * SQLite compares TEXT with the BINARY collation, i.e. `memcmp` over the UTF-8 bytes, which is code point
 * order — not the UTF-16 code unit order of JavaScript's `<` (in JS `'\u{10FFFF}' < '\uFFFF'`, in SQLite it
 * is the other way round). So the upper bound is the prefix with its last code point incremented, carrying
 * past U+10FFFF (which has no successor): `'ns\u{10FFFF}'` → `'nt'`, `'\u{10FFFF}'` → no upper bound.
 *
 * Lone surrogates: better-sqlite3 stores them as 3-byte sequences (`\uD800` → ED A0 80), which keeps code
 * point order, so the rule above still holds — except that appending an incremented low surrogate after a
 * lone high one would make a valid pair (a different code point). In that pathological case the bound is
 * carried further (a superset) and `exact` is false: the caller then adds a `substr(key, 1, n) = prefix`
 * filter. `LIKE` / `GLOB` are never used, so `%`, `_`, `*`, quotes and backslashes are ordinary characters.
 */
export interface PrefixRange {
  /** Inclusive lower bound: the prefix itself. */
  lower: string
  /** Exclusive upper bound, or `undefined` when every key `>= lower` matches (prefix made of U+10FFFF only). */
  upper: string | undefined
  /** `false` when `[lower, upper)` may hold keys without the prefix (lone surrogates); filter with `substr`. */
  exact: boolean
  /** Length of the prefix in code points as SQLite counts characters (for the `substr` filter). */
  length: number
}

const MAX_CODE_POINT = 0x10ffff

/** Computes the key range of `prefix` (non-empty). */
export function prefixRange(prefix: string): PrefixRange {
  // The string iterator yields code points, and lone surrogates as single units — exactly SQLite's characters.
  const points: number[] = []
  const offsets: number[] = []
  let offset = 0
  for (const ch of prefix) {
    points.push(ch.codePointAt(0)!)
    offsets.push(offset)
    offset += ch.length
  }
  let exact = true
  for (let i = points.length - 1; i >= 0; i--) {
    const cp = points[i]!
    if (cp === MAX_CODE_POINT) continue // no successor: carry into the previous code point
    const head = prefix.slice(0, offsets[i])
    const next = String.fromCodePoint(cp + 1)
    // A low surrogate appended after a lone high one would pair into another code point: carry instead.
    if (next.length === 1 && next >= '\uDC00' && next <= '\uDFFF' && /[\uD800-\uDBFF]$/.test(head)) {
      exact = false
      continue
    }
    return { lower: prefix, upper: head + next, exact, length: points.length }
  }
  return { lower: prefix, upper: undefined, exact, length: points.length }
}
