import { expect } from '@jest/globals'
import type { StoredEntry, Tier, TierCapabilities } from '@tierstack/core'
import {
  type MakeEntryOptions,
  makeEntry,
  pseudoRandomBytes,
  randomPrefix,
  sameBytes,
  sleep,
} from './entries.js'
import { findCheck } from './suite-kit.js'

/** Options of {@link tierComplianceSuite}: they adapt expectations to a backend, they never skip checks. */
export interface TierSuiteOptions {
  /** Overrides of the tier's own `capabilities` (e.g. a coarser `ttlPrecisionMs` for a backend in seconds). */
  capabilities?: Partial<TierCapabilities>
  /**
   * Extra time to wait past an entry's `staleUntil` (plus `ttlPrecisionMs`) before asserting it is gone, for
   * backends that expire keys lazily or with some delay. In milliseconds. @default 50
   */
  expiryWaitMs?: number
  /** Size of the payload of the large-value check, in bytes. @default 1_572_864 (1.5 MiB) */
  largeValueBytes?: number
  /**
   * Concurrent `set()` calls on one key are applied in call order, so the last call wins (true for a single
   * connection or an in-process store). When `false`, the suite only requires that one of the written values
   * wins. @default true
   */
  orderedWrites?: boolean
  /** Called after each test, before `close()` (drop a table, flush a database). The tier may already be closed. */
  cleanup?(tier: Tier): void | Promise<void>
  /** Timeout of each test, in milliseconds. @default 30_000 */
  timeoutMs?: number
}

/** What one tier check receives: a fresh tier and helpers bound to a random key prefix. */
export interface TierCheckContext {
  /** A fresh tier from the factory. */
  readonly tier: Tier
  /** The tier's capabilities with the suite's overrides applied. */
  readonly capabilities: TierCapabilities
  readonly options: TierSuiteOptions
  /** A random prefix no other test uses, e.g. `'ts-3f9a1c2e:'`. */
  readonly prefix: string
  /** `prefix + suffix`. */
  key(suffix: string): string
  /** A distinct value for this tier's kind: a live object for local tiers, payload bytes for remote ones. */
  value(label: string): unknown
  /** An entry for this tier's kind (a real envelope for remote tiers), see `makeEntry`. */
  entry(value: unknown, options?: MakeEntryOptions): StoredEntry
  /** Set by a check that closed the tier itself, so teardown does not use it. */
  closed: boolean
}

/** One named check of the tier suite; `run` throws (a failed `expect`) when the tier does not comply. */
export interface TierCheck {
  readonly group: string
  readonly name: string
  run(ctx: TierCheckContext): Promise<void>
}

let sequence = 0
const utf8 = new TextEncoder()

/** Creates the context of one check: calls the factory and picks a fresh prefix. */
export async function createTierContext(
  factory: () => Tier | Promise<Tier>,
  options: TierSuiteOptions = {},
): Promise<TierCheckContext> {
  const tier = await factory()
  const capabilities = { ...tier.capabilities, ...options.capabilities }
  const prefix = randomPrefix()
  return {
    tier,
    capabilities,
    options,
    prefix,
    closed: false,
    key: (suffix) => prefix + suffix,
    value: (label) => {
      const n = ++sequence
      return tier.kind === 'remote'
        ? utf8.encode(`${label}#${n}`)
        : { label, n, nested: { list: [1, 'two', null] } }
    },
    entry: (value, entryOptions) => makeEntry(tier.kind, value, entryOptions),
  }
}

/** Tears a context down: clears its prefix, runs `options.cleanup`, closes the tier. */
export async function disposeTierContext(ctx: TierCheckContext): Promise<void> {
  if (!ctx.closed) await ctx.tier.clear(ctx.prefix)
  await ctx.options.cleanup?.(ctx.tier)
  await ctx.tier.close()
}

/** Asserts byte equality with a message that says where the bytes differ. */
function expectBytes(actual: unknown, expected: Uint8Array): void {
  if (!(actual instanceof Uint8Array)) {
    throw new Error(
      `a remote tier must return the value as a Uint8Array, got ${Object.prototype.toString.call(actual)}`,
    )
  }
  if (sameBytes(actual, expected)) return
  let at = 0
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++
  throw new Error(
    `value bytes differ: got ${actual.length} bytes, expected ${expected.length}; first difference at byte ${at}`,
  )
}

