import { randomUUID } from 'node:crypto'
import { type Bus, type BusMessage, CacheError, type Duration, parseDuration } from '@tierstack/core'
import { type Cluster, Redis } from 'ioredis'
import {
  ConnectionGate,
  closeClient,
  nodeOptions,
  openClient,
  type RedisClient,
  type RedisConnectionOptions,
  reconnectDelay,
} from './connection.js'
import { optionError, withDeadline } from './errors.js'

/** Options of `redisBus()`. Connection: one of `url` (or `REDIS_URL`), `redisOptions`, `client`, `nodes`. */
export interface RedisBusOptions extends RedisConnectionOptions {
  /** Key prefix of the application; the default channel is `${prefix}bus`. @default 'tierstack:' */
  prefix?: string
  /** Pub/sub channel. Every instance of one application must use the same. @default `${prefix}bus` */
  channel?: string
  /** Deadline of `publish()` and of the first `subscribe()`, in ms or a duration string. @default 1000 */
  commandTimeout?: Duration
}

const WIRE_VERSION = 1

/** What travels on the channel: the message plus the id of the bus that sent it (to drop our own echo). */
interface Wire {
  v: number
  /** Id of the publishing bus instance. */
  o: string
  m: BusMessage
}

function isBusMessage(m: unknown): m is BusMessage {
  if (typeof m !== 'object' || m === null) return false
  const { type, source } = m as { type?: unknown; source?: unknown }
  if (typeof source !== 'string') return false
  switch (type) {
    case 'set':
    case 'delete':
      return Array.isArray((m as { keys?: unknown }).keys)
    case 'clear':
      return typeof (m as { prefix?: unknown }).prefix === 'string'
    case 'tags':
      return (
        Array.isArray((m as { tags?: unknown }).tags) &&
        typeof (m as { prefix?: unknown }).prefix === 'string'
      )
    case 'reset':
      return true
    default:
      return false
  }
}

/**
 * Invalidation bus on Redis pub/sub (core's `Bus`). Messages carry keys, never values. Publishing goes through
 * the main client (a `Cluster` broadcasts PUBLISH to every node); receiving uses a dedicated subscriber
 * connection, because a connection in subscribe mode cannot run other commands.
 *
 * Delivery is at most once: pub/sub keeps nothing for a disconnected subscriber. So after every reconnect of the
 * subscriber (and after a first subscribe that had failed) the bus hands `{ type: 'reset', source: 'redis-bus' }`
 * to the handlers: the engine then flushes its local tiers, since invalidations may have been missed.
 * The bus drops the echo of its own publishes.
 */
export class RedisBus implements Bus {
  /** Id of this bus instance (stamped on every message it publishes). */
  readonly id = randomUUID()
  /** The pub/sub channel. */
  readonly channel: string
  /** The publishing client (the one passed in, or one this bus created and owns). */
  readonly client: RedisClient

