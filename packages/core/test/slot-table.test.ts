import { describe, expect, it } from '@jest/globals'
import {
  type EvictionReason,
  isCacheError,
  resolveStoreOptions,
  SlotTable,
  type SlotTableConfig,
} from '@tierstack/core'

type Event = [key: string, value: string, reason: EvictionReason]

/** FIFO over a `Set` of slots (insertion order), recording every hook call. */
class FifoTable extends SlotTable<string> {
  readonly order = new Set<number>()
  readonly hooks: string[] = []
  /** Slots whose new entry `onInsert` turns away (admission), by key. */
  readonly refuse = new Set<string>()

  protected onInsert(slot: number): void {
    this.hooks.push(`insert ${this.keyAt(slot)} @${slot} count=${this.count}`)
    if (this.refuse.has(this.keyAt(slot))) {
      this.order.add(slot)
      this.evict(slot)
      return
    }
    this.makeRoom(slot)
    this.order.add(slot)
  }

  protected onUpdate(slot: number, oldSize: number): void {
    this.hooks.push(`update ${this.keyAt(slot)} from ${oldSize} to ${this.sizeAt(slot)}`)
    this.makeRoom(slot)
  }

  protected onRemove(slot: number): void {
    this.hooks.push(`remove ${this.keyAt(slot)}`)
    this.order.delete(slot)
  }

  protected override onAccess(slot: number): void {
    this.hooks.push(`access ${this.keyAt(slot)}`)
  }

  protected override onGrow(capacity: number): void {
    this.hooks.push(`grow ${capacity}`)
  }

  protected override onClear(): void {
    this.hooks.push('clear')
    this.order.clear()
  }

  protected override victim(protect: number): number {
    for (const slot of this.order) if (slot !== protect) return slot
    return -1
  }

  /** The expiry heap's top, for `'order'` tables. */
  first(): string | undefined {
    const slot = this.firstToExpire()
    return slot === -1 ? undefined : this.keyAt(slot)
  }
}

function build(
  options: { maxEntries?: number; maxBytes?: number } = { maxEntries: 3 },
  config: Partial<SlotTableConfig> = {},
) {
  const events: Event[] = []
  const clock = { now: 1_000 }
  const table = new FifoTable(
    resolveStoreOptions<string>('test', {
      ...options,
      sizeOf: options.maxBytes === undefined ? undefined : (v) => v.length,
      now: () => clock.now,
      onEvict: (key, value, reason) => {
        events.push([key, value, reason])
      },
    }),
    { label: 'test', ...config },
  )
  return { table, events, clock }
}

