import { scrypt } from 'node:crypto'
import { CacheError } from '@tierstack/core'

/** Options of `aesKeyFromPassphrase()`. */
export interface PassphraseKeyOptions {
  /**
   * scrypt cost parameter N (a power of two). Each doubling doubles the time and memory of one derivation
   * (and of every guess an attacker makes). 2^17 takes about 0.3 s and 128 MiB.
   * @default 131072
   */
  cost?: number
}

/**
 * Derives a 32-byte AES key from a passphrase with scrypt (N = 2^17, r = 8, p = 1 by default): slow on
 * purpose, so a leaked entry cannot be brute-forced through a weak passphrase the way a bare SHA-256 would
 * allow. The salt is required, at least 16 bytes, and must stay the same for as long as the entries should
 * stay readable (store it next to the passphrase; it need not be secret). Derive once, at startup.
 * Prefer random keys (`openssl rand -base64 32`) when you can.
 */
export async function aesKeyFromPassphrase(
  passphrase: string,
  salt: string | Uint8Array,
  options: PassphraseKeyOptions = {},
): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new CacheError('E_INVALID_OPTION', 'codec-aes: passphrase must be a non-empty string')
  }
  const saltBytes = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt
  if (!(saltBytes instanceof Uint8Array) || saltBytes.length < 16) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `codec-aes: salt must be at least 16 bytes, got ${saltBytes?.length ?? typeof salt}`,
    )
  }
  const { cost = 2 ** 17 } = options
  if (!Number.isInteger(cost) || cost < 2 ** 14 || (cost & (cost - 1)) !== 0) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `codec-aes: option cost must be a power of two of at least 16384, got ${String(cost)}`,
    )
  }
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128 * N * r bytes; leave headroom above that.
    scrypt(passphrase, saltBytes, 32, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 }, (err, key) => {
      if (err)
        reject(new CacheError('E_INVALID_OPTION', `codec-aes: scrypt failed: ${err.message}`, { cause: err }))
      else resolve(key)
    })
  })
}
