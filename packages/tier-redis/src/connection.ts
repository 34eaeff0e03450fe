import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { optionError, tierError, timeoutError, withDeadline } from './errors.js'

/** An ioredis client: a standalone/Sentinel `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster

/**
 * How a tier, bus or lock reaches Redis. Give at most one of `client`, `url` or `nodes`; with none of them
 * the URL comes from `process.env.REDIS_URL`, then `redis://127.0.0.1:6379`.
 */
export interface RedisConnectionOptions {
  /**
   * An existing ioredis `Redis` or `Cluster`. It is used as is (its own offline queue, retry and
   * auto-pipelining settings apply) and is never closed by tierstack. Must not use ioredis `keyPrefix`:
   * use tierstack's `prefix` instead.
   */
  client?: RedisClient
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). @default process.env.REDIS_URL */
  url?: string
  /**
   * ioredis options for the client tierstack creates, applied over the URL and over tierstack's defaults
   * (for Sentinel pass `{ sentinels, name }` here).
   */
  redisOptions?: RedisOptions
  /** Seed nodes of a Redis Cluster: tierstack then creates an ioredis `Cluster`. */
  nodes?: ClusterNode[]
  /** ioredis `Cluster` options (with `nodes`), applied over tierstack's defaults. */
  clusterOptions?: ClusterOptions
}

/** A client and whether tierstack owns it (and so must close it). */
export interface OpenedClient {
  client: RedisClient
  owned: boolean
  cluster: boolean
}

/** Settings tierstack applies to the clients it creates. */
export interface ClientDefaults {
  /** ioredis `enableAutoPipelining`. */
  autoPipelining: boolean
  /** Upper bound for connecting, in ms. */
  connectTimeout: number
}

/** `true` for an ioredis `Cluster` (checked by duck typing so that two copies of ioredis still work). */
export function isClusterClient(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true
}

function looksLikeClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sendCommand?: unknown }).sendCommand === 'function' &&
    typeof (value as { status?: unknown }).status === 'string'
  )
}

/** Reconnect backoff: 50 ms, 100 ms, … capped at 1 s, forever (a cache must come back by itself). */
export function reconnectDelay(times: number): number {
  return Math.min(times * 50, 1000)
}

/** Validates the connection options (once, in the factory) and opens — lazily — the client. */
export function openClient(
  what: string,
  options: RedisConnectionOptions,
  defaults: ClientDefaults,
): OpenedClient {
  const given = ['client', 'url', 'nodes'].filter(
    (k) => options[k as keyof RedisConnectionOptions] !== undefined,
  )
  if (given.length > 1) {
    throw optionError(what, given.join("' and '"), 'both', 'used alone (give one of client, url, nodes)')
  }
  if (options.client !== undefined) {
    if (!looksLikeClient(options.client))
      throw optionError(what, 'client', options.client, 'an ioredis Redis or Cluster')
    const keyPrefix = (options.client.options as { keyPrefix?: string } | undefined)?.keyPrefix
    if (keyPrefix) {
      throw optionError(
        what,
        'client',
        `a client with keyPrefix '${keyPrefix}'`,
        "a client without ioredis keyPrefix (use tierstack's prefix option)",
      )
    }
    return { client: options.client, owned: false, cluster: isClusterClient(options.client) }
  }
  if (
    options.redisOptions?.keyPrefix ||
    options.clusterOptions?.redisOptions?.keyPrefix ||
    options.clusterOptions?.keyPrefix
  ) {
    throw optionError(what, 'redisOptions.keyPrefix', 'set', "unset (use tierstack's prefix option)")
  }
  if (options.nodes !== undefined) {
    if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
      throw optionError(what, 'nodes', options.nodes, 'a non-empty array of cluster seed nodes')
    }
    const client = new Cluster(options.nodes, {
      lazyConnect: true,
      enableAutoPipelining: defaults.autoPipelining,
      // Fail fast while the cluster is unreachable; the command timeout bounds everything else.
      enableOfflineQueue: false,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: Math.max(1000, defaults.connectTimeout),
      clusterRetryStrategy: reconnectDelay,
      ...options.clusterOptions,
      redisOptions: {
        connectTimeout: defaults.connectTimeout,
        maxRetriesPerRequest: 0,
        ...options.clusterOptions?.redisOptions,
      },
    })
    return { client, owned: true, cluster: true }
  }
  const url = options.url ?? process.env.REDIS_URL
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw optionError(what, 'url', url, 'a redis:// or rediss:// URL')
  }
  const base: RedisOptions = {
    lazyConnect: true,
    enableAutoPipelining: defaults.autoPipelining,
    // While disconnected, commands fail at once instead of piling up in an offline queue that would replay
    // stale writes after the reconnect; in-flight commands are rejected when the socket closes.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: defaults.connectTimeout,
    retryStrategy: reconnectDelay,
    ...options.redisOptions,
  }
  let client: Redis
  try {
    client = url === undefined ? new Redis(base) : new Redis(url, base)
  } catch (err) {
    throw tierError(what, 'creating the client', err)
  }
  return { client, owned: true, cluster: false }
}

