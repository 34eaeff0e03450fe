import { describe, expect, it } from '@jest/globals'
import { codeOf } from '@tierstack/test-suite'
import { Packr, Unpackr } from 'msgpackr'
import { MAP_EXTENSION_TYPE, msgpack } from '../src/index.js'

function roundTrip(value: unknown, options?: Parameters<typeof msgpack>[0]): unknown {
  const s = msgpack(options)
  return s.deserialize(s.serialize(value))
}

describe('msgpack()', () => {
  it('msgpack() has the stable id msgpack', () => {
    expect(msgpack().id).toBe('msgpack')
  })

  it('serialize() round-trips JSON-like values exactly', () => {
    const values = [
      null,
      true,
      false,
      0,
      -1,
      2 ** 53 - 1,
      -(2 ** 40),
      1.5,
      '',
      'héllo ☃ 𝄞',
      'x'.repeat(100_000),
      [],
      [1, 'a', null, [2, [3]]],
      {},
      { a: 1, nested: { deep: { deeper: ['x', { y: 2 }] } } },
    ]
    for (const value of values) expect(roundTrip(value)).toEqual(value)
  })

  it('serialize() round-trips Date, Buffer, Uint8Array, Map, Set, BigInt, undefined and special numbers', () => {
    const value = {
      date: new Date(1_700_000_000_123),
      oldDate: new Date(-1_000_000),
      buffer: Buffer.from([1, 2, 3]),
      bytes: new Uint8Array([4, 5, 6]),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', { z: 2 }],
        [{ objKey: true }, [1]],
      ]),
      set: new Set([1, 'a', 2n]),
      small: 5n,
      negative: -(2n ** 63n),
      unsigned64: 2n ** 64n - 1n,
      huge: 2n ** 200n + 7n,
      hugeNegative: -(2n ** 100n),
      undef: undefined,
      arrayWithHole: [1, undefined, 3],
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
    }
    const out = roundTrip(value) as typeof value
    expect(out).toEqual(value)
    expect(Buffer.isBuffer(out.buffer)).toBe(true)
    expect(out.bytes).toBeInstanceOf(Uint8Array)
    expect(out.map).toBeInstanceOf(Map)
    expect(out.set).toBeInstanceOf(Set)
    expect(typeof out.small).toBe('bigint')
    // jest's toEqual never equates two invalid Dates (NaN !== NaN), so check it apart.
    const invalid = roundTrip(new Date(Number.NaN))
    expect(invalid).toBeInstanceOf(Date)
    expect(Number.isNaN((invalid as Date).getTime())).toBe(true)
    expect('undef' in out).toBe(true)
  })

  // Other typed arrays (Float64Array, …) round-trip too, but not under jest: its sandbox mixes realms
  // (Uint8Array comes from the outer realm, Float64Array from the sandbox), so msgpackr's instanceof fails.

  it('serialize() keeps a Map a Map and a plain object a plain object, at any depth', () => {
    const value = {
      obj: { a: 1 },
      map: new Map([['a', 1]]),
      inArray: [new Map([['x', new Map([['y', { plain: true }]])]])],
      inSet: new Set([new Map([[1, 2]])]),
      empty: new Map(),
      mapOfSets: new Map([['s', new Set([new Map([[3, 4]])])]]),
    }
    const out = roundTrip(value) as typeof value
    expect(out).toEqual(value)
    expect(out.obj).not.toBeInstanceOf(Map)
    const inner = out.inArray[0]!.get('x')!
    expect(inner).toBeInstanceOf(Map)
    expect(inner.get('y')).toEqual({ plain: true })
    expect(inner.get('y')).not.toBeInstanceOf(Map)
  })

  it('serialize() writes class instances and null-prototype objects as plain objects, Maps inside kept', () => {
    class Point {
      constructor(
        public x: number,
        public meta: Map<string, number>,
      ) {}
      norm(): number {
        return Math.abs(this.x)
      }
    }
    class List extends Array<unknown> {}
    const bare = Object.create(null) as Record<string, unknown>
    bare.m = new Map([['a', 1]])
    const list = new List()
    list.push(new Map([['b', 2]]))
    const out = roundTrip({ p: new Point(3, new Map([['w', 1]])), bare, list }) as Record<string, unknown>
    expect(out.p).toEqual({ x: 3, meta: new Map([['w', 1]]) })
    expect(out.bare).toEqual({ m: new Map([['a', 1]]) })
    expect(out.list).toEqual([new Map([['b', 2]])])
  })

  it('serialize() does not change the value it is given', () => {
    const map = new Map([['a', 1]])
    const value = { list: [map], obj: { map } }
    const s = msgpack()
    s.serialize(value)
    expect(value.list[0]).toBe(map)
    expect(value.obj.map).toBe(map)
    expect(map.get('a')).toBe(1)
  })

  it('serialize() writes plain objects as standard MessagePack maps (no records, readable by any decoder)', () => {
    const value = { id: 1, name: 'a', list: [1, 2], nested: { x: 'y' } }
    const bytes = msgpack().serialize(value)
    // The bytes a portable encoder produces (fixmap 0x84, no msgpackr record extension 0xd4 0x72).
    expect(Buffer.from(bytes)).toEqual(new Packr({ useRecords: false, variableMapSize: true }).pack(value))
    expect(bytes[0]).toBe(0x84)
    expect(new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(bytes)).toEqual(value)
  })

  it('serialize() output of one instance is read by another (no shared structures)', () => {
    const a = msgpack()
    const b = msgpack()
    const values = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}`, tags: ['t'] }))
    const encoded = values.map((v) => a.serialize(v))
    expect(encoded.map((bytes) => b.deserialize(bytes))).toEqual(values)
  })

  it('serialize() writes a Map as extension type 77', () => {
    const bytes = msgpack().serialize(new Map([[1, 2]]))
    expect(MAP_EXTENSION_TYPE).toBe(77)
    expect([...bytes.subarray(0, 3)]).toEqual([0xd4, MAP_EXTENSION_TYPE, 0])
  })

  it('serialize() with preserveMaps: false writes Maps as MessagePack maps, read back as objects', () => {
    expect(roundTrip({ m: new Map([['a', 1]]) }, { preserveMaps: false })).toEqual({ m: { a: 1 } })
  })

  it('serialize() handles objects with more than 65535 keys', () => {
    const big: Record<string, number> = {}
    for (let i = 0; i < 70_000; i++) big[`k${i}`] = i
    const out = roundTrip(big) as Record<string, number>
    expect(Object.keys(out)).toHaveLength(70_000)
    expect(out.k69999).toBe(69_999)
  })

  it('serialize() round-trips a 1 MB value', () => {
    const value = Array.from({ length: 8000 }, (_, i) => ({ id: i, text: `row ${i} `.repeat(10) }))
    expect(roundTrip(value)).toEqual(value)
  })

  it('serialize() refuses functions, symbols and circular structures with E_SERIALIZE', () => {
    const s = msgpack()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const circularArray: unknown[] = []
    circularArray.push(circularArray)
    expect(codeOf(() => s.serialize(() => 1))).toBe('E_SERIALIZE')
    expect(codeOf(() => s.serialize({ f: () => 1 }))).toBe('E_SERIALIZE')
    expect(codeOf(() => s.serialize(Symbol('x')))).toBe('E_SERIALIZE')
    expect(codeOf(() => s.serialize({ s: Symbol('x') }))).toBe('E_SERIALIZE')
    expect(codeOf(() => s.serialize(circular))).toBe('E_SERIALIZE')
    expect(codeOf(() => s.serialize(circularArray))).toBe('E_SERIALIZE')
    expect(codeOf(() => msgpack({ preserveMaps: false }).serialize(circular))).toBe('E_SERIALIZE')
    // The instance still works after a failure.
    expect(s.deserialize(s.serialize({ ok: 1 }))).toEqual({ ok: 1 })
  })

  it('deserialize() throws E_DECODE for garbage, truncated input and trailing bytes', () => {
    const s = msgpack()
    const good = s.serialize({ a: [1, 2, 3], b: 'text' })
    expect(codeOf(() => s.deserialize(new Uint8Array(0)))).toBe('E_DECODE')
    expect(codeOf(() => s.deserialize(good.subarray(0, good.length - 1)))).toBe('E_DECODE')
    expect(codeOf(() => s.deserialize(Buffer.concat([good, Buffer.from([1])])))).toBe('E_DECODE')
    expect(codeOf(() => s.deserialize(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])))).toBe('E_DECODE')
    expect(codeOf(() => s.deserialize(Buffer.from([0xd4, MAP_EXTENSION_TYPE, 0, 0x91, 0x01])))).toBe(
      'E_DECODE',
    )
    expect(codeOf(() => s.deserialize(Buffer.from([0xd4, 0x01, 0x00])))).toBe('E_DECODE')
    expect(codeOf(() => s.deserialize('not bytes' as unknown as Uint8Array))).toBe('E_DECODE')
    // The instance still works after a failure.
    expect(s.deserialize(good)).toEqual({ a: [1, 2, 3], b: 'text' })
  })

  it('deserialize() returns Buffers that do not alias the input', () => {
    const s = msgpack()
    const bytes = Buffer.from(s.serialize({ b: Buffer.from('abc') }))
    const out = s.deserialize(bytes) as { b: Buffer }
    bytes.fill(0)
    expect(out.b.toString()).toBe('abc')
  })

  it('msgpack() rejects invalid options with E_INVALID_OPTION naming the option', () => {
    expect(codeOf(() => msgpack({ preserveMaps: 'yes' as unknown as boolean }))).toBe('E_INVALID_OPTION')
    expect(() => msgpack({ preserveMaps: 1 as unknown as boolean })).toThrow(/preserveMaps/)
    expect(codeOf(() => msgpack(null as unknown as object))).toBe('E_INVALID_OPTION')
  })
})
