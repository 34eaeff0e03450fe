import type { BoundedStoreOptions } from '@tierstack/core'
import { resolveStoreOptions, SlotTable } from '@tierstack/core'

/**
 * A `BoundedStore` that evicts the entry closest to its expiry first.
 *
 * The policy is the order of core's `SlotTable` expiry heap (`expiry: 'order'`): an indexed binary
 * min-heap of every entry by `(expiresAt, write sequence)`, entries without an expiry last, ties to the
 * oldest write — so without expiries this is FIFO. Removing any entry is O(log n). There is no timer per
 * key: an expired entry is dropped when it is read, and every `set` pops the expired entries off the top of
 * the heap before making room. An overwritten entry is out of the heap while room is made, so it cannot
 * be its own victim. Reads never touch the heap.
 */
export class TtlStore<TValue> extends SlotTable<TValue> {
  constructor(options: BoundedStoreOptions<TValue>) {
    super(resolveStoreOptions('ttl', options), { label: '@tierstack/strategy-ttl', expiry: 'order' })
  }

  protected onInsert(slot: number): void {
    this.makeRoom(slot)
  }

  protected onUpdate(slot: number): void {
    this.makeRoom(slot)
  }

  protected onRemove(): void {}

  protected override victim(): number {
    return this.firstToExpire()
  }
}