/** The connection options of a node of `client`, to open a dedicated connection to it. */
export function nodeOptions(node: Redis): RedisOptions {
  const o = node.options
  return {
    host: o.host,
    port: o.port,
    username: o.username,
    password: o.password,
    tls: o.tls,
    connectTimeout: o.connectTimeout,
  }
}

/**
 * Decides, before each command, whether it can be sent: at once when the connection is ready (the hot path
 * is one property read); after the first connection when it is still being opened (bounded by the timeout);
 * never while a connection that was up is down — then the call fails at once instead of waiting in an
 * offline queue (that would replay stale writes after the reconnect), and ioredis reconnects meanwhile.
 */
export class ConnectionGate {
  #everReady: boolean
  #lastError: unknown
  #connecting: Promise<void> | undefined
  readonly #onReady = () => {
    this.#everReady = true
    this.#lastError = undefined
  }
  readonly #onError = (err: unknown) => {
    this.#lastError = err
  }

  constructor(
    readonly client: RedisClient,
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    this.#everReady = client.status === 'ready'
    client.on('ready', this.#onReady)
    // Without an 'error' listener ioredis prints every connection error; with one, errors surface through calls.
    client.on('error', this.#onError)
  }

  /** The last connection error since the connection was last ready. */
  get lastError(): unknown {
    return this.#lastError
  }

  /** `undefined` when commands can be sent now, else a promise of when they can (or a rejection). */
  check(op: string): Promise<void> | undefined {
    const client = this.client
    const status = client.status
    if (status === 'ready') return undefined
    if (status === 'wait') {
      client.connect().catch(() => {})
    } else if (this.#everReady || this.#lastError !== undefined || status === 'end' || status === 'close') {
      return Promise.reject(
        tierError(
          this.what,
          op,
          this.#lastError ?? new Error(`not connected (connection status '${status}')`),
        ),
      )
    }
    this.#connecting ??= new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        clearTimeout(timer)
        client.off('ready', onReady)
        client.off('error', onError)
        this.#connecting = undefined
        if (err === undefined) resolve()
        else reject(err)
      }
      const onReady = () => done()
      const onError = (err: unknown) => done(tierError(this.what, 'connect', err))
      const timer = setTimeout(() => done(timeoutError(this.what, 'connect', this.timeoutMs)), this.timeoutMs)
      timer.unref?.()
      client.once('ready', onReady)
      client.once('error', onError)
    })
    return this.#connecting
  }

  /** Removes the listeners (for a client passed in by the user). */
  dispose(): void {
    this.client.off('ready', this.#onReady)
    this.client.off('error', this.#onError)
  }
}

/** Closes a client tierstack owns: QUIT (bounded), wait for the socket to close, else disconnect. */
export async function closeClient(client: RedisClient, what: string, timeoutMs: number): Promise<void> {
  const status = client.status
  if (status === 'wait' || status === 'end') {
    client.disconnect()
    return
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()))
  try {
    await withDeadline(client.quit(), timeoutMs, what, 'close')
    // QUIT answers before the socket is closed: resolve once it is, so a process can exit right after.
    await withDeadline(ended, timeoutMs, what, 'close')
  } catch {
    client.disconnect()
  }
}
