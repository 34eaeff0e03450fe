import { describe, expect, it } from '@jest/globals'
import Database from 'better-sqlite3'
import { prefixRange } from '../src/prefix-range.js'

/** Characters at the edges of UTF-8 lengths and of the code space. */
const PALETTE = [
  'a',
  'z',
  '%',
  '_',
  '\u0000',
  '\u007F',
  '\u0080',
  '\u07FF',
  '\u0800',
  '\uD7FF',
  '\uE000',
  '\uFFFF',
  '\u{10000}',
  '😀',
  '\u{10FFFF}',
]

function randomString(random: () => number, max: number): string {
  let s = ''
  const n = Math.floor(random() * max)
  for (let i = 0; i < n; i++) s += PALETTE[Math.floor(random() * PALETTE.length)]
  return s
}

describe('prefixRange()', () => {
  it('prefixRange() selects in SQLite exactly the keys that start with the prefix', () => {
    let seed = 12345
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (key TEXT PRIMARY KEY)')
    const insert = db.prepare('INSERT OR IGNORE INTO t VALUES (?)')
    const keys = new Set<string>()
    for (let i = 0; i < 3_000; i++) keys.add(randomString(random, 5))
    for (const k of keys) insert.run(k)
    for (let i = 0; i < 400; i++) {
      const prefix = randomString(random, 3) || 'a'
      const range = prefixRange(prefix)
      expect(range.exact).toBe(true)
      const sql =
        range.upper === undefined
          ? 'SELECT key FROM t WHERE key >= ?'
          : 'SELECT key FROM t WHERE key >= ? AND key < ?'
      const params = range.upper === undefined ? [range.lower] : [range.lower, range.upper]
      const got = new Set(
        db
          .prepare(sql)
          .pluck()
          .all(...params) as string[],
      )
      const expected = [...keys].filter((k) => k.startsWith(prefix))
      expect({ prefix, size: got.size }).toEqual({ prefix, size: expected.length })
      for (const k of expected) expect(got.has(k)).toBe(true)
    }
    db.close()
  })

  it('prefixRange() carries past U+10FFFF and has no upper bound for a prefix made only of it', () => {
    expect(prefixRange('a\u{10FFFF}')).toMatchObject({ upper: 'b', exact: true })
    expect(prefixRange('ns:')).toMatchObject({ lower: 'ns:', upper: 'ns;', exact: true, length: 3 })
    expect(prefixRange('\u{10FFFF}\u{10FFFF}')).toMatchObject({ upper: undefined, exact: true, length: 2 })
    expect(prefixRange('x\uD7FF')).toMatchObject({ upper: 'x\uD800', exact: true })
    expect(prefixRange('x\uFFFF')).toMatchObject({ upper: 'x\u{10000}', exact: true })
  })

  it('prefixRange() widens the range and asks for a filter when a lone high surrogate would pair up', () => {
    expect(prefixRange('x\uDBFF\uDBFF')).toMatchObject({ upper: 'x\uDC00', exact: false, length: 3 })
  })
})
