/** AES-256 key material: 32 raw bytes, or a string of 64 hex characters or of base64 (standard or URL-safe) for 32 bytes. */
export type AesKey = Uint8Array | string

/** AES-256 key length, in bytes. */
export const KEY_BYTES = 32

/** Key ids are stored in every entry's envelope and used in `TIERSTACK_AES_KEYS`, so they stay short and plain. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/
const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/** `undefined` when `id` is a valid key id, otherwise why not. */
export function keyIdProblem(id: string): string | undefined {
  return KEY_ID.test(id) ? undefined : 'key ids are 1 to 64 characters among A-Z a-z 0-9 . _ -'
}

/**
 * Turns key material into a fresh 32-byte Buffer, or returns why it cannot. Never includes the material in
 * the message.
 */
export function parseKey(material: unknown): Buffer | string {
  if (material instanceof Uint8Array) {
    if (material.length !== KEY_BYTES) return `key must be ${KEY_BYTES} bytes, got ${material.length}`
    return Buffer.from(material) // a copy: later changes to the caller's buffer do not change our key
  }
  if (typeof material !== 'string') {
    return `key must be a Uint8Array or a base64 / hex string, got ${material === null ? 'null' : typeof material}`
  }
  const text = material.trim()
  // Hex first: 64 hex characters are also valid base64 (of 48 bytes), never the other way round for 32 bytes.
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex')
  if (!BASE64.test(text)) {
    return `key must be ${KEY_BYTES} bytes as base64 or as 64 hex characters (got ${text.length} characters that are neither)`
  }
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length !== KEY_BYTES) {
    return `key must be ${KEY_BYTES} bytes, its base64 decodes to ${bytes.length} bytes (generate one with: openssl rand -base64 32)`
  }
  return bytes
}
