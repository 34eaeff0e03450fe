import {
  CacheError,
  type Duration,
  decodeEnvelope,
  ENVELOPE_VERSION,
  entryFromEnvelope,
  envelopeOf,
  parseDuration,
  type StoredEntry,
  type Tier,
  type TierCapabilities,
  type TierHealth,
} from '@tierstack/core'
import { type Cluster, type ClusterNode, type ClusterOptions, Command, type Redis } from 'ioredis'
import {
  ConnectionGate,
  closeClient,
  openClient,
  type RedisClient,
  type RedisConnectionOptions,
} from './connection.js'
import { optionError, tierError, withDeadline } from './errors.js'
import { RedisBus } from './redis-bus.js'
import { RedisLock } from './redis-lock.js'
import { groupBySlot } from './key-slot.js'
import { runScript, TAG_ADD } from './scripts.js'

/** Options of `redisTier()`. Connection: one of `url` (or `REDIS_URL`), `redisOptions`, `client`, `nodes`. */
export interface RedisTierOptions extends RedisConnectionOptions {
  /** Tier name inside the cache (namespace `tiers: [...]` lists, stats, events). @default 'redis' */
  name?: string
  /**
   * Prefix of every Redis key this tier writes. `clear('')` deletes exactly the keys under it, so give each
   * cache (or application) sharing a Redis its own prefix. @default 'tierstack:'
   */
  prefix?: string
  /**
   * Deadline of every operation, in ms or as a duration string (`'500ms'`). Past it the call rejects with
   * `E_TIER_TIMEOUT`, whatever the connection does (paused server, half-open socket, failover).
   * `clear` and `deleteByTag` apply it to each of their round trips. @default 1000
   */
  commandTimeout?: Duration
  /**
   * Deadline for opening a connection (ioredis `connectTimeout`) of the clients this tier creates, in ms or a
   * duration string. @default the larger of `commandTimeout` and 2000 ms
   */
  connectTimeout?: Duration
  /** ioredis auto-pipelining (one socket write per event-loop tick) on the clients this tier creates. @default true */
  autoPipelining?: boolean
  /**
   * Coalesce the `get`s issued in the same tick into one `MGET` (one per slot on a cluster): one command,
   * one reply and one timer for the whole batch instead of one each. @default true
   */
  coalesceGets?: boolean
  /** Most keys in one coalesced `MGET`; larger batches are split. @default 512 */
  maxBatchSize?: number
}

/** Options of `redisClusterTier()`: a Redis Cluster given by its seed `nodes` (or an existing `Cluster` client). */
export interface RedisClusterTierOptions
  extends Omit<RedisTierOptions, 'url' | 'redisOptions' | 'nodes' | 'client'> {
  /** Seed nodes, e.g. `[{ host: '10.0.0.1', port: 6379 }]`; the rest of the cluster is discovered. */
  nodes?: ClusterNode[]
  /** An existing ioredis `Cluster`; never closed by tierstack. */
  client?: Cluster
  /** ioredis `Cluster` options applied over tierstack's defaults. */
  clusterOptions?: ClusterOptions
}

/** Infix of the tag sets inside the prefix. Starts with NUL so that no cache key (`namespace:key`) collides with it. */
const TAG_INFIX = '\u0000tag:'
const SCAN_COUNT = 1000
const CHUNK = 1000

type Resolve = (entry: StoredEntry | undefined) => void
type Reject = (err: unknown) => void

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Glob-escapes a literal for SCAN MATCH. */
function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&')
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim()
  }
  return out
}

const HEADER_BYTES = 32

// Timestamps are read through a shared scratch array: `Buffer.readDoubleLE` bounds-checks each call and a
// `DataView` would be an allocation per hit. Envelopes are little-endian; big-endian hosts use readDoubleLE.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const scratch = new Float64Array(1)
const scratchBytes = new Uint8Array(scratch.buffer)

function readF64(buf: Buffer, o: number): number {
  if (!LITTLE_ENDIAN) return buf.readDoubleLE(o)
  scratchBytes[0] = buf[o]!
  scratchBytes[1] = buf[o + 1]!
  scratchBytes[2] = buf[o + 2]!
  scratchBytes[3] = buf[o + 3]!
  scratchBytes[4] = buf[o + 4]!
  scratchBytes[5] = buf[o + 5]!
  scratchBytes[6] = buf[o + 6]!
  scratchBytes[7] = buf[o + 7]!
  return scratch[0]!
}

