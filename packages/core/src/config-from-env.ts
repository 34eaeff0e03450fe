import type { EvictionStrategy } from './contracts.js'
import { parseBytes, parseDuration } from './duration.js'
import { CacheError } from './errors.js'
import type { NamespaceOptions } from './options.js'

/** Options of `configFromEnv`. */
export interface ConfigFromEnvOptions {
  /** Where to read. @default process.env */
  env?: Record<string, string | undefined>
  /**
   * Strategy factories by name, so `TIERSTACK_<NS>_STRATEGY=tinylfu` can be resolved without core depending on
   * strategy packages, e.g. `{ lru, tinylfu: tinyLfu }`. A name not in this map is an error naming the variable.
   * @default {}
   */
  strategies?: Record<string, () => EvictionStrategy>
}

/** What `configFromEnv` read. Spread `defaults` and `namespaces` into `createCache` options. */
export interface EnvConfig {
  /** `REDIS_URL`, when set. */
  redisUrl?: string
  /** From `TIERSTACK_TTL`, `TIERSTACK_GRACE`, … (no namespace part). */
  defaults: NamespaceOptions
  /** From `TIERSTACK_<NAMESPACE>_<SETTING>`; namespace names are lower-cased. */
  namespaces: Record<string, NamespaceOptions>
  /** `TIERSTACK_AES_KEYS` (`id:key,id:key`, keys in base64 or hex; the last one is current unless `TIERSTACK_AES_CURRENT` names another). */
  aesKeys?: { keys: Record<string, string>; current: string }
}

type Setter = (value: string, variable: string, target: NamespaceOptions, o: ConfigFromEnvOptions) => void

function bool(value: string, variable: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true
  if (/^(0|false|no|off)$/i.test(value)) return false
  throw new CacheError(
    'E_INVALID_ENV',
    `${variable}=${JSON.stringify(value)} is not a boolean (use true/false)`,
  )
}

function wrapEnv<T>(variable: string, value: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new CacheError(
      'E_INVALID_ENV',
      `${variable}=${JSON.stringify(value)}: ${(err as Error).message.replace(/^tierstack: /, '')}`,
      { cause: err },
    )
  }
}

// Longest suffixes first so MAX_BYTES is not read as a namespace ending in _MAX.
const SETTINGS: [string, Setter][] = [
  [
    'COST_PER_MISS',
    (v, name, t) => {
      const n = Number(v)
      if (v.trim() === '' || !Number.isFinite(n) || n < 0)
        throw new CacheError('E_INVALID_ENV', `${name}=${JSON.stringify(v)} is not a non-negative number`)
      t.costPerMiss = n
    },
  ],
  [
    'MAX_ENTRIES',
    (v, name, t) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1)
        throw new CacheError('E_INVALID_ENV', `${name}=${JSON.stringify(v)} is not a positive integer`)
      t.maxEntries = n
    },
  ],
  [
    'MAX_BYTES',
    (v, name, t) => {
      t.maxBytes = wrapEnv(name, v, () => parseBytes(v, name))
    },
  ],
  [
    'STRATEGY',
    (v, name, t, o) => {
      const factory = o.strategies?.[v.trim().toLowerCase()] ?? o.strategies?.[v.trim()]
      if (factory === undefined) {
        const known = Object.keys(o.strategies ?? {})
        throw new CacheError(
          'E_INVALID_ENV',
          `${name}=${JSON.stringify(v)}: unknown strategy${known.length ? ` (known: ${known.join(', ')})` : '; pass it in configFromEnv({ strategies })'}`,
        )
      }
      t.strategy = factory()
    },
  ],
  [
    'COMPRESS',
    (v, name, t) => {
      t.compress = bool(v, name)
    },
  ],
  [
    'ENCRYPT',
    (v, name, t) => {
      t.encrypt = bool(v, name)
    },
  ],
  [
    'GRACE',
    (v, name, t) => {
      t.grace = wrapEnv(name, v, () => parseDuration(v, name))
    },
  ],
  [
    'TTL',
    (v, name, t) => {
      t.ttl = wrapEnv(name, v, () => parseDuration(v, name))
    },
  ],
]

