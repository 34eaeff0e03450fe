import { encodeEnvelope, type StoredEntry } from '@tierstack/core'

/** Options of `makeEntry`. Times in ms relative to now. */
export interface MakeEntryOptions {
  /** Freshness in ms from now (`Infinity`: never expires). @default 60_000 */
  ttl?: number
  /** Grace after `ttl`, in ms. @default 0 */
  grace?: number
  tags?: string[]
  /** Payload text. @default a random string */
  payload?: string
}

/** A remote-tier entry whose value is real envelope bytes, as the engine would hand it to a tier. */
export function makeEntry(options: MakeEntryOptions = {}): StoredEntry<Uint8Array> {
  const now = Date.now()
  const ttl = options.ttl ?? 60_000
  const expiresAt = now + ttl
  const staleUntil = expiresAt + (options.grace ?? 0)
  const tags = options.tags ?? []
  const payload = new TextEncoder().encode(options.payload ?? `payload-${Math.random()}`)
  const value = encodeEnvelope(
    { createdAt: now, expiresAt, staleUntil, tags, serializer: 'json', codecs: [] },
    payload,
  )
  return { value, createdAt: now, expiresAt, staleUntil, tags }
}

/** A random key segment so tests never collide. */
export function randomId(): string {
  return Math.random().toString(36).slice(2, 10)
}