describe('SlotTable', () => {
  it('set() counts a new entry before onInsert, whose makeRoom() evicts victim() until the budgets hold', () => {
    const { table, events } = build({ maxEntries: 2 })
    expect(table.set('a', 'A')).toBe(true)
    expect(table.set('b', 'B')).toBe(true)
    expect(table.set('c', 'C')).toBe(true)
    expect(table.hooks).toEqual([
      'insert a @0 count=1',
      'insert b @1 count=2',
      'insert c @2 count=3',
      'remove a',
    ])
    expect(events).toEqual([['a', 'A', 'capacity']])
    expect(table.size).toBe(2)
    expect([...table.keys()]).toEqual(['b', 'c'])
  })

  it('set() of an existing key calls onUpdate with the old size and never evicts that entry', () => {
    const { table, events } = build({ maxBytes: 10 })
    table.set('a', 'aaa')
    table.set('b', 'bbb')
    table.set('a', 'aaaaaaaaa')
    expect(table.hooks.slice(2)).toEqual(['update a from 3 to 9', 'remove b'])
    expect(events).toEqual([['b', 'bbb', 'capacity']])
    expect(table.bytes).toBe(9)
    expect(table.get('a')).toBe('aaaaaaaaa')
  })

  it('set() refuses an entry larger than maxBytes or already expired, dropping the older value as deleted', () => {
    const { table, events, clock } = build({ maxBytes: 10 })
    table.set('a', 'aaa')
    table.set('b', 'bbb')
    expect(table.set('a', 'x'.repeat(11))).toBe(false)
    expect(table.set('b', 'bb', clock.now)).toBe(false)
    expect(table.set('c', 'cc', clock.now - 1)).toBe(false)
    expect(events).toEqual([
      ['a', 'aaa', 'deleted'],
      ['b', 'bbb', 'deleted'],
    ])
    expect(table.size).toBe(0)
    expect(table.bytes).toBe(0)
  })

  it("set() with refusedOverwrite: 'silent' drops the older value without reporting it", () => {
    const { table, events } = build({ maxBytes: 10 }, { refusedOverwrite: 'silent' })
    table.set('a', 'aaa')
    expect(table.set('a', 'x'.repeat(11))).toBe(false)
    expect(table.has('a')).toBe(false)
    expect(events).toEqual([])
  })

  it('set() returns false, reporting nothing, when onInsert evicts the new entry (admission)', () => {
    const { table, events } = build({ maxEntries: 2 })
    table.refuse.add('x')
    table.set('a', 'A')
    expect(table.set('x', 'X')).toBe(false)
    expect(table.has('x')).toBe(false)
    expect(table.size).toBe(1)
    expect(events).toEqual([])
  })

  it('set() rejects undefined values and NaN expiry times', () => {
    const { table } = build()
    let error: unknown
    try {
      table.set('a', undefined as never)
    } catch (e) {
      error = e
    }
    expect(isCacheError(error, 'E_INVALID_VALUE')).toBe(true)
    expect(() => table.set('a', 'A', Number.NaN)).toThrow(/expiresAt/)
    expect(table.size).toBe(0)
  })

  it("get() records an access and reclaims an expired entry; 'lazy' keeps unread expired entries counted", () => {
    const { table, events, clock } = build({ maxEntries: 5 })
    table.set('a', 'A', clock.now + 10)
    table.set('b', 'B', clock.now + 10)
    table.set('c', 'C')
    expect(table.get('a')).toBe('A')
    expect(table.peek('c')).toBe('C')
    expect(table.hooks.filter((h) => h.startsWith('access'))).toEqual(['access a'])
    clock.now += 10
    expect([...table.keys()]).toEqual(['c'])
    expect(table.size).toBe(3)
    expect(table.get('a')).toBeUndefined()
    expect(events).toEqual([['a', 'A', 'expired']])
    expect(table.delete('b')).toBe(true)
    expect(events.at(-1)).toEqual(['b', 'B', 'deleted'])
  })

  it("size, bytes and keys() reclaim expired entries first in 'reclaim' mode; delete() of one returns false", () => {
    const { table, events, clock } = build({ maxBytes: 100 }, { expiry: 'reclaim' })
    table.set('a', 'A', clock.now + 10)
    table.set('b', 'BB', clock.now + 20)
    table.set('c', 'CCC')
    clock.now += 10
    expect(table.size).toBe(2)
    expect(events).toEqual([['a', 'A', 'expired']])
    clock.now += 10
    expect(table.delete('b')).toBe(false)
    expect(events.at(-1)).toEqual(['b', 'BB', 'expired'])
    expect(table.bytes).toBe(3)
    expect([...table.keys()]).toEqual(['c'])
  })

  it("set() reclaims expired entries from the heap before making room in 'reclaim' mode", () => {
    const { table, events, clock } = build({ maxEntries: 2 }, { expiry: 'reclaim' })
    table.set('a', 'A')
    table.set('b', 'B', clock.now + 5)
    clock.now += 5
    table.set('c', 'C')
    expect(events).toEqual([['b', 'B', 'expired']])
    expect([...table.keys()]).toEqual(['a', 'c'])
  })

  it("firstToExpire() orders every entry by expiresAt, then write order, in 'order' mode", () => {
    const { table, clock } = build({ maxEntries: 10 }, { expiry: 'order' })
    table.set('none', 'N')
    table.set('late', 'L', clock.now + 50)
    table.set('tie1', 'T', clock.now + 10)
    table.set('tie2', 'T', clock.now + 10)
    expect(table.first()).toBe('tie1')
    table.set('tie1', 'T', clock.now + 10) // rewritten: now the newer of the two
    expect(table.first()).toBe('tie2')
    table.delete('tie2')
    table.delete('tie1')
    expect(table.first()).toBe('late')
    table.delete('late')
    expect(table.first()).toBe('none')
  })

  it('onEvict() may call back into the table: calls are queued until the table is consistent', () => {
    const seen: string[] = []
    const table: FifoTable = new FifoTable(
      resolveStoreOptions<string>('test', {
        maxEntries: 2,
        onEvict: (key) => {
          seen.push(`${key} size=${table.size}`)
          if (key === 'a') table.set('a2', 'again')
        },
      }),
      { label: 'test' },
    )
    table.set('a', 'A')
    table.set('b', 'B')
    table.set('c', 'C')
    expect(seen).toEqual(['a size=2', 'b size=2'])
    expect([...table.keys()]).toEqual(['c', 'a2'])
  })

  it('set() grows the arrays by doubling (onGrow) and never hands out reserved slots', () => {
    const { table } = build({ maxEntries: 100 }, { reservedSlots: 2, initialSlots: 4 })
    for (let i = 0; i < 100; i++) table.set(`k${i}`, 'v')
    expect(table.hooks[0]).toBe('insert k0 @2 count=1')
    expect(table.hooks.filter((h) => h.startsWith('grow'))).toEqual([
      'grow 12',
      'grow 24',
      'grow 48',
      'grow 96',
      'grow 103',
    ])
    expect(table.size).toBe(100)
  })

  it('clear() empties the table and calls onClear without reporting anything', () => {
    const { table, events } = build({ maxEntries: 5, maxBytes: 100 })
    table.set('a', 'A')
    table.set('b', 'BB')
    table.clear()
    expect(table.hooks.at(-1)).toBe('clear')
    expect(table.size).toBe(0)
    expect(table.bytes).toBe(0)
    expect([...table.keys()]).toEqual([])
    expect(events).toEqual([])
    expect(table.set('c', 'C')).toBe(true)
    expect(table.hooks.at(-1)).toBe('insert c @0 count=1')
  })
})