const RESERVED = new Set(['TIERSTACK_AES_KEYS', 'TIERSTACK_AES_CURRENT', 'TIERSTACK_ADMIN_TOKEN'])

/**
 * Reads cache configuration from environment variables: `REDIS_URL`, `TIERSTACK_<NAMESPACE>_TTL`, `…_GRACE`,
 * `…_STRATEGY`, `…_MAX_BYTES`, `…_MAX_ENTRIES`, `…_COMPRESS`, `…_ENCRYPT`, `…_COST_PER_MISS`, the same without a
 * namespace for defaults (`TIERSTACK_TTL`), and `TIERSTACK_AES_KEYS`. Every error is a `CacheError` with code
 * `E_INVALID_ENV` whose message names the variable.
 */
export function configFromEnv(options: ConfigFromEnvOptions = {}): EnvConfig {
  const env = options.env ?? process.env
  const out: EnvConfig = { defaults: {}, namespaces: {} }
  const redisUrl = env.REDIS_URL
  if (redisUrl !== undefined && redisUrl !== '') {
    if (!/^rediss?:\/\//.test(redisUrl))
      throw new CacheError(
        'E_INVALID_ENV',
        `REDIS_URL=${JSON.stringify(redisUrl)} must start with redis:// or rediss://`,
      )
    out.redisUrl = redisUrl
  }
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('TIERSTACK_') || value === undefined || RESERVED.has(variable)) continue
    const rest = variable.slice('TIERSTACK_'.length)
    for (const [suffix, apply] of SETTINGS) {
      if (rest === suffix) {
        apply(value, variable, out.defaults, options)
        break
      }
      if (rest.endsWith(`_${suffix}`)) {
        const ns = rest.slice(0, -suffix.length - 1).toLowerCase()
        if (!/^[a-z0-9_.-]+$/.test(ns))
          throw new CacheError('E_INVALID_ENV', `${variable}: '${ns}' is not a valid namespace name`)
        out.namespaces[ns] ??= {}
        apply(value, variable, out.namespaces[ns], options)
        break
      }
    }
  }
  const aes = env.TIERSTACK_AES_KEYS
  if (aes !== undefined && aes.trim() !== '') out.aesKeys = parseAesKeys(aes, env.TIERSTACK_AES_CURRENT)
  return out
}

/**
 * Parses `TIERSTACK_AES_KEYS` (`id:key,id:key`). Only the syntax is checked here; key length and encoding are
 * checked by the AES codec. The last key is current unless `current` names another.
 */
export function parseAesKeys(
  value: string,
  current?: string,
): { keys: Record<string, string>; current: string } {
  const keys: Record<string, string> = Object.create(null)
  let last = ''
  for (const [index, part] of value.split(',').entries()) {
    const item = part.trim()
    if (item === '') continue
    const colon = item.indexOf(':')
    if (colon <= 0 || colon === item.length - 1) {
      // Never echo the entry: it may hold key material.
      throw new CacheError(
        'E_INVALID_ENV',
        `TIERSTACK_AES_KEYS entry ${index + 1} must be keyId:key (key in base64 or hex)`,
      )
    }
    const id = item.slice(0, colon).trim()
    if (Object.hasOwn(keys, id))
      throw new CacheError('E_INVALID_ENV', `TIERSTACK_AES_KEYS: lists key id '${id}' twice`)
    keys[id] = item.slice(colon + 1).trim()
    last = id
  }
  if (last === '')
    throw new CacheError('E_INVALID_ENV', 'TIERSTACK_AES_KEYS lists no key (expected id1:key1,id2:key2)')
  const cur = current?.trim() || last
  if (!Object.hasOwn(keys, cur)) {
    throw new CacheError(
      'E_INVALID_ENV',
      `TIERSTACK_AES_CURRENT=${JSON.stringify(cur)} is not one of the ids in TIERSTACK_AES_KEYS`,
    )
  }
  return { keys, current: cur }
}