/** Asserts that `actual` is `expected` as the tier should return it. */
function expectEntry(ctx: TierCheckContext, actual: StoredEntry | undefined, expected: StoredEntry): void {
  expect(actual).toBeDefined()
  const got = actual!
  if (ctx.tier.kind === 'remote') expectBytes(got.value, expected.value as Uint8Array)
  else expect(got.value).toBe(expected.value)
  expect({ createdAt: got.createdAt, expiresAt: got.expiresAt, staleUntil: got.staleUntil }).toEqual({
    createdAt: expected.createdAt,
    expiresAt: expected.expiresAt,
    staleUntil: expected.staleUntil,
  })
  expect([...got.tags].sort()).toEqual([...expected.tags].sort())
}

/** Asserts the value of `actual` is the value of `expected` (times and tags not compared). */
function expectValue(ctx: TierCheckContext, actual: StoredEntry | undefined, expected: StoredEntry): void {
  expect(actual).toBeDefined()
  if (ctx.tier.kind === 'remote') expectBytes(actual!.value, expected.value as Uint8Array)
  else expect(actual!.value).toEqual(expected.value)
}

/** Seed a few entries `name → entry` under the context prefix. */
async function seed(
  ctx: TierCheckContext,
  names: string[],
  options?: MakeEntryOptions,
): Promise<Map<string, StoredEntry>> {
  const out = new Map<string, StoredEntry>()
  for (const n of names) {
    const e = ctx.entry(ctx.value(n), options)
    await ctx.tier.set(ctx.key(n), e)
    out.set(n, e)
  }
  return out
}

function check(group: string, name: string, run: (ctx: TierCheckContext) => Promise<void>): TierCheck {
  return { group, name, run }
}

/** How long a short-lived entry lives in the expiry checks, and how long to wait for it to be gone. */
function expiryTimes(ctx: TierCheckContext): { life: number; wait: number } {
  const precision = Math.max(1, ctx.capabilities.ttlPrecisionMs)
  const life = Math.max(300, 2 * precision)
  return { life, wait: life + precision + (ctx.options.expiryWaitMs ?? 50) }
}

const SPECIAL_KEYS = [
  'ключ',
  '鍵',
  '🔑🚀',
  'naïve',
  'nai\u0308ve',
  'a%b',
  'a_b',
  'axb',
  "it's",
  'say "hi"',
  'a:b:c',
  'back\\slash',
  'with space',
  'tab\tand\nnewline',
  '*',
  '?',
  '[ab]',
  'a',
  'UPPER',
  'upper',
  'x'.repeat(250),
]