/**
 * The entry stored in `buf`. The hot path reads the three timestamps at their fixed offsets and decodes
 * the tags only if someone reads them: the engine decodes the envelope again anyway to get at the payload,
 * so a full `entryFromEnvelope` here would parse every header twice per hit. The value is the reply's
 * `Buffer` itself (a `Uint8Array`), not a copy or a second view of it. Anything that does not look like
 * a version-${ENVELOPE_VERSION} envelope goes through `entryFromEnvelope`, which throws `E_DECODE`.
 */
function readEntry(buf: Buffer): StoredEntry {
  if (
    buf.length < HEADER_BYTES ||
    buf[0] !== 0x54 ||
    buf[1] !== 0x53 ||
    buf[2] !== ENVELOPE_VERSION ||
    ENVELOPE_VERSION !== 1
  ) {
    return entryFromEnvelope(buf)
  }
  if (buf[28] === 3 && buf[29] === 0x72 && buf[30] === 0x61 && buf[31] === 0x77) {
    // A 'raw' envelope (bytes a caller stored directly): entryFromEnvelope hands back the original bytes.
    return entryFromEnvelope(buf)
  }
  const createdAt = readF64(buf, 4)
  const expiresAt = readF64(buf, 12)
  const staleUntil = readF64(buf, 20)
  if (Number.isNaN(createdAt) || Number.isNaN(expiresAt) || !(staleUntil >= expiresAt)) {
    return entryFromEnvelope(buf)
  }
  return new LazyEntry(buf, createdAt, expiresAt, staleUntil)
}

/** A `StoredEntry` whose tags are decoded from the envelope on first read. */
class LazyEntry implements StoredEntry {
  #tags: string[] | undefined
  constructor(
    readonly value: Uint8Array,
    readonly createdAt: number,
    readonly expiresAt: number,
    readonly staleUntil: number,
  ) {}
  get tags(): string[] {
    this.#tags ??= decodeEnvelope(this.value).header.tags
    return this.#tags
  }
  set tags(tags: string[]) {
    this.#tags = tags
  }
}

/**
 * A remote tier on Redis (standalone, Sentinel or Cluster) through ioredis. It stores the envelope bytes the
 * engine gives it under `prefix + key`, with a physical expiry at the end of grace (`PX`, millisecond
 * precision), and rebuilds entries with `entryFromEnvelope`. Tags are kept in one Redis set per tag.
 *
 * Every call settles within `commandTimeout`: while the connection is down calls fail at once
 * (`E_TIER_ERROR`), a hung server gives `E_TIER_TIMEOUT`; the client reconnects by itself.
 */
export class RedisTier implements Tier {
  readonly name: string
  readonly kind = 'remote' as const
  readonly capabilities: TierCapabilities = {
    ttlPrecisionMs: 1,
    tags: true,
    batch: true,
    persistent: true,
    shared: true,
    // commandTimeout is enforced here for every call, so the engine need not race its own timer.
    timeouts: true,
  }
  /** Prefix of every Redis key of this tier. */
  readonly prefix: string
  /** The ioredis client (the one passed in, or the one this tier created and owns). */
  readonly client: RedisClient

  readonly #owned: boolean
  readonly #cluster: boolean
  readonly #timeout: number
  readonly #coalesce: boolean
  readonly #maxBatch: number
  readonly #what: string
  readonly #tagPrefix: string
  readonly #conn: ConnectionGate
  #closed = false
  // The coalescing buffer: parallel arrays, no object per `get`.
  #batchKeys: string[] = []
  #batchResolve: Resolve[] = []
  #batchReject: Reject[] = []

