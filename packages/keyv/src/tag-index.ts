/**
 * The tag index of a Keyv tier: one store key per tag (`#tags:<tag>`) holding the keys written with that tag
 * and the latest `staleUntil` among them, as JSON. Keyv has no sets or transactions, so updates are
 * read-modify-write: serialized per tag inside one process (`TagLocks`), not atomic across processes.
 */

/** Store-key infix of tag lists. `#` cannot start an engine key (namespace names are `[A-Za-z0-9_.-]`). */
export const TAG_KEY_PREFIX = '#tags:'

/** One tag list as stored. */
export interface TagList {
  /** Keys (tier keys, without the tier's own prefix) written with the tag. */
  keys: string[]
  /** Latest `staleUntil` of those keys, epoch ms (`Infinity`: never); the list expires with it. */
  until: number
}

/** Encodes a tag list (JSON; `Infinity` as `null`). */
export function encodeTagList(list: TagList): string {
  return JSON.stringify({ k: list.keys, u: Number.isFinite(list.until) ? list.until : null })
}

/** Decodes a stored tag list; anything unreadable (another writer's garbage) counts as an empty list. */
export function decodeTagList(raw: unknown): TagList {
  if (typeof raw !== 'string') return { keys: [], until: 0 }
  try {
    const parsed = JSON.parse(raw) as { k?: unknown; u?: unknown }
    const keys = Array.isArray(parsed.k) ? parsed.k.filter((k): k is string => typeof k === 'string') : []
    const until = parsed.u === null ? Number.POSITIVE_INFINITY : typeof parsed.u === 'number' ? parsed.u : 0
    return { keys, until }
  } catch {
    return { keys: [], until: 0 }
  }
}

/**
 * FIFO locks per tag. `run(tags, fn)` waits for every earlier holder of any of `tags`, then runs `fn`.
 * The new tail is installed synchronously for all tags before waiting, so a waiter only ever waits on
 * holders that started before it: no deadlock however the tag sets overlap.
 */
export class TagLocks {
  readonly #tails = new Map<string, Promise<void>>()

  async run<T>(tags: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const list = [...new Set(tags)]
    const before: Promise<void>[] = []
    for (const t of list) {
      const tail = this.#tails.get(t)
      if (tail !== undefined) before.push(tail)
    }
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    for (const t of list) this.#tails.set(t, mine)
    try {
      if (before.length > 0) await Promise.all(before)
      return await fn()
    } finally {
      release()
      for (const t of list) if (this.#tails.get(t) === mine) this.#tails.delete(t)
    }
  }
}
