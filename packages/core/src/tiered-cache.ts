import { randomUUID } from 'node:crypto'
import { coarseNow } from './clock.js'
import type { Bus, BusMessage, Codec, LocalTier, Lock, Serializer, Tier } from './contracts.js'
import { parseDuration } from './duration.js'
import { EngineContext } from './engine-context.js'
import { CacheError } from './errors.js'
import { channels, observed, opStart, publishOperation } from './events.js'
import { jsonSerializer } from './json-serializer.js'
import { type GetOptions, NamespaceCache, type SetManyItem } from './namespace.js'
import { NamespaceCore } from './namespace-core.js'
import type {
  CacheHealth,
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  Loader,
  NamespaceOptions,
  NamespaceStats,
  SetOptions,
  WrapOptions,
} from './options.js'
import { NamespaceCounters, sumStats } from './stats.js'
import { deletesByTag } from './tag-tombstones.js'
import { TierHandle } from './tier-handle.js'
import { TIMED_OUT, withTimeout } from './timeout.js'
import { assertName, checkTags, type ResolvedPolicy, resolvePolicy } from './validate.js'
import { CodecRegistry, ValuePipeline } from './value-pipeline.js'

/** Name of the namespace used by the methods called on the cache itself. */
export const DEFAULT_NAMESPACE = 'default'

const NAMESPACE_KEYS = new Set([
  'ttl',
  'grace',
  'timeout',
  'earlyRefresh',
  'tiers',
  'strategy',
  'maxBytes',
  'maxEntries',
  'compress',
  'encrypt',
  'serializer',
  'costPerMiss',
])

function checkTier(t: unknown, i: number): Tier {
  const tier = t as Tier
  if (
    tier === null ||
    typeof tier !== 'object' ||
    typeof tier.get !== 'function' ||
    typeof tier.set !== 'function'
  ) {
    throw new CacheError('E_INVALID_OPTION', `tiers[${i}] is not a Tier (an object with get/set/…)`)
  }
  if (tier.kind !== 'local' && tier.kind !== 'remote') {
    throw new CacheError(
      'E_INVALID_OPTION',
      `tiers[${i}] (${tier.name}) has kind ${JSON.stringify(tier.kind)}; expected 'local' or 'remote'`,
    )
  }
  if (typeof tier.name !== 'string' || tier.name === '')
    throw new CacheError('E_INVALID_OPTION', `tiers[${i}] has no name`)
  return tier
}

function checkCodec(c: unknown, where: string): Codec {
  const codec = c as Codec
  if (
    codec === null ||
    typeof codec !== 'object' ||
    typeof codec.id !== 'string' ||
    typeof codec.encode !== 'function' ||
    typeof codec.decode !== 'function'
  ) {
    throw new CacheError('E_INVALID_OPTION', `${where} is not a Codec (an object with id, encode, decode)`)
  }
  return codec
}

