import { CacheError } from '@tierstack/core'
import { Keyv, type KeyvStoreAdapter } from 'keyv'

/** Options of `keyvTier`. */
export interface KeyvTierOptions {
  /**
   * Where entries go: any Keyv storage adapter (`new KeyvRedis(url)`, `new KeyvSqlite(uri)`, `@keyv/postgres`, …),
   * a `Map`, or a `Keyv` instance. A store or Map is wrapped in a `Keyv` of our own (no key re-prefixing quirks,
   * store errors surface as tier errors); a `Keyv` instance is used as it is (its namespace, serializer,
   * compression and hooks apply) and is never closed by the tier.
   */
  store: Keyv | KeyvStoreAdapter | Map<unknown, unknown>
  /** Tier name used in namespace `tiers` lists, stats and events. @default 'keyv' */
  name?: string
  /**
   * Key prefix of everything the tier writes (`<namespace>:<key>`), also handed to the adapter as its Keyv
   * namespace so that `clear('')` stays inside it. Letters, digits, `_ . -`, at most 64 characters. Not allowed
   * together with a `Keyv` instance (set the namespace on the instance). @default 'tierstack'
   */
  namespace?: string
  /**
   * Entries survive a process restart. Keyv adapters do not say, so this is a guess from the adapter's
   * `opts.dialect`. @default true for sqlite on a file, postgres, mysql, mongo, redis, valkey and etcd; false otherwise (a Map, unknown adapters)
   */
  persistent?: boolean
  /**
   * Other processes see the same entries (the engine then publishes invalidations on the bus).
   * @default false for a Map and sqlite `:memory:`, true otherwise
   */
  shared?: boolean
  /**
   * `close()` also calls `keyv.disconnect()`, which closes the adapter's connection. Leave it off when the
   * adapter (or Keyv) is shared with other code. @default false: what you pass in stays yours
   */
  disconnect?: boolean
}

/** Options after validation. */
export interface ResolvedKeyvTierOptions {
  name: string
  keyv: Keyv
  /** `true` when the tier built the Keyv itself (and prefixes keys with `namespace:` itself). */
  ownsKeyv: boolean
  /** The raw store under our own Keyv, when it is a Map (cleared by scanning its keys). */
  map: Map<unknown, unknown> | undefined
  /** The adapter under our own Keyv (for `iterator()` and batch capabilities). */
  adapter: KeyvStoreAdapter | Map<unknown, unknown>
  /** `'<namespace>:'` for an own Keyv, `''` for a Keyv passed in (it prefixes itself). */
  prefix: string
  namespace: string | undefined
  persistent: boolean
  shared: boolean
  batch: boolean
  disconnect: boolean
}

const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/
const DATABASE_DIALECTS = new Set(['sqlite', 'postgres', 'mysql', 'mongo', 'redis', 'valkey', 'etcd'])

function invalid(message: string): CacheError {
  return new CacheError('E_INVALID_OPTION', `keyvTier: ${message}`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`
  return value.constructor?.name ?? 'object'
}

/**
 * `true` for a Keyv instance, also one from another copy of the `keyv` package (same shape: hooks, an
 * `opts.store`, `getRaw`), which `instanceof` would miss.
 */
export function isKeyv(value: unknown): value is Keyv {
  if (value instanceof Keyv) return true
  const v = value as Record<string, unknown> | null
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.get === 'function' &&
    typeof v.getRaw === 'function' &&
    typeof (v.hooks as { addHandler?: unknown } | undefined)?.addHandler === 'function' &&
    typeof (v.opts as { store?: unknown } | undefined)?.store === 'object'
  )
}

function isAdapter(value: unknown): value is KeyvStoreAdapter {
  const v = value as Record<string, unknown> | null
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.get === 'function' &&
    typeof v.set === 'function' &&
    typeof v.delete === 'function' &&
    typeof v.clear === 'function'
  )
}

function boolOption(value: unknown, option: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw invalid(`${option} must be a boolean, got ${describe(value)}`)
}

/** The adapter's `opts.dialect` / `opts.uri` / `opts.url`, lower-cased, when it has them. */
function dialectOf(adapter: unknown): { dialect: string; uri: string } {
  const opts = (adapter as { opts?: Record<string, unknown> }).opts
  const str = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '')
  return { dialect: str(opts?.dialect), uri: str(opts?.uri) || str(opts?.url) }
}

/** Validates `keyvTier` options once and builds the Keyv the tier talks to. */
export function resolveKeyvTierOptions(options: KeyvTierOptions): ResolvedKeyvTierOptions {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object with a store')
  const { store } = options
  const name = options.name ?? 'keyv'
  if (typeof name !== 'string' || name === '')
    throw invalid(`name must be a non-empty string, got ${describe(name)}`)
  const persistent = boolOption(options.persistent, 'persistent')
  const shared = boolOption(options.shared, 'shared')
  const disconnect = boolOption(options.disconnect, 'disconnect') ?? false

  if (isKeyv(store)) {
    if (options.namespace !== undefined) {
      throw invalid(
        `namespace cannot be combined with a Keyv instance (got namespace ${JSON.stringify(options.namespace)}); set it on the Keyv (new Keyv({ namespace })) or pass the store adapter instead`,
      )
    }
    const adapter = store.store as KeyvStoreAdapter | Map<unknown, unknown>
    return {
      name,
      keyv: store,
      ownsKeyv: false,
      map: undefined,
      adapter,
      prefix: '',
      namespace: store.namespace,
      ...capabilities(adapter, persistent, shared),
      disconnect,
    }
  }

  if (!(store instanceof Map) && !isAdapter(store)) {
    throw invalid(
      `store must be a Keyv, a Keyv storage adapter (an object with get, set, delete and clear) or a Map, got ${describe(store)}`,
    )
  }
  const namespace = options.namespace ?? 'tierstack'
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw invalid(
      `namespace must be 1 to 64 letters, digits, '_', '.' or '-', got ${JSON.stringify(namespace)}`,
    )
  }
  // useKeyPrefix: false — we prefix keys ourselves. Keyv's own prefixing skips keys that already start with
  // `<namespace>:`, which would make the tier keys 'a' and 'tierstack:a' collide.
  // throwOnErrors: true — otherwise Keyv turns a failing store into a miss and the breaker never sees it.
  const keyv = new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true })
  return {
    name,
    keyv,
    ownsKeyv: true,
    map: store instanceof Map ? store : undefined,
    adapter: store,
    prefix: `${namespace}:`,
    namespace,
    ...capabilities(store, persistent, shared),
    disconnect,
  }
}

function capabilities(
  adapter: KeyvStoreAdapter | Map<unknown, unknown>,
  persistent: boolean | undefined,
  shared: boolean | undefined,
): { persistent: boolean; shared: boolean; batch: boolean } {
  if (adapter instanceof Map) {
    return { persistent: persistent ?? false, shared: shared ?? false, batch: false }
  }
  const { dialect, uri } = dialectOf(adapter)
  const inMemory = dialect === 'sqlite' && (uri === '' || uri.endsWith(':memory:'))
  return {
    persistent: persistent ?? (DATABASE_DIALECTS.has(dialect) && !inMemory),
    shared: shared ?? !inMemory,
    batch: typeof adapter.getMany === 'function' && typeof adapter.setMany === 'function',
  }
}
