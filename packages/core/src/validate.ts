import { parseDuration } from './duration.js'
import { CacheError } from './errors.js'
import type { EntryPolicy, LoaderTimeouts } from './options.js'

/** Longest key accepted, in UTF-16 code units. Backends cope with more, but such keys are a bug upstream. */
export const MAX_KEY_LENGTH = 4096

/** Returns the error for an invalid key, or `undefined`. Not throwing keeps the hot path branch-only. */
export function keyError(key: unknown): CacheError | undefined {
  if (typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH) return undefined
  if (typeof key !== 'string')
    return new CacheError(
      'E_INVALID_KEY',
      `key must be a non-empty string, got ${key === null ? 'null' : typeof key}`,
    )
  if (key.length === 0)
    return new CacheError('E_INVALID_KEY', 'key must be a non-empty string, got an empty string')
  return new CacheError(
    'E_INVALID_KEY',
    `key is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`,
  )
}

export function assertKey(key: unknown): asserts key is string {
  const err = keyError(key)
  if (err !== undefined) throw err
}

/** Values that can never be cached, whatever the tiers. */
export function valueError(value: unknown): CacheError | undefined {
  if (value === undefined)
    return new CacheError('E_INVALID_VALUE', 'value is undefined; use delete() to remove a key')
  if (typeof value === 'function' || typeof value === 'symbol') {
    return new CacheError('E_INVALID_VALUE', `a ${typeof value} cannot be cached`)
  }
  return undefined
}

const NAME = /^[A-Za-z0-9_.-]{1,128}$/

/** Namespace names become key prefixes (`name:`), so `:` and other separators are refused. */
export function assertName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${what} must be 1–128 characters of letters, digits, '_', '.', '-', got ${JSON.stringify(name)}`,
    )
  }
}

/** Tags must be non-empty strings. Returns a copy so later changes by the caller do not leak in. */
/** Shared by every untagged entry: one empty array per entry would cost 16 bytes × entries in the memory tier. */
export const NO_TAGS: string[] = Object.freeze([]) as unknown as string[]

export function checkTags(tags: unknown): string[] {
  if (tags === undefined || (Array.isArray(tags) && tags.length === 0)) return NO_TAGS
  if (!Array.isArray(tags)) throw new CacheError('E_INVALID_OPTION', 'tags must be an array of strings')
  for (const t of tags) {
    if (typeof t !== 'string' || t.length === 0) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `every tag must be a non-empty string, got ${JSON.stringify(t)}`,
      )
    }
  }
  return [...new Set(tags as string[])]
}

/** A policy with every duration parsed to ms. */
export interface ResolvedPolicy {
  ttlMs: number
  graceMs: number
  softMs: number
  hardMs: number
  earlyRefresh: number
}

function checkFraction(x: unknown, what: string): number {
  if (x === undefined) return 0
  if (typeof x !== 'number' || !(x > 0 && x < 1)) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${what} must be a fraction of the TTL between 0 and 1 (exclusive), got ${x}`,
    )
  }
  return x
}

function timeouts(t: LoaderTimeouts | undefined, base: ResolvedPolicy | undefined, where: string) {
  if (t !== undefined && (t === null || typeof t !== 'object')) {
    throw new CacheError('E_INVALID_OPTION', `${where}timeout must be an object { soft?, hard? }`)
  }
  const soft =
    t?.soft === undefined
      ? (base?.softMs ?? Number.POSITIVE_INFINITY)
      : parseDuration(t.soft, `${where}timeout.soft`)
  const hard =
    t?.hard === undefined
      ? (base?.hardMs ?? Number.POSITIVE_INFINITY)
      : parseDuration(t.hard, `${where}timeout.hard`)
  return { soft, hard }
}

/** Parses a policy over a base (for namespaces: the defaults; for calls: the namespace). */
export function resolvePolicy(
  p: EntryPolicy | undefined,
  base: ResolvedPolicy | undefined,
  where = '',
): ResolvedPolicy {
  const ttlMs = p?.ttl === undefined ? (base?.ttlMs ?? 3_600_000) : parseDuration(p.ttl, `${where}ttl`)
  const graceMs = p?.grace === undefined ? (base?.graceMs ?? 0) : parseDuration(p.grace, `${where}grace`)
  const { soft, hard } = timeouts(p?.timeout, base, where)
  const earlyRefresh =
    p?.earlyRefresh === undefined
      ? (base?.earlyRefresh ?? 0)
      : checkFraction(p.earlyRefresh, `${where}earlyRefresh`)
  return { ttlMs, graceMs, softMs: soft, hardMs: hard, earlyRefresh }
}
