import { randomBytes } from 'node:crypto'
import { encodeEnvelope, type StoredEntry } from '@tierstack/core'

/** Options of {@link makeEntry}. All times are epoch milliseconds. */
export interface MakeEntryOptions {
  /** When the entry was written. @default Date.now() */
  createdAt?: number
  /** End of freshness. @default Infinity */
  expiresAt?: number
  /** End of grace; must be `>= expiresAt`. @default expiresAt */
  staleUntil?: number
  /** Tags of the entry. @default [] */
  tags?: string[]
  /** Serializer id recorded in the envelope (remote entries only). @default 'test' */
  serializer?: string
}

const utf8 = new TextEncoder()

/**
 * Builds a `StoredEntry` the way the engine would hand it to a tier of the given kind.
 *
 * - `'local'`: `value` is stored as is (a live value).
 * - `'remote'`: `value` becomes the payload of a real envelope built with `encodeEnvelope` (a `Uint8Array`
 *   is used as is, a string as UTF-8, anything else as JSON), and the entry's times and tags equal the
 *   envelope header's, exactly as the engine guarantees.
 */
export function makeEntry(
  kind: 'local' | 'remote',
  value: unknown,
  options: MakeEntryOptions = {},
): StoredEntry {
  const createdAt = options.createdAt ?? Date.now()
  const expiresAt = options.expiresAt ?? Number.POSITIVE_INFINITY
  const staleUntil = options.staleUntil ?? expiresAt
  const tags = options.tags ?? []
  if (kind === 'local') return { value, createdAt, expiresAt, staleUntil, tags: [...tags] }
  const payload =
    value instanceof Uint8Array
      ? value
      : utf8.encode(typeof value === 'string' ? value : JSON.stringify(value))
  const bytes = encodeEnvelope(
    { createdAt, expiresAt, staleUntil, tags, serializer: options.serializer ?? 'test', codecs: [] },
    payload,
  )
  return { value: bytes, createdAt, expiresAt, staleUntil, tags: [...tags] }
}

/**
 * A random key prefix such as `'ts-3f9a1c2e:'`, so tests sharing one backend (a Redis server, a SQLite
 * file) never see each other's keys.
 */
export function randomPrefix(label = 'ts'): string {
  return `${label}-${randomBytes(4).toString('hex')}:`
}

/** `n` bytes from a seeded xorshift generator: random-looking (incompressible) but reproducible. */
export function pseudoRandomBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/**
 * `n` bytes of JSON-like text (`[{"id":0,"name":"user-0","active":true},…`, cut at `n`): records that differ only
 * in their numbers, so they compress about as well as real API responses — far less than a repeated line.
 */
export function jsonLikeBytes(n: number): Uint8Array {
  let text = '['
  for (let i = 0; text.length < n; i++) text += `{"id":${i},"name":"user-${i}","active":true},`
  return Buffer.from(text).subarray(0, n)
}

/** Byte-wise equality of two byte arrays (views are compared by their visible bytes). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
}

/** A seeded Math.random replacement (mulberry32) so random workloads are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
