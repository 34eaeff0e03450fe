import { describe, expect, it } from '@jest/globals'
import { ExpiryTable, REBASE_AFTER } from '../src/expiry-table.js'

const DAY = 86_400_000
const T0 = 1_700_000_000_123

describe('ExpiryTable', () => {
  it('reads back exactly what was set: offsets, fractions, far future, before the base, Infinity', () => {
    const table = new ExpiryTable(16, T0 + 0.75)
    expect(table.base).toBe(T0)
    const values = [
      T0, // offset 0
      T0 + 1,
      T0 + 3_600_000, // the engine's default TTL
      T0 + 2 ** 32 - 3, // largest offset
      T0 + 2 ** 32 - 2, // first value past the offsets: sparse
      T0 + 100 * DAY,
      T0 + 0.5,
      T0 + 3_600_000.25,
      T0 - 1, // a clock that went back
      1e15,
      Number.MAX_VALUE,
      -5,
      Number.POSITIVE_INFINITY,
    ]
    values.forEach((value, slot) => {
      table.set(slot, value)
    })
    values.forEach((value, slot) => {
      expect(table.at(slot)).toBe(value)
    })
    // Unset slots have no expiry; only the values that are not an offset use the sparse map.
    expect(table.at(15)).toBe(Number.POSITIVE_INFINITY)
    expect(table.farCount).toBe(8)
  })

  it('set() over a sparse value and remove() drop its sparse entry', () => {
    const table = new ExpiryTable(4, T0)
    table.set(0, T0 + 0.5)
    table.set(1, T0 + 200 * DAY)
    expect(table.farCount).toBe(2)
    table.set(0, T0 + 10)
    expect(table.farCount).toBe(1)
    expect(table.at(0)).toBe(T0 + 10)
    table.remove(1)
    expect(table.farCount).toBe(0)
    expect(table.at(1)).toBe(Number.POSITIVE_INFINITY)
    table.set(2, T0 + 0.5)
    table.set(2, Number.POSITIVE_INFINITY)
    expect(table.farCount).toBe(0)
    expect(table.at(2)).toBe(Number.POSITIVE_INFINITY)
  })

  it('needsRebase() once the clock is more than REBASE_AFTER past the base', () => {
    const table = new ExpiryTable(1, T0)
    expect(table.needsRebase(T0 + REBASE_AFTER)).toBe(false)
    expect(table.needsRebase(T0 + REBASE_AFTER + 1)).toBe(true)
  })

  it('rebase() keeps every value exact and moves those before the new base to the sparse map', () => {
    const table = new ExpiryTable(8, T0)
    const values = [
      T0 + 5, // long expired by the time of the rebase
      T0 + REBASE_AFTER + 10, // still ahead of the new base
      T0 + 40 * DAY,
      T0 + 0.5, // sparse already
      T0 + 60 * DAY, // sparse already (past the offsets), fits after the rebase but stays sparse: still exact
      Number.POSITIVE_INFINITY,
      T0 + REBASE_AFTER + 2, // exactly the new base
    ]
    values.forEach((value, slot) => {
      table.set(slot, value)
    })
    const now = T0 + REBASE_AFTER + 2.5
    table.rebase(now)
    expect(table.base).toBe(T0 + REBASE_AFTER + 2)
    values.forEach((value, slot) => {
      expect(table.at(slot)).toBe(value)
    })
    expect(table.farCount).toBe(3)
    // After the rebase a 40-day TTL fits in an offset again (it would not have before).
    table.set(7, now + 40 * DAY - 0.5)
    expect(table.at(7)).toBe(now + 40 * DAY - 0.5)
    expect(table.farCount).toBe(3)
    // Rebasing to an earlier or equal clock changes nothing.
    table.rebase(T0)
    expect(table.base).toBe(T0 + REBASE_AFTER + 2)
    values.forEach((value, slot) => {
      expect(table.at(slot)).toBe(value)
    })
  })

  it('grow() keeps the values and the new slots have no expiry; clear() forgets everything', () => {
    const table = new ExpiryTable(2, T0)
    table.set(0, T0 + 7)
    table.set(1, T0 + 0.5)
    table.grow(5)
    expect(table.at(0)).toBe(T0 + 7)
    expect(table.at(1)).toBe(T0 + 0.5)
    for (let slot = 2; slot < 5; slot++) expect(table.at(slot)).toBe(Number.POSITIVE_INFINITY)
    table.set(4, T0 + 9)
    expect(table.at(4)).toBe(T0 + 9)
    table.clear()
    expect(table.farCount).toBe(0)
    for (let slot = 0; slot < 5; slot++) expect(table.at(slot)).toBe(Number.POSITIVE_INFINITY)
  })
})