  readonly #owned: boolean
  readonly #cluster: boolean
  readonly #timeout: number
  readonly #handlers: ((message: BusMessage) => void)[] = []
  #subscriber: Redis | undefined
  #announced = false
  #resolveSubscribed!: () => void
  readonly #subscribed = new Promise<void>((resolve) => {
    this.#resolveSubscribed = resolve
  })
  readonly #conn: ConnectionGate
  #resetPending = false
  #closed = false
  #nodeCursor = 0
  #rotateTimer: NodeJS.Timeout | undefined
  #rotations = 0
  #warned = false
  readonly #onError = () => {}

  constructor(options: RedisBusOptions = {}) {
    const prefix = options.prefix ?? 'tierstack:'
    if (typeof prefix !== 'string') throw optionError('redis bus', 'prefix', prefix, 'a string')
    this.channel = options.channel ?? `${prefix}bus`
    if (typeof this.channel !== 'string' || this.channel === '') {
      throw optionError('redis bus', 'channel', options.channel, 'a non-empty string')
    }
    this.#timeout = parseDuration(
      options.commandTimeout ?? 1000,
      "redis bus: option 'commandTimeout'",
      'E_INVALID_OPTION',
    )
    if (!(this.#timeout > 0) || !Number.isFinite(this.#timeout)) {
      throw optionError('redis bus', 'commandTimeout', options.commandTimeout, 'a positive finite duration')
    }
    const opened = openClient('redis bus', options, {
      autoPipelining: true,
      connectTimeout: Math.max(this.#timeout, 2000),
    })
    this.client = opened.client
    this.#owned = opened.owned
    this.#cluster = opened.cluster
    this.#conn = new ConnectionGate(this.client, 'redis bus', this.#timeout)
  }

  async publish(message: BusMessage): Promise<void> {
    if (this.#closed) throw new CacheError('E_CLOSED', 'tierstack: redis bus: publish after close()')
    const payload = JSON.stringify({ v: WIRE_VERSION, o: this.id, m: message } satisfies Wire)
    const gate = this.#conn.check('publish')
    const send = () => this.client.publish(this.channel, payload)
    await withDeadline(gate === undefined ? send() : gate.then(send), this.#timeout, 'redis bus', 'publish')
  }

  /**
   * Registers `handler` and subscribes (once). Resolves when the subscription is active; rejects with
   * `E_TIER_TIMEOUT` when Redis cannot be reached in time — the bus then keeps trying in the background and
   * delivers a `reset` once it gets through.
   */
  async subscribe(handler: (message: BusMessage) => void): Promise<void> {
    if (this.#closed) throw new CacheError('E_CLOSED', 'tierstack: redis bus: subscribe after close()')
    if (typeof handler !== 'function') throw optionError('redis bus', 'handler', handler, 'a function')
    this.#handlers.push(handler)
    if (this.#subscriber === undefined && this.#rotateTimer === undefined) this.#openSubscriber()
    try {
      await withDeadline(this.#subscribed, this.#timeout, 'redis bus', 'subscribe')
    } catch (err) {
      // Messages published until we get through are lost: flush when we do.
      if (!this.#announced) this.#resetPending = true
      throw err
    }
  }

  /** Opens the subscriber connection: a duplicate of a standalone client, or a connection to one cluster node. */
  #openSubscriber(): void {
    let sub: Redis
    if (!this.#cluster) {
      sub = (this.client as Redis).duplicate({
        lazyConnect: false,
        enableOfflineQueue: true,
        autoResubscribe: false,
        enableAutoPipelining: false,
        maxRetriesPerRequest: null,
        retryStrategy: reconnectDelay,
      })
    } else {
      // Plain PUBLISH is broadcast to every node of a cluster, so listening on any one node is enough. This
      // connection does not retry: when it drops we move on to another node (the old one may be gone for good).
      sub = new Redis({
        ...this.#pickNode(),
        lazyConnect: false,
        enableOfflineQueue: true,
        autoResubscribe: false,
        maxRetriesPerRequest: null,
        retryStrategy: null,
      })
      sub.once('end', () => this.#rotate(sub))
    }
    sub.on('error', this.#onError)
    sub.on('ready', () => this.#onSubscriberReady(sub))
    sub.on('message', (channel: string, payload: string) => {
      if (channel === this.channel) this.#onMessage(payload)
    })
    this.#subscriber = sub
  }

  #pickNode(): { host?: string; port?: number } {
    const cluster = this.client as Cluster
    const live = cluster.nodes('all').map(nodeOptions)
    const seeds = (cluster as unknown as { startupNodes?: unknown[] }).startupNodes ?? []
    const candidates =
      live.length > 0
        ? live
        : seeds.map((s) =>
            typeof s === 'object' && s !== null ? (s as { host?: string; port?: number }) : {},
          )
    if (candidates.length === 0) return {}
    const node = candidates[this.#nodeCursor++ % candidates.length]!
    return { ...node, host: node.host ?? '127.0.0.1', port: node.port ?? 6379 }
  }

  #rotate(old: Redis): void {
    if (this.#closed || this.#subscriber !== old) return
    this.#subscriber = undefined
    // Another node right away, then back off (the whole cluster may be down).
    const delay = reconnectDelay(++this.#rotations)
    this.#rotateTimer = setTimeout(() => {
      this.#rotateTimer = undefined
      if (!this.#closed) this.#openSubscriber()
    }, delay)
    this.#rotateTimer.unref?.()
    this.#resetPending = true
  }

  #onSubscriberReady(sub: Redis): void {
    sub.subscribe(this.channel).then(
      () => {
        if (this.#closed || sub !== this.#subscriber) return
        this.#rotations = 0
        const reset = this.#announced || this.#resetPending
        this.#announced = true
        this.#resetPending = false
        this.#resolveSubscribed()
        if (reset) this.#deliver({ type: 'reset', source: 'redis-bus' })
      },
      () => {
        // The connection dropped while subscribing; the next 'ready' retries.
      },
    )
  }

  #onMessage(payload: string): void {
    let wire: Wire
    try {
      wire = JSON.parse(payload) as Wire
    } catch {
      return
    }
    if (wire?.v !== WIRE_VERSION || wire.o === this.id || !isBusMessage(wire.m)) return
    this.#deliver(wire.m)
  }

  #deliver(message: BusMessage): void {
    for (const handler of this.#handlers) {
      try {
        handler(message)
      } catch (err) {
        // A throwing handler must not break the subscriber connection.
        if (!this.#warned) {
          this.#warned = true
          process.emitWarning(
            `tierstack redis bus: a bus handler threw: ${err instanceof Error ? err.message : String(err)}`,
            {
              code: 'TIERSTACK_BUS_HANDLER',
            },
          )
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#rotateTimer !== undefined) clearTimeout(this.#rotateTimer)
    const sub = this.#subscriber
    this.#subscriber = undefined
    sub?.disconnect()
    if (this.#owned) await closeClient(this.client, 'redis bus', this.#timeout)
    else this.#conn.dispose()
  }
}

/**
 * Creates a Redis pub/sub invalidation bus for `createCache({ bus })`.
 *
 * ```ts
 * const cache = createCache({ tiers: [memoryTier(), redisTier({ url })], bus: redisBus({ url }) })
 * ```
 */
export function redisBus(options: RedisBusOptions = {}): RedisBus {
  return new RedisBus(options)
}