  constructor(options: RedisTierOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw optionError('redis tier', 'options', options, 'an object')
    this.name = options.name ?? 'redis'
    if (typeof this.name !== 'string' || this.name === '')
      throw optionError('redis tier', 'name', options.name, 'a non-empty string')
    this.#what = `redis tier '${this.name}'`
    this.prefix = options.prefix ?? 'tierstack:'
    if (typeof this.prefix !== 'string') throw optionError(this.#what, 'prefix', options.prefix, 'a string')
    this.#tagPrefix = this.prefix + TAG_INFIX
    this.#timeout = parseDuration(
      options.commandTimeout ?? 1000,
      `${this.#what}: option 'commandTimeout'`,
      'E_INVALID_OPTION',
    )
    if (!(this.#timeout > 0) || !Number.isFinite(this.#timeout)) {
      throw optionError(this.#what, 'commandTimeout', options.commandTimeout, 'a positive finite duration')
    }
    const connectTimeout = parseDuration(
      options.connectTimeout ?? Math.max(this.#timeout, 2000),
      `${this.#what}: option 'connectTimeout'`,
      'E_INVALID_OPTION',
    )
    this.#coalesce = options.coalesceGets ?? true
    this.#maxBatch = options.maxBatchSize ?? 512
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) {
      throw optionError(this.#what, 'maxBatchSize', options.maxBatchSize, 'a positive integer')
    }
    const opened = openClient(this.#what, options, {
      autoPipelining: options.autoPipelining ?? true,
      connectTimeout,
    })
    this.client = opened.client
    this.#owned = opened.owned
    this.#cluster = opened.cluster
    this.#conn = new ConnectionGate(this.client, this.#what, this.#timeout)
  }

  // ---------------------------------------------------------------- connection gate

  /** `undefined` when commands can be sent now (one property read); see `ConnectionGate`. */
  #gate(op: string): Promise<void> | undefined {
    if (this.#closed)
      return Promise.reject(new CacheError('E_CLOSED', `tierstack: ${this.#what}: ${op} after close()`))
    return this.#conn.check(op)
  }

  /** Runs one Redis round trip under the gate and the deadline. */
  #run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const gate = this.#gate(op)
    if (gate !== undefined) return gate.then(() => this.#run(op, fn))
    let promise: Promise<T>
    try {
      promise = fn()
    } catch (err) {
      return Promise.reject(tierError(this.#what, op, err))
    }
    return withDeadline(promise, this.#timeout, this.#what, op)
  }

  #key(key: string): string {
    return this.prefix + key
  }

  #decode(buf: Buffer | null, now: number): StoredEntry | undefined {
    if (buf === null) return undefined
    const entry = readEntry(buf)
    return entry.staleUntil > now ? entry : undefined
  }

  // ---------------------------------------------------------------- reads

  get(key: string): Promise<StoredEntry | undefined> {
    if (!this.#coalesce) {
      return this.#run('get', () => this.client.getBuffer(this.#key(key))).then((buf) =>
        this.#decode(buf, Date.now()),
      )
    }
    if (this.#closed)
      return Promise.reject(new CacheError('E_CLOSED', `tierstack: ${this.#what}: get after close()`))
    const n = this.#batchKeys.push(this.#key(key))
    const entry = new Promise<StoredEntry | undefined>(this.#enqueue)
    // nextTick runs after the current microtask queue has drained: every `get` issued by the
    // continuations of one reply lands in the same batch.
    if (n === 1) process.nextTick(this.#flush)
    else if (n >= this.#maxBatch) this.#flush()
    return entry
  }

  /** The executor of every coalesced get's promise (one shared function, not a closure per call). */
  readonly #enqueue = (resolve: Resolve, reject: Reject): void => {
    this.#batchResolve.push(resolve)
    this.#batchReject.push(reject)
  }

  readonly #flush = (): void => {
    const keys = this.#batchKeys
    if (keys.length === 0) return
    const resolves = this.#batchResolve
    const rejects = this.#batchReject
    this.#batchKeys = []
    this.#batchResolve = []
    this.#batchReject = []
    const gate = this.#gate('get')
    if (gate === undefined) this.#sendBatch(keys, resolves, rejects)
    else
      gate.then(
        () => this.#sendBatch(keys, resolves, rejects),
        (err: unknown) => {
          for (const reject of rejects) reject(err)
        },
      )
  }

  #sendBatch(keys: string[], resolves: Resolve[], rejects: Reject[]): void {
    if (!this.#cluster) {
      const reply =
        this.#directRead(keys) ??
        (keys.length === 1 ? this.client.getBuffer(keys[0]!) : this.client.mgetBuffer(keys))
      this.#settle(withDeadline(reply, this.#timeout, this.#what, 'get'), null, resolves, rejects)
      return
    }
    for (const group of groupBySlot(keys)) {
      const p: Promise<Buffer | null | (Buffer | null)[]> =
        group.length === 1
          ? this.client.getBuffer(keys[group[0]!]!)
          : this.client.mgetBuffer(group.map((i) => keys[i]!))
      this.#settle(withDeadline(p, this.#timeout, this.#what, 'get'), group, resolves, rejects)
    }
  }

  /**
   * Sends the batch's GET or MGET straight to the socket, skipping ioredis auto-pipelining: the batch is
   * already one command, and the auto-pipeline would wrap it in a Pipeline, answer it through one more
   * promise and `nextTick` per command, and hold it back while the previous auto-pipeline is unanswered.
   * Only when nothing waits in the auto-pipeline queue: a command queued there was issued earlier (a `set`
   * of the same key, say) and must reach Redis first. `undefined`: use the ordinary command.
   */
  #directRead(keys: string[]): Promise<Buffer | null | (Buffer | null)[]> | undefined {
    const client = this.client as Redis
    if (client.options.enableAutoPipelining !== true || client.autoPipelineQueueSize !== 0) return undefined
    const command =
      keys.length === 1
        ? new Command('get', keys, { replyEncoding: null })
        : new Command('mget', keys, { replyEncoding: null })
    return client.sendCommand(command) as Promise<Buffer | null | (Buffer | null)[]>
  }

  /** Resolves the waiters of one reply; `index` maps reply positions to waiters (`null`: identity). */
  #settle(
    reply: Promise<Buffer | null | (Buffer | null)[]>,
    index: number[] | null,
    resolves: Resolve[],
    rejects: Reject[],
  ): void {
    reply.then(
      (result) => {
        const now = Date.now()
        const bufs = Array.isArray(result) ? result : [result]
        for (let j = 0; j < bufs.length; j++) {
          const i = index === null ? j : index[j]!
          try {
            resolves[i]!(this.#decode(bufs[j] ?? null, now))
          } catch (err) {
            rejects[i]!(err)
          }
        }
      },
      (err: unknown) => {
        if (index === null) for (const reject of rejects) reject(err)
        else for (const i of index) rejects[i]!(err)
      },
    )
  }

  /** Raw values of full Redis keys, in order: one MGET (per slot on a cluster, per 1000 keys). */
  async #mgetRaw(fullKeys: string[]): Promise<(Buffer | null)[]> {
    const out: (Buffer | null)[] = new Array(fullKeys.length).fill(null)
    const jobs: Promise<void>[] = []
    const groups = this.#cluster ? groupBySlot(fullKeys) : [fullKeys.map((_, i) => i)]
    for (const group of groups) {
      for (let start = 0; start < group.length; start += CHUNK) {
        const part = group.slice(start, start + CHUNK)
        jobs.push(
          this.client.mgetBuffer(part.map((i) => fullKeys[i]!)).then((bufs) => {
            for (let j = 0; j < part.length; j++) out[part[j]!] = bufs[j] ?? null
          }),
        )
      }
    }
    await Promise.all(jobs)
    return out
  }

  getMany(keys: string[]): Promise<(StoredEntry | undefined)[]> {
    if (keys.length === 0) return this.#closed ? this.#gate('getMany')!.then(() => []) : Promise.resolve([])
    return this.#run('getMany', () => this.#mgetRaw(keys.map((k) => this.#key(k)))).then((bufs) => {
      const now = Date.now()
      return bufs.map((buf) => this.#decode(buf, now))
    })
  }