/** Every check of the tier compliance suite, by group. */
export const tierChecks: readonly TierCheck[] = [
  // ── round trip ──────────────────────────────────────────────────────────────
  check('round trip', 'get() returns what set() stored, with its times and tags', async (ctx) => {
    const now = Date.now()
    const e = ctx.entry(ctx.value('a'), {
      createdAt: now,
      expiresAt: now + 60_000,
      staleUntil: now + 120_000,
      tags: ['t1', 't2'],
    })
    await ctx.tier.set(ctx.key('a'), e)
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), e)
  }),
  check('round trip', 'get() resolves to undefined for a missing key', async (ctx) => {
    expect(await ctx.tier.get(ctx.key('missing'))).toBeUndefined()
  }),
  check('round trip', 'set() overwrites the value, times and tags of an existing key', async (ctx) => {
    const now = Date.now()
    await ctx.tier.set(ctx.key('a'), ctx.entry(ctx.value('old'), { expiresAt: now + 10_000, tags: ['old'] }))
    const next = ctx.entry(ctx.value('new'), {
      createdAt: now + 1,
      expiresAt: now + 50_000,
      staleUntil: now + 60_000,
      tags: ['new'],
    })
    await ctx.tier.set(ctx.key('a'), next)
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), next)
  }),
  check(
    'round trip',
    'get() returns the stored value: a byte-identical copy (remote) or the live value itself (local)',
    async (ctx) => {
      const e = ctx.entry(ctx.value('a'))
      await ctx.tier.set(ctx.key('a'), e)
      const first = await ctx.tier.get(ctx.key('a'))
      if (ctx.tier.kind === 'local') {
        expect(first?.value).toBe(e.value)
        return
      }
      // A remote tier behaves like a network: neither the writer's nor a reader's buffer is shared with the store.
      const original = new Uint8Array(e.value as Uint8Array)
      ;(e.value as Uint8Array).fill(0)
      ;(first!.value as Uint8Array).fill(0)
      const second = await ctx.tier.get(ctx.key('a'))
      expectBytes(second?.value, original)
    },
  ),
  check('round trip', 'set() and get() round-trip values of every kind', async (ctx) => {
    const values: unknown[] =
      ctx.tier.kind === 'remote'
        ? [new Uint8Array(0), new Uint8Array([0]), utf8.encode('plain text'), utf8.encode('ünïcødé ✓ 🚀')]
        : [
            '',
            'text',
            0,
            -1.5,
            Number.MAX_SAFE_INTEGER,
            true,
            false,
            null,
            [],
            [1, [2, [3]]],
            { a: { b: { c: [1, 'x'] } } },
            new Map([['k', 1]]),
            new Uint8Array([1, 2, 3]),
          ]
    const entries = values.map((v) => ctx.entry(v, { tags: [] }))
    for (let i = 0; i < entries.length; i++) await ctx.tier.set(ctx.key(`v${i}`), entries[i]!)
    for (let i = 0; i < entries.length; i++)
      expectEntry(ctx, await ctx.tier.get(ctx.key(`v${i}`)), entries[i]!)
  }),

  // ── getMany ─────────────────────────────────────────────────────────────────
  check('getMany', 'getMany() returns entries in key order with undefined for missing keys', async (ctx) => {
    const seeded = await seed(ctx, ['a', 'b', 'c'])
    const got = await ctx.tier.getMany([
      ctx.key('c'),
      ctx.key('missing1'),
      ctx.key('a'),
      ctx.key('b'),
      ctx.key('missing2'),
    ])
    expect(got).toHaveLength(5)
    expectEntry(ctx, got[0], seeded.get('c')!)
    expect(got[1]).toBeUndefined()
    expectEntry(ctx, got[2], seeded.get('a')!)
    expectEntry(ctx, got[3], seeded.get('b')!)
    expect(got[4]).toBeUndefined()
  }),
  check('getMany', 'getMany() answers a key given twice at both positions', async (ctx) => {
    const seeded = await seed(ctx, ['a', 'b'])
    const got = await ctx.tier.getMany([ctx.key('a'), ctx.key('b'), ctx.key('a'), ctx.key('x'), ctx.key('x')])
    expect(got).toHaveLength(5)
    expectEntry(ctx, got[0], seeded.get('a')!)
    expectEntry(ctx, got[1], seeded.get('b')!)
    expectEntry(ctx, got[2], seeded.get('a')!)
    expect(got[3]).toBeUndefined()
    expect(got[4]).toBeUndefined()
  }),
  check('getMany', 'getMany([]) resolves to []', async (ctx) => {
    expect(await ctx.tier.getMany([])).toEqual([])
  }),
  check('getMany', 'getMany() of 500 keys, every other one missing, keeps the order', async (ctx) => {
    const names = Array.from({ length: 500 }, (_, i) => `k${i}`)
    const present = names.filter((_, i) => i % 2 === 0)
    const entries = new Map(present.map((n) => [n, ctx.entry(ctx.value(n))] as const))
    await ctx.tier.setMany([...entries].map(([n, e]) => [ctx.key(n), e]))
    const got = await ctx.tier.getMany(names.map((n) => ctx.key(n)))
    expect(got).toHaveLength(names.length)
    names.forEach((n, i) => {
      const want = entries.get(n)
      if (want === undefined) expect(got[i]).toBeUndefined()
      else expectValue(ctx, got[i], want)
    })
  }),

  // ── setMany ─────────────────────────────────────────────────────────────────
  check('setMany', 'setMany() stores every item', async (ctx) => {
    const items: [string, StoredEntry][] = ['a', 'b', 'c'].map((n) => [
      ctx.key(n),
      ctx.entry(ctx.value(n), { tags: [n] }),
    ])
    await ctx.tier.setMany(items)
    for (const [k, e] of items) expectEntry(ctx, await ctx.tier.get(k), e)
  }),
  check(
    'setMany',
    'setMany() overwrites existing keys and keeps the last item of a key given twice',
    async (ctx) => {
      await seed(ctx, ['a', 'b'])
      const a2 = ctx.entry(ctx.value('a2'))
      const b2 = ctx.entry(ctx.value('b2'))
      const b3 = ctx.entry(ctx.value('b3'))
      await ctx.tier.setMany([
        [ctx.key('a'), a2],
        [ctx.key('b'), b2],
        [ctx.key('b'), b3],
      ])
      expectEntry(ctx, await ctx.tier.get(ctx.key('a')), a2)
      expectEntry(ctx, await ctx.tier.get(ctx.key('b')), b3)
    },
  ),
  check('setMany', 'setMany([]) resolves and changes nothing', async (ctx) => {
    const seeded = await seed(ctx, ['a'])
    await ctx.tier.setMany([])
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), seeded.get('a')!)
  }),

  // ── delete ──────────────────────────────────────────────────────────────────
  check('delete', 'delete() resolves to how many of the keys existed and removes them', async (ctx) => {
    const seeded = await seed(ctx, ['a', 'b', 'c'])
    expect(await ctx.tier.delete([ctx.key('a'), ctx.key('missing'), ctx.key('b')])).toBe(2)
    expect(await ctx.tier.get(ctx.key('a'))).toBeUndefined()
    expect(await ctx.tier.get(ctx.key('b'))).toBeUndefined()
    expectEntry(ctx, await ctx.tier.get(ctx.key('c')), seeded.get('c')!)
  }),
  check('delete', 'delete() of missing keys resolves to 0', async (ctx) => {
    expect(await ctx.tier.delete([ctx.key('x'), ctx.key('y')])).toBe(0)
    await seed(ctx, ['a'])
    expect(await ctx.tier.delete([ctx.key('a')])).toBe(1)
    expect(await ctx.tier.delete([ctx.key('a')])).toBe(0)
  }),
  check('delete', 'delete([]) resolves to 0', async (ctx) => {
    await seed(ctx, ['a'])
    expect(await ctx.tier.delete([])).toBe(0)
    expect(await ctx.tier.get(ctx.key('a'))).toBeDefined()
  }),

  // ── expiry ──────────────────────────────────────────────────────────────────
  check(
    'expiry',
    'get() returns an entry whose expiresAt passed but staleUntil has not (grace is the engine’s business)',
    async (ctx) => {
      const now = Date.now()
      const e = ctx.entry(ctx.value('stale'), {
        createdAt: now - 20_000,
        expiresAt: now - 10_000,
        staleUntil: now + 60_000,
      })
      await ctx.tier.set(ctx.key('stale'), e)
      expectEntry(ctx, await ctx.tier.get(ctx.key('stale')), e)
      expectEntry(ctx, (await ctx.tier.getMany([ctx.key('stale')]))[0], e)
    },
  ),
  check('expiry', 'get() and getMany() never return an entry past its staleUntil', async (ctx) => {
    const { life, wait } = expiryTimes(ctx)
    const now = Date.now()
    const short = ctx.entry(ctx.value('short'), {
      createdAt: now,
      expiresAt: now + life / 2,
      staleUntil: now + life,
      tags: ['t'],
    })
    const long = ctx.entry(ctx.value('long'), {
      createdAt: now,
      expiresAt: now + 600_000,
      staleUntil: now + 600_000,
    })
    await ctx.tier.set(ctx.key('short'), short)
    await ctx.tier.setMany([
      [ctx.key('short2'), short],
      [ctx.key('long'), long],
    ])
    expectEntry(ctx, await ctx.tier.get(ctx.key('short')), short)
    await sleep(Math.max(0, now + wait - Date.now()))
    expect(await ctx.tier.get(ctx.key('short'))).toBeUndefined()
    const many = await ctx.tier.getMany([ctx.key('short2'), ctx.key('long')])
    expect(many[0]).toBeUndefined()
    expectEntry(ctx, many[1], long)
  }),
  check('expiry', 'delete() and deleteByTag() do not count entries past their staleUntil', async (ctx) => {
    const { life, wait } = expiryTimes(ctx)
    const now = Date.now()
    const opts = { createdAt: now, expiresAt: now + life, staleUntil: now + life, tags: ['gone'] }
    await ctx.tier.set(ctx.key('a'), ctx.entry(ctx.value('a'), opts))
    await ctx.tier.set(ctx.key('b'), ctx.entry(ctx.value('b'), opts))
    await sleep(Math.max(0, now + wait - Date.now()))
    expect(await ctx.tier.delete([ctx.key('a')])).toBe(0)
    if (ctx.capabilities.tags) expect(await ctx.tier.deleteByTag(['gone'], ctx.prefix)).toBe(0)
    expect(await ctx.tier.get(ctx.key('b'))).toBeUndefined()
  }),
  check(
    'expiry',
    'set() of an entry already past its staleUntil leaves nothing readable, even over an older value',
    async (ctx) => {
      const now = Date.now()
      await seed(ctx, ['a'])
      const dead = ctx.entry(ctx.value('dead'), {
        createdAt: now - 2000,
        expiresAt: now - 1000,
        staleUntil: now - 1000,
      })
      await ctx.tier.set(ctx.key('a'), dead)
      await ctx.tier.set(ctx.key('b'), dead)
      await ctx.tier.setMany([[ctx.key('c'), dead]])
      expect(await ctx.tier.getMany([ctx.key('a'), ctx.key('b'), ctx.key('c')])).toEqual([
        undefined,
        undefined,
        undefined,
      ])
    },
  ),
  check(
    'expiry',
    'set() with expiresAt and staleUntil Infinity stores an entry that never expires',
    async (ctx) => {
      const e = ctx.entry(ctx.value('forever'), {
        expiresAt: Number.POSITIVE_INFINITY,
        staleUntil: Number.POSITIVE_INFINITY,
      })
      await ctx.tier.set(ctx.key('forever'), e)
      const got = await ctx.tier.get(ctx.key('forever'))
      expectEntry(ctx, got, e)
      expect(got!.expiresAt).toBe(Number.POSITIVE_INFINITY)
      expect(got!.staleUntil).toBe(Number.POSITIVE_INFINITY)
      const graceForever = ctx.entry(ctx.value('grace'), {
        expiresAt: Date.now() + 60_000,
        staleUntil: Number.POSITIVE_INFINITY,
      })
      await ctx.tier.setMany([[ctx.key('grace'), graceForever]])
      expectEntry(ctx, (await ctx.tier.getMany([ctx.key('grace')]))[0], graceForever)
    },
  ),

  // ── clear ───────────────────────────────────────────────────────────────────
  check('clear', 'clear(prefix) removes the keys under the prefix and nothing else', async (ctx) => {
    const seeded = await seed(ctx, ['ns1:a', 'ns1:b', 'ns1:sub:c', 'ns10:a', 'ns2:a', 'ns1'])
    await ctx.tier.clear(ctx.key('ns1:'))
    const got = await ctx.tier.getMany(
      ['ns1:a', 'ns1:b', 'ns1:sub:c', 'ns10:a', 'ns2:a', 'ns1'].map((n) => ctx.key(n)),
    )
    expect(got.slice(0, 3)).toEqual([undefined, undefined, undefined])
    expectEntry(ctx, got[3], seeded.get('ns10:a')!)
    expectEntry(ctx, got[4], seeded.get('ns2:a')!)
    expectEntry(ctx, got[5], seeded.get('ns1')!)
    const again = ctx.entry(ctx.value('again'))
    await ctx.tier.set(ctx.key('ns1:a'), again)
    expectEntry(ctx, await ctx.tier.get(ctx.key('ns1:a')), again)
  }),
  check(
    'clear',
    'clear(prefix) takes the prefix literally: %, _, *, ?, [ ], \\ and quotes are not wildcards',
    async (ctx) => {
      const pairs: [string, string][] = [
        ['p%:', 'pz:'],
        ['p_:', 'pq:'],
        ['p*:', 'pw:'],
        ['p?:', 'pv:'],
        ['p[ab]:', 'pa:'],
        ['p\\:', 'p\\\\:'],
        ['p\'":', 'p"\':'],
      ]
      for (const [target, bystander] of pairs) {
        const seeded = await seed(ctx, [`${target}k`, `${bystander}k`])
        await ctx.tier.clear(ctx.key(target))
        expect(await ctx.tier.get(ctx.key(`${target}k`))).toBeUndefined()
        expectEntry(ctx, await ctx.tier.get(ctx.key(`${bystander}k`)), seeded.get(`${bystander}k`)!)
      }
    },
  ),
  check('clear', "clear('') removes every entry of the tier", async (ctx) => {
    await seed(ctx, ['a', 'b:c'])
    const other = randomPrefix()
    await ctx.tier.set(`${other}x`, ctx.entry(ctx.value('x'), { tags: ['t'] }))
    await ctx.tier.clear('')
    expect(await ctx.tier.getMany([ctx.key('a'), ctx.key('b:c'), `${other}x`])).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    if (ctx.capabilities.tags) expect(await ctx.tier.deleteByTag(['t'], '')).toBe(0)
  }),
  check('clear', 'clear(prefix) of a prefix with no keys resolves and removes nothing', async (ctx) => {
    const seeded = await seed(ctx, ['a'])
    await ctx.tier.clear(ctx.key('nothing-here:'))
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), seeded.get('a')!)
  }),

  // ── tags ────────────────────────────────────────────────────────────────────
  check(
    'tags',
    'deleteByTag() removes entries carrying any of the tags and resolves to how many',
    async (ctx) => {
      const e = (n: string, tags: string[]) =>
        [ctx.key(n), ctx.entry(ctx.value(n), { tags })] as [string, StoredEntry]
      const items = [
        e('a', ['red']),
        e('b', ['red', 'blue']),
        e('c', ['blue']),
        e('d', ['green']),
        e('f', []),
      ]
      await ctx.tier.setMany(items)
      if (!ctx.capabilities.tags) {
        // The engine invalidates by tag itself: the tags must at least come back with the entries.
        for (const [k, entry] of items) expectEntry(ctx, await ctx.tier.get(k), entry)
        return
      }
      expect(await ctx.tier.deleteByTag(['red', 'blue'], ctx.prefix)).toBe(3)
      const got = await ctx.tier.getMany(items.map(([k]) => k))
      expect(got.slice(0, 3)).toEqual([undefined, undefined, undefined])
      expectEntry(ctx, got[3], items[3]![1])
      expectEntry(ctx, got[4], items[4]![1])
      expect(await ctx.tier.deleteByTag(['red', 'blue'], ctx.prefix)).toBe(0)
    },
  ),
  check('tags', 'deleteByTag() only touches keys under the prefix', async (ctx) => {
    const inside = ctx.entry(ctx.value('in'), { tags: ['t'] })
    const outside = ctx.entry(ctx.value('out'), { tags: ['t'] })
    await ctx.tier.set(ctx.key('ns1:a'), inside)
    await ctx.tier.set(ctx.key('ns2:a'), outside)
    await ctx.tier.set(ctx.key('ns10:a'), outside)
    if (ctx.capabilities.tags) {
      expect(await ctx.tier.deleteByTag(['t'], ctx.key('ns1:'))).toBe(1)
      expect(await ctx.tier.get(ctx.key('ns1:a'))).toBeUndefined()
    } else {
      expectEntry(ctx, await ctx.tier.get(ctx.key('ns1:a')), inside)
    }
    expectEntry(ctx, await ctx.tier.get(ctx.key('ns2:a')), outside)
    expectEntry(ctx, await ctx.tier.get(ctx.key('ns10:a')), outside)
  }),
  check('tags', 'deleteByTag() of an unknown tag, or of no tags, resolves to 0', async (ctx) => {
    const seeded = await seed(ctx, ['a'], { tags: ['t'] })
    if (ctx.capabilities.tags) {
      expect(await ctx.tier.deleteByTag(['nope'], ctx.prefix)).toBe(0)
      expect(await ctx.tier.deleteByTag([], ctx.prefix)).toBe(0)
    }
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), seeded.get('a')!)
  }),
  check('tags', 'set() overwriting an entry replaces its tags', async (ctx) => {
    await ctx.tier.set(ctx.key('a'), ctx.entry(ctx.value('a1'), { tags: ['old', 'both'] }))
    const next = ctx.entry(ctx.value('a2'), { tags: ['new', 'both'] })
    await ctx.tier.set(ctx.key('a'), next)
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), next)
    if (!ctx.capabilities.tags) return
    expect(await ctx.tier.deleteByTag(['old'], ctx.prefix)).toBe(0)
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), next)
    expect(await ctx.tier.deleteByTag(['new'], ctx.prefix)).toBe(1)
    expect(await ctx.tier.get(ctx.key('a'))).toBeUndefined()
  }),
  check('tags', 'delete() and clear() also drop the entry from the tag index', async (ctx) => {
    await seed(ctx, ['a', 'ns:b'], { tags: ['t'] })
    await ctx.tier.delete([ctx.key('a')])
    await ctx.tier.clear(ctx.key('ns:'))
    // Re-create one key without the tag: a stale index entry would delete it.
    const plain = ctx.entry(ctx.value('plain'))
    await ctx.tier.set(ctx.key('a'), plain)
    if (ctx.capabilities.tags) expect(await ctx.tier.deleteByTag(['t'], ctx.prefix)).toBe(0)
    expectEntry(ctx, await ctx.tier.get(ctx.key('a')), plain)
  }),

  // ── values ──────────────────────────────────────────────────────────────────
  check('values', 'set() and get() round-trip a large value (1.5 MiB by default)', async (ctx) => {
    const size = ctx.options.largeValueBytes ?? 1_572_864
    const payload = pseudoRandomBytes(size, 7)
    const e = ctx.entry(ctx.tier.kind === 'remote' ? payload : { blob: payload, text: 'x'.repeat(size) })
    await ctx.tier.set(ctx.key('big'), e)
    expectEntry(ctx, await ctx.tier.get(ctx.key('big')), e)
    expectEntry(ctx, (await ctx.tier.getMany([ctx.key('big')]))[0], e)
  }),
  check('values', 'set() and get() round-trip binary values holding all 256 byte values', async (ctx) => {
    const all = new Uint8Array(512)
    for (let i = 0; i < all.length; i++) all[i] = (i * 7) & 0xff
    const reversed = all.slice().reverse()
    const zeros = new Uint8Array(64)
    const entries = [all, reversed, zeros].map((b) => ctx.entry(b))
    await ctx.tier.setMany(entries.map((e, i) => [ctx.key(`bin${i}`), e]))
    const got = await ctx.tier.getMany(entries.map((_, i) => ctx.key(`bin${i}`)))
    entries.forEach((e, i) => {
      expectEntry(ctx, got[i], e)
    })
  }),

  // ── keys ────────────────────────────────────────────────────────────────────
  check('keys', 'set() and get() keep unicode, emoji and special-character keys apart', async (ctx) => {
    const entries = SPECIAL_KEYS.map((k) => ctx.entry(ctx.value(k)))
    for (let i = 0; i < SPECIAL_KEYS.length; i++) await ctx.tier.set(ctx.key(SPECIAL_KEYS[i]!), entries[i]!)
    for (let i = 0; i < SPECIAL_KEYS.length; i++)
      expectEntry(ctx, await ctx.tier.get(ctx.key(SPECIAL_KEYS[i]!)), entries[i]!)
    const many = await ctx.tier.getMany(SPECIAL_KEYS.map((k) => ctx.key(k)))
    entries.forEach((e, i) => {
      expectEntry(ctx, many[i], e)
    })
  }),
  check('keys', 'delete() and clear() with special-character keys touch exactly those keys', async (ctx) => {
    const seeded = await seed(ctx, SPECIAL_KEYS)
    expect(await ctx.tier.delete([ctx.key('a%b'), ctx.key('*'), ctx.key("it's")])).toBe(3)
    await ctx.tier.clear(ctx.key('a_'))
    await ctx.tier.clear(ctx.key('nai\u0308'))
    const gone = new Set(['a%b', '*', "it's", 'a_b', 'nai\u0308ve'])
    const got = await ctx.tier.getMany(SPECIAL_KEYS.map((k) => ctx.key(k)))
    SPECIAL_KEYS.forEach((k, i) => {
      if (gone.has(k)) expect(got[i]).toBeUndefined()
      else expectEntry(ctx, got[i], seeded.get(k)!)
    })
  }),

  // ── concurrency ─────────────────────────────────────────────────────────────
  check(
    'concurrency',
    'set() called 50 times at once on one key settles without error and the last write wins',
    async (ctx) => {
      const entries = Array.from({ length: 50 }, (_, i) => ctx.entry(ctx.value(`w${i}`)))
      await Promise.all(entries.map((e) => ctx.tier.set(ctx.key('hot'), e)))
      const got = await ctx.tier.get(ctx.key('hot'))
      if (ctx.options.orderedWrites ?? true) {
        expectEntry(ctx, got, entries[entries.length - 1]!)
      } else {
        expect(
          entries.some((e) =>
            ctx.tier.kind === 'remote'
              ? sameBytes(got!.value as Uint8Array, e.value as Uint8Array)
              : got!.value === e.value,
          ),
        ).toBe(true)
      }
    },
  ),
  check('concurrency', 'set() of 200 keys at once (Promise.all) stores them all', async (ctx) => {
    const entries = Array.from(
      { length: 200 },
      (_, i) => [ctx.key(`k${i}`), ctx.entry(ctx.value(`k${i}`), { tags: [`t${i % 3}`] })] as const,
    )
    await Promise.all(entries.map(([k, e]) => ctx.tier.set(k, e)))
    const got = await ctx.tier.getMany(entries.map(([k]) => k))
    entries.forEach(([, e], i) => {
      expectEntry(ctx, got[i], e)
    })
    const reads = await Promise.all(entries.map(([k]) => ctx.tier.get(k)))
    entries.forEach(([, e], i) => {
      expectEntry(ctx, reads[i], e)
    })
  }),
  check(
    'concurrency',
    'set(), get(), delete() and getMany() interleaved at once all settle consistently',
    async (ctx) => {
      const seeded = await seed(ctx, ['a', 'b', 'c'])
      const fresh = ctx.entry(ctx.value('d'))
      const results = await Promise.all([
        ctx.tier.get(ctx.key('a')),
        ctx.tier.set(ctx.key('d'), fresh),
        ctx.tier.delete([ctx.key('b')]),
        ctx.tier.getMany([ctx.key('c'), ctx.key('a')]),
      ])
      expectEntry(ctx, results[0], seeded.get('a')!)
      expect(results[2]).toBe(1)
      expectEntry(ctx, results[3][0], seeded.get('c')!)
      expectEntry(ctx, await ctx.tier.get(ctx.key('d')), fresh)
      expect(await ctx.tier.get(ctx.key('b'))).toBeUndefined()
    },
  ),

  // ── lifecycle ───────────────────────────────────────────────────────────────
  check('lifecycle', 'health() resolves to { ok: true, latencyMs ≥ 0 } on a working tier', async (ctx) => {
    const h = await ctx.tier.health()
    expect(h.ok).toBe(true)
    expect(typeof h.latencyMs).toBe('number')
    expect(Number.isFinite(h.latencyMs)).toBe(true)
    expect(h.latencyMs).toBeGreaterThanOrEqual(0)
    if (h.detail !== undefined) expect(typeof h.detail).toBe('object')
  }),
  check('lifecycle', 'close() is idempotent', async (ctx) => {
    await seed(ctx, ['a'])
    await ctx.tier.clear(ctx.prefix)
    ctx.closed = true
    await ctx.tier.close()
    await ctx.tier.close()
  }),
  check('lifecycle', 'name, kind and capabilities describe the tier', async (ctx) => {
    expect(typeof ctx.tier.name).toBe('string')
    expect(ctx.tier.name.length).toBeGreaterThan(0)
    expect(['local', 'remote']).toContain(ctx.tier.kind)
    const c = ctx.tier.capabilities
    expect(Number.isFinite(c.ttlPrecisionMs) && c.ttlPrecisionMs >= 1).toBe(true)
    for (const flag of ['tags', 'batch', 'persistent', 'shared'] as const)
      expect(typeof c[flag]).toBe('boolean')
  }),
]

/** Runs one check against a fresh tier from `factory`, with the same set-up and teardown as the suite. */
export async function runTierCheck(
  check: TierCheck | string,
  factory: () => Tier | Promise<Tier>,
  options: TierSuiteOptions = {},
): Promise<void> {
  const found = findCheck(tierChecks, check, 'tier')
  const ctx = await createTierContext(factory, options)
  try {
    await found.run(ctx)
  } finally {
    await disposeTierContext(ctx).catch(() => undefined)
  }
}