function checkSerializer(s: unknown, where: string): Serializer {
  const serializer = s as Serializer
  if (
    serializer === null ||
    typeof serializer !== 'object' ||
    typeof serializer.serialize !== 'function' ||
    typeof serializer.deserialize !== 'function'
  ) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${where} is not a Serializer (an object with id, serialize, deserialize)`,
    )
  }
  return serializer
}

/**
 * A tiered cache: an ordered stack of tiers with per-namespace policies. The methods on the cache itself act
 * on the `'default'` namespace, except `clear()`, `deleteByTag()`, `stats()`, `health()` and `close()`, which
 * act on the whole cache.
 */
export class TieredCache {
  /** Instance id (bus source, event `cacheId`). */
  readonly id: string
  readonly #ctx: EngineContext
  readonly #handles: TierHandle[]
  readonly #byName = new Map<string, TierHandle>()
  readonly #options: CacheOptions
  readonly #defaults: ResolvedPolicy
  readonly #registry = new CodecRegistry()
  readonly #namespaces = new Map<string, NamespaceCache>()
  readonly #cores = new Map<string, NamespaceCore>()
  readonly #serializer: Serializer
  readonly #codecs: Codec[]
  readonly #default: NamespaceCache
  #subscribed: Promise<void> | undefined
  /** The lock borrowed from a tier (`Tier.createLock`) when the options gave none; closed with the cache. */
  readonly #tierLock: Lock | undefined
  /** The bus borrowed from a tier (`Tier.createBus`) when the options gave none; closed with the cache. */
  readonly #tierBus: Bus | undefined

  constructor(options: CacheOptions) {
    if (options === null || typeof options !== 'object')
      throw new CacheError('E_INVALID_OPTION', 'createCache: options must be an object')
    if (!Array.isArray(options.tiers) || options.tiers.length === 0) {
      throw new CacheError(
        'E_INVALID_OPTION',
        'createCache: tiers must be a non-empty array (e.g. [memoryTier()])',
      )
    }
    this.#options = options
    this.id = options.instanceId ?? randomUUID()
    if (typeof this.id !== 'string' || this.id === '')
      throw new CacheError('E_INVALID_OPTION', 'createCache: instanceId must be a non-empty string')
    const now = options.now ?? coarseNow
    if (typeof now !== 'function')
      throw new CacheError('E_INVALID_OPTION', 'createCache: now must be a function')
    if (
      options.onTierError !== undefined &&
      options.onTierError !== 'report' &&
      options.onTierError !== 'throw'
    ) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `createCache: onTierError must be 'report' or 'throw', got ${JSON.stringify(options.onTierError)}`,
      )
    }
    const timeoutMs = parseDuration(
      options.tierTimeout ?? 1000,
      'createCache: tierTimeout',
      'E_INVALID_OPTION',
    )
    const threshold = options.breaker?.failureThreshold ?? 5
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `createCache: breaker.failureThreshold must be a positive integer, got ${threshold}`,
      )
    }
    const resetAfterMs = parseDuration(
      options.breaker?.resetAfter ?? 5000,
      'createCache: breaker.resetAfter',
      'E_INVALID_OPTION',
    )
    // Without a lock of its own, the cache borrows one from the first tier that can coordinate processes.
    const lockTier =
      options.lock === undefined && Array.isArray(options.tiers)
        ? options.tiers.find((t) => typeof t?.createLock === 'function')
        : undefined
    this.#tierLock = lockTier?.createLock?.()
    // Likewise the bus, when there is a local tier to keep coherent (`bus: false` opts out).
    const tiersGiven = Array.isArray(options.tiers) ? options.tiers : []
    if (options.bus === undefined && tiersGiven.some((t) => t?.kind === 'local')) {
      this.#tierBus = tiersGiven.find((t) => typeof t?.createBus === 'function')?.createBus?.()
    }
    const bus = options.bus === false ? undefined : (options.bus ?? this.#tierBus)
    this.#ctx = new EngineContext(
      this.id,
      now,
      bus,
      options.lock ?? this.#tierLock,
      options.onTierError ?? 'report',
      options.backgroundRemoteWrites === true,
    )
    this.#handles = options.tiers.map((t, i) => {
      const tier = checkTier(t, i)
      if (this.#byName.has(tier.name))
        throw new CacheError(
          'E_INVALID_OPTION',
          `createCache: two tiers are named '${tier.name}'; give one a different name`,
        )
      const handle = new TierHandle(
        tier,
        this.id,
        tier.kind === 'local' ? Number.POSITIVE_INFINITY : timeoutMs,
        threshold,
        resetAfterMs,
        now,
      )
      this.#byName.set(tier.name, handle)
      return handle
    })
    this.#serializer = checkSerializer(options.serializer ?? jsonSerializer(), 'createCache: serializer')
    this.#registry.addSerializer(this.#serializer)
    this.#registry.addSerializer(jsonSerializer())
    this.#codecs = (options.codecs ?? []).map((c, i) => checkCodec(c, `createCache: codecs[${i}]`))
    for (const c of this.#codecs) this.#registry.addCodec(c)
    for (const [i, c] of (options.decoders ?? []).entries())
      this.#registry.addCodec(checkCodec(c, `createCache: decoders[${i}]`))
    this.#defaults = resolvePolicy(options.defaults, undefined, 'defaults.')
    for (const [name, ns] of Object.entries(options.namespaces ?? {})) {
      assertName(name, 'namespace name')
      for (const k of Object.keys(ns ?? {})) {
        if (!NAMESPACE_KEYS.has(k))
          throw new CacheError('E_INVALID_OPTION', `namespaces.${name}: unknown option '${k}'`)
      }
      this.namespace(name)
    }
    this.#default = this.namespace(DEFAULT_NAMESPACE)
    if (bus !== undefined) {
      this.#subscribed = bus.subscribe((m) => this.#onBusMessage(m))
      this.#subscribed.catch(() => {})
    }
  }

  /** Resolves once the bus subscription is active (immediately without a bus). */
  async ready(): Promise<void> {
    await this.#subscribed
  }

  /** The namespace `name`, created on first use with its configured policy (or `defaults`). */
  namespace(name: string): NamespaceCache {
    const existing = this.#namespaces.get(name)
    if (existing !== undefined) return existing
    assertName(name, 'namespace name')
    const core = this.#buildNamespace(name, this.#options.namespaces?.[name] ?? {})
    const ns = new NamespaceCache(core)
    this.#cores.set(name, core)
    this.#namespaces.set(name, ns)
    return ns
  }

  #buildNamespace(name: string, o: NamespaceOptions): NamespaceCore {
    const where = `namespaces.${name}.`
    const merged: NamespaceOptions = { ...this.#options.defaults, ...o }
    const policy = resolvePolicy(o, this.#defaults, where)
    let handles = this.#handles
    if (merged.tiers !== undefined) {
      if (!Array.isArray(merged.tiers) || merged.tiers.length === 0) {
        throw new CacheError('E_INVALID_OPTION', `${where}tiers must be a non-empty array of tier names`)
      }
      handles = merged.tiers.map((t) => {
        const h = this.#byName.get(t)
        if (h === undefined) {
          throw new CacheError(
            'E_UNKNOWN_NAME',
            `${where}tiers: no tier named '${t}' (tiers: ${[...this.#byName.keys()].join(', ')})`,
          )
        }
        return h
      })
    }
    const ownLocal: LocalTier[] = []
    if (o.strategy !== undefined || o.maxBytes !== undefined || o.maxEntries !== undefined) {
      handles = handles.map((h) => {
        if (h.local === undefined) return h
        if (typeof h.local.fork !== 'function') {
          throw new CacheError(
            'E_INVALID_OPTION',
            `${where}strategy/maxBytes/maxEntries need a local tier with fork(); '${h.name}' has none`,
          )
        }
        const fork = h.local.fork({ strategy: o.strategy, maxBytes: o.maxBytes, maxEntries: o.maxEntries })
        ownLocal.push(fork)
        return new TierHandle(fork, this.id, Number.POSITIVE_INFINITY, 1, 0, this.#ctx.now)
      })
    }
    const costPerMiss = merged.costPerMiss ?? 0
    if (typeof costPerMiss !== 'number' || !Number.isFinite(costPerMiss) || costPerMiss < 0) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `${where}costPerMiss must be a non-negative number, got ${costPerMiss}`,
      )
    }
    const serializer =
      merged.serializer === undefined
        ? this.#serializer
        : checkSerializer(merged.serializer, `${where}serializer`)
    this.#registry.addSerializer(serializer)
    const codecs = [
      ...this.#codecs.filter((c) => c.kind === undefined),
      ...this.#pick('compression', merged.compress, `${where}compress`),
      ...this.#pick('encryption', merged.encrypt, `${where}encrypt`),
    ]
    for (const c of codecs) this.#registry.addCodec(c)
    const counters = new NamespaceCounters(
      handles.map((h) => h.name),
      costPerMiss,
    )
    const core = new NamespaceCore(
      name,
      this.#ctx,
      handles,
      policy,
      new ValuePipeline(serializer, codecs, this.#registry),
      counters,
      ownLocal,
    )
    return core
  }

  #pick(kind: 'compression' | 'encryption', choice: boolean | Codec | undefined, where: string): Codec[] {
    if (choice === false) return []
    if (choice === undefined) return this.#codecs.filter((c) => c.kind === kind)
    if (choice === true) {
      const found = this.#codecs.find((c) => c.kind === kind)
      if (found === undefined) {
        throw new CacheError(
          'E_INVALID_OPTION',
          `${where} is true but createCache has no ${kind} codec in codecs (e.g. ${kind === 'compression' ? 'lz4()' : 'aesGcm()'})`,
        )
      }
      return [found]
    }
    return [checkCodec(choice, where)]
  }

  #onBusMessage(m: BusMessage): void {
    if (m === null || typeof m !== 'object' || m.source === this.id || this.#ctx.closed) return
    if (channels.bus.hasSubscribers)
      channels.bus.publish({ cacheId: this.id, type: m.type, source: m.source })
    const locals = this.#localTiers()
    switch (m.type) {
      case 'set':
      case 'delete':
        if (Array.isArray(m.keys)) for (const t of locals) t.deleteSync(m.keys)
        return
      case 'clear':
        for (const t of locals) t.clear(typeof m.prefix === 'string' ? m.prefix : '').catch(() => {})
        return
      case 'tags': {
        if (!Array.isArray(m.tags)) return
        const prefix = typeof m.prefix === 'string' ? m.prefix : ''
        // Tiers of this instance that cannot delete by tag hide the invalidated entries on read instead.
        if (this.#anyTagBlind()) this.#ctx.tombstones.record(prefix, m.tags, this.#ctx.now())
        for (const t of locals) if (deletesByTag(t)) t.deleteByTag(m.tags, prefix).catch(() => {})
        return
      }
      case 'reset':
        // Messages may have been lost while the bus was down: nothing local can be trusted.
        for (const t of locals) t.clear('').catch(() => {})
        return
    }
  }

  /** Some tier of this cache has no `deleteByTag` (see `TagTombstones`). */
  #anyTagBlind(): boolean {
    for (const core of this.#cores.values()) if (core.anyTagBlind) return true
    return this.#handles.some((h) => !deletesByTag(h.tier))
  }

  #localTiers(): LocalTier[] {
    const out = new Set<LocalTier>()
    for (const h of this.#handles) if (h.local !== undefined) out.add(h.local)
    for (const core of this.#cores.values()) for (const t of core.ownLocal) out.add(t)
    return [...out]
  }

  /** See `NamespaceCache.get` (default namespace). */
  get<TValue = unknown>(key: string, options?: GetOptions): Promise<TValue | undefined> {
    return this.#default.get<TValue>(key, options)
  }
  /** See `NamespaceCache.getMany` (default namespace). */
  getMany<TValue = unknown>(keys: string[], options?: GetOptions): Promise<(TValue | undefined)[]> {
    return this.#default.getMany<TValue>(keys, options)
  }
  /** See `NamespaceCache.set` (default namespace). */
  set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    return this.#default.set(key, value, options)
  }
  /** See `NamespaceCache.setMany` (default namespace). */
  setMany(items: SetManyItem[], options?: SetOptions): Promise<void> {
    return this.#default.setMany(items, options)
  }
  /** See `NamespaceCache.has` (default namespace). */
  has(key: string): Promise<boolean> {
    return this.#default.has(key)
  }
  /** See `NamespaceCache.delete` (default namespace). */
  delete(key: string): Promise<boolean> {
    return this.#default.delete(key)
  }
  /** See `NamespaceCache.deleteMany` (default namespace). */
  deleteMany(keys: string[]): Promise<number> {
    return this.#default.deleteMany(keys)
  }
  /** See `NamespaceCache.getOrSet` (default namespace). */
  getOrSet<TValue>(key: string, loader: Loader<TValue>, options?: GetOrSetOptions): Promise<TValue> {
    return this.#default.getOrSet(key, loader, options)
  }
  /** See `NamespaceCache.wrap` (default namespace). */
  wrap<TArgs extends unknown[], TValue>(
    fn: (...args: TArgs) => TValue | Promise<TValue>,
    options?: WrapOptions<TArgs>,
  ): (...args: TArgs) => Promise<TValue> {
    return this.#default.wrap(fn, options)
  }
  /** See `NamespaceCache.cached` (default namespace): a stage-3 method decorator. */
  cached<TArgs extends unknown[]>(options?: WrapOptions<TArgs>) {
    return this.#default.cached<TArgs>(options)
  }

  /** Removes every entry of every namespace from every tier (only what this cache owns: tier prefixes). */
  async clear(): Promise<void> {
    this.#ctx.assertOpen()
    const started = opStart()
    const jobs = this.#handles.map((h) =>
      h
        .run('clear', () => h.tier.clear(''))
        .catch((err: unknown) => this.#ctx.tierError(err, undefined, undefined, h, 'clear')),
    )
    for (const core of this.#cores.values()) for (const t of core.ownLocal) jobs.push(t.clear(''))
    this.#ctx.publish({ type: 'clear', prefix: '' })
    await Promise.all(jobs)
    if (observed(started)) publishOperation(this.id, '*', 'clear', started)
  }

  /** Removes entries carrying any of `tags`, in every namespace, tier and (through the bus) instance. */
  async deleteByTag(tags: string | string[]): Promise<number> {
    this.#ctx.assertOpen()
    const list = checkTags(typeof tags === 'string' ? [tags] : tags)
    if (list.length === 0) return 0
    const started = opStart()
    let count = 0
    const all: { run: TierHandle; tier: Tier }[] = this.#handles.map((h) => ({ run: h, tier: h.tier }))
    for (const core of this.#cores.values())
      for (const t of core.ownLocal) all.push({ run: core.tiers.find((h) => h.tier === t)!, tier: t })
    // Tiers without deleteByTag (DESIGN.md §2 alone) are covered by a tombstone: their entries drop when read.
    const tiers = all.filter(({ tier }) => deletesByTag(tier))
    if (tiers.length < all.length) this.#ctx.tombstones.record('', list, this.#ctx.now())
    await Promise.all(
      tiers.map(({ run, tier }) =>
        run
          .run('deleteByTag', () => tier.deleteByTag(list, ''))
          .then((n) => {
            count = Math.max(count, n)
          })
          .catch((err: unknown) => this.#ctx.tierError(err, undefined, undefined, run, 'deleteByTag')),
      ),
    )
    this.#ctx.publish({ type: 'tags', tags: list, prefix: '' })
    if (observed(started)) {
      publishOperation(this.id, '*', 'deleteByTag', started, { tags: list, count })
    }
    return count
  }

  /** Counters per namespace and per tier, with totals. */
  stats(): CacheStats {
    const namespaces: Record<string, NamespaceStats> = {}
    for (const [name, core] of this.#cores) namespaces[name] = core.counters.snapshot()
    const tiers: CacheStats['tiers'] = {}
    for (const h of this.#handles) {
      const own: LocalTier[] = []
      for (const core of this.#cores.values())
        for (const t of core.ownLocal) if (t.name === h.name) own.push(t)
      const s = h.snapshot(own)
      for (const core of this.#cores.values()) {
        for (const forked of core.tiers) {
          if (forked !== h && forked.name === h.name) {
            s.misses += forked.misses
            s.sets += forked.sets
            s.deletes += forked.deletes
          }
        }
      }
      tiers[h.name] = s
    }
    // A tier's hits are the hits it served, summed over the namespaces that use it.
    for (const ns of Object.values(namespaces)) {
      for (const [tier, n] of Object.entries(ns.hitsByTier))
        if (tiers[tier] !== undefined) tiers[tier].hits += n
    }
    const totals = sumStats(Object.values(namespaces))
    return { ...totals, totals, namespaces, tiers }
  }

  /** Health of every tier (probes run in parallel, each under the tier timeout). */
  async health(): Promise<CacheHealth> {
    const tiers: CacheHealth['tiers'] = {}
    await Promise.all(
      this.#handles.map(async (h) => {
        const started = performance.now()
        let result: Awaited<ReturnType<Tier['health']>>
        try {
          const r = await withTimeout(h.tier.health(), Number.isFinite(h.timeoutMs) ? h.timeoutMs : 5000)
          result =
            r === TIMED_OUT
              ? {
                  ok: false,
                  latencyMs: performance.now() - started,
                  detail: { error: `health check timed out after ${h.timeoutMs} ms` },
                }
              : r
        } catch (err) {
          result = {
            ok: false,
            latencyMs: performance.now() - started,
            detail: { error: (err as Error)?.message ?? String(err) },
          }
        }
        tiers[h.name] = { ...result, kind: h.kind, breaker: h.breakerState }
      }),
    )
    return { ok: Object.values(tiers).every((t) => t.ok), tiers }
  }

  /** Closes the bus, the lock and every tier. Further calls reject with `E_CLOSED`. Idempotent. */
  async close(): Promise<void> {
    if (this.#ctx.closed) return
    this.#ctx.closed = true
    const jobs: Promise<unknown>[] = this.#handles.map((h) => h.tier.close())
    for (const core of this.#cores.values()) for (const t of core.ownLocal) jobs.push(t.close())
    if (this.#options.bus) jobs.push(this.#options.bus.close())
    if (this.#tierBus !== undefined) jobs.push(this.#tierBus.close())
    if (this.#options.lock?.close !== undefined) jobs.push(this.#options.lock.close())
    if (this.#tierLock?.close !== undefined) jobs.push(this.#tierLock.close())
    const results = await Promise.allSettled(jobs)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed !== undefined)
      throw new CacheError('E_TIER_ERROR', 'closing a tier failed', { cause: failed.reason })
  }
}

/** Creates a tiered cache. See `CacheOptions` and DESIGN.md §3. */
export function createCache(options: CacheOptions): TieredCache {
  return new TieredCache(options)
}