  // ---------------------------------------------------------------- writes

  #checkEntry(op: string, key: string, entry: StoredEntry): void {
    if (!(entry?.value instanceof Uint8Array)) {
      throw new CacheError(
        'E_INVALID_VALUE',
        `tierstack: ${this.#what}: ${op}('${key}') needs the envelope bytes (a Uint8Array) as entry.value, got ${typeof entry?.value}`,
      )
    }
    if (typeof entry.staleUntil !== 'number' || Number.isNaN(entry.staleUntil)) {
      throw new CacheError(
        'E_INVALID_TTL',
        `tierstack: ${this.#what}: ${op}('${key}') entry.staleUntil must be a number, got ${entry.staleUntil}`,
      )
    }
  }

  /** Sends the commands that store one entry (SET with PX at the end of grace, plus one SADD per tag). */
  #write(key: string, entry: StoredEntry, now: number): Promise<unknown> {
    const redisKey = this.#key(key)
    const staleUntil = entry.staleUntil
    // Already past grace: storing it would only shadow an older copy, so make sure none is left.
    if (!(staleUntil > now)) return this.client.unlink(redisKey)
    // Engine writes are envelopes already; bytes stored directly by a caller get a 'raw' envelope for their TTL.
    const value = toBuffer(envelopeOf(entry))
    let ttl = 0
    let set: Promise<unknown>
    if (staleUntil === Number.POSITIVE_INFINITY) set = this.client.set(redisKey, value)
    else {
      ttl = Math.ceil(staleUntil - now)
      set = this.client.set(redisKey, value, 'PX', ttl)
    }
    const tags = entry.tags
    if (!tags || tags.length === 0) return set
    const jobs = [set]
    for (const tag of tags) jobs.push(runScript(this.client, TAG_ADD, [this.#tagPrefix + tag], [key, ttl]))
    return Promise.all(jobs)
  }

  set(key: string, entry: StoredEntry): Promise<void> {
    try {
      this.#checkEntry('set', key, entry)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#run('set', () => this.#write(key, entry, Date.now())).then(() => undefined)
  }

  setMany(items: [string, StoredEntry][]): Promise<void> {
    try {
      for (const [key, entry] of items) this.#checkEntry('setMany', key, entry)
    } catch (err) {
      return Promise.reject(err)
    }
    if (items.length === 0) return Promise.resolve()
    // One command per key (each has its own TTL); auto-pipelining sends them in one write per node.
    return this.#run('setMany', () => {
      const now = Date.now()
      return Promise.all(items.map(([key, entry]) => this.#write(key, entry, now)))
    }).then(() => undefined)
  }

  /** UNLINKs full Redis keys, one command per slot on a cluster; resolves to how many existed. */
  async #unlink(fullKeys: (string | Buffer)[], node: Redis | Cluster = this.client): Promise<number> {
    if (fullKeys.length === 0) return 0
    if (!this.#cluster) return node.unlink(...fullKeys)
    const counts = await Promise.all(
      groupBySlot(fullKeys).map((g) => node.unlink(...g.map((i) => fullKeys[i]!))),
    )
    return counts.reduce((a, b) => a + b, 0)
  }

  delete(keys: string[]): Promise<number> {
    if (keys.length === 0) return this.#closed ? this.#gate('delete')!.then(() => 0) : Promise.resolve(0)
    return this.#run('delete', () => this.#unlink(keys.map((k) => this.#key(k))))
  }

  // ---------------------------------------------------------------- clear and tags

  async clear(prefix: string): Promise<void> {
    const gate = this.#gate('clear')
    if (gate !== undefined) await gate
    const pattern = `${escapeGlob(this.prefix + prefix)}*`
    // On a cluster every master holds a share of the keys: scan each of them (never KEYS, which blocks).
    const nodes: (Redis | Cluster)[] = this.#cluster
      ? (this.client as Cluster).nodes('master')
      : [this.client]
    await Promise.all(nodes.map((node) => this.#clearNode(node, pattern)))
  }

  async #clearNode(node: Redis | Cluster, pattern: string): Promise<void> {
    let cursor = '0'
    do {
      const [next, keys] = await withDeadline(
        (node as Redis).scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
        this.#timeout,
        this.#what,
        'clear (SCAN)',
      )
      cursor = next.toString()
      if (keys.length > 0)
        await withDeadline(this.#unlink(keys, node), this.#timeout, this.#what, 'clear (UNLINK)')
    } while (cursor !== '0')
  }

  async deleteByTag(tags: string[], prefix: string): Promise<number> {
    const wanted = [...new Set(tags)]
    if (wanted.length === 0) return 0
    const gate = this.#gate('deleteByTag')
    if (gate !== undefined) await gate
    const deadline = <T>(p: Promise<T>, step: string) =>
      withDeadline(p, this.#timeout, this.#what, `deleteByTag (${step})`)

    // 1. Members of every tag set (cache keys), restricted to the prefix.
    const members = await Promise.all(
      wanted.map((tag) => deadline(this.client.smembers(this.#tagPrefix + tag), 'SMEMBERS')),
    )
    const perTag = members.map((list) => list.filter((m) => m.startsWith(prefix)))
    const candidates = [...new Set(perTag.flat())]
    if (candidates.length === 0) return 0

    // 2. Read the candidates: a tag set can list keys that expired, were deleted, or were re-set without the
    //    tag. Only entries that carry one of the tags NOW are deleted.
    const values = await deadline(this.#mgetRaw(candidates.map((k) => this.#key(k))), 'MGET')
    const carried = new Map<string, Set<string>>()
    const doomed: string[] = []
    let garbage = 0
    for (let i = 0; i < candidates.length; i++) {
      const buf = values[i]
      if (!buf) continue
      let entryTags: string[]
      try {
        entryTags = decodeEnvelope(buf).header.tags
      } catch {
        // Not an envelope: nothing can read it, remove it while we are here.
        doomed.push(candidates[i]!)
        garbage++
        continue
      }
      const has = new Set(entryTags)
      carried.set(candidates[i]!, has)
      if (wanted.some((t) => has.has(t))) doomed.push(candidates[i]!)
    }
    const removed = await deadline(this.#unlink(doomed.map((k) => this.#key(k))), 'UNLINK')

    // 3. Drop from each tag set the members that no longer carry that tag (lazy cleanup of stale members).
    const doomedSet = new Set(doomed)
    await deadline(
      Promise.all(
        wanted.map((tag, t) => {
          const stale = perTag[t]!.filter((m) => doomedSet.has(m) || !carried.get(m)?.has(tag))
          return stale.length > 0 ? this.client.srem(this.#tagPrefix + tag, ...stale) : 0
        }),
      ),
      'SREM',
    )
    return Math.max(0, removed - garbage)
  }

  // ---------------------------------------------------------------- lifecycle

  async health(): Promise<TierHealth> {
    const started = performance.now()
    const detail: Record<string, unknown> = {
      mode: this.#cluster ? 'cluster' : 'standalone',
      prefix: this.prefix,
      status: this.client.status,
    }
    try {
      await this.#run('health (PING)', () => this.client.ping())
      const latencyMs = performance.now() - started
      let ok = true
      if (this.#cluster) {
        const info = parseInfo(
          String(await this.#run('health (CLUSTER INFO)', () => (this.client as Cluster).cluster('INFO'))),
        )
        detail.clusterState = info.cluster_state
        detail.slotsOk = Number(info.cluster_slots_ok)
        detail.knownNodes = Number(info.cluster_known_nodes)
        detail.masters = (this.client as Cluster).nodes('master').length
        ok = info.cluster_state === 'ok'
      } else {
        const role = (await this.#run('health (ROLE)', () => this.client.call('ROLE'))) as unknown[]
        detail.role = String(role[0])
      }
      return { ok, latencyMs, detail }
    } catch (err) {
      detail.error = err instanceof Error ? err.message : String(err)
      if (err instanceof CacheError) detail.code = err.code
      return { ok: false, latencyMs: performance.now() - started, detail }
    }
  }

  /**
   * A distributed lock on this tier's own connection (keys `${prefix}lock:…`): `createCache` uses it for
   * `getOrSet(…, { lock: 'distributed' })` when it is given no `lock`. The lock does not own the connection.
   */
  createLock(): RedisLock {
    return new RedisLock({
      client: this.client,
      prefix: `${this.prefix}lock:`,
      commandTimeout: this.#timeout,
    })
  }

  /**
   * An invalidation bus on this tier's server (channel `${prefix}bus`, published on the tier's connection, one
   * subscriber connection of its own): `createCache` uses it when it is given no `bus` and the stack has a
   * local tier. The bus does not own the tier's connection.
   */
  createBus(): RedisBus {
    return new RedisBus({ client: this.client, prefix: this.prefix, commandTimeout: this.#timeout })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const closed = new CacheError('E_CLOSED', `tierstack: ${this.#what}: closed while the call was pending`)
    for (const reject of this.#batchReject) reject(closed)
    this.#batchKeys = []
    this.#batchResolve = []
    this.#batchReject = []
    if (this.#owned) await closeClient(this.client, this.#what, this.#timeout)
    else this.#conn.dispose()
  }
}

/**
 * Creates a Redis tier. Connection: `url` (default `process.env.REDIS_URL`, then `redis://127.0.0.1:6379`),
 * `redisOptions` (ioredis options, e.g. Sentinel), an existing `client` (never closed by us) or cluster `nodes`.
 *
 * ```ts
 * const cache = createCache({ tiers: [memoryTier({ maxEntries: 10_000 }), redisTier({ url: process.env.REDIS_URL })] })
 * ```
 */
export function redisTier(options: RedisTierOptions = {}): RedisTier {
  return new RedisTier(options)
}

/** Creates a Redis tier on a Redis Cluster (`nodes`, or an existing ioredis `Cluster` as `client`). */
export function redisClusterTier(options: RedisClusterTierOptions): RedisTier {
  if (options?.nodes === undefined && options?.client === undefined) {
    throw optionError(
      'redis cluster tier',
      'nodes',
      undefined,
      'a non-empty array of seed nodes (or pass a Cluster as client)',
    )
  }
  if (options.client !== undefined && (options.client as { isCluster?: boolean }).isCluster !== true) {
    throw optionError(
      'redis cluster tier',
      'client',
      'a standalone Redis client',
      'an ioredis Cluster (use redisTier for a standalone Redis)',
    )
  }
  return new RedisTier(options)
}
