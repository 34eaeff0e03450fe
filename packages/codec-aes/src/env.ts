import { CacheError, parseAesKeys } from '@tierstack/core'
import type { AesGcmOptions } from './aes-gcm-codec.js'
import { keyIdProblem, parseKey } from './keys.js'

/** The variable `aesKeysFromEnv()` reads the keys from: `id1:key1,id2:key2` (base64 or hex keys). */
export const AES_KEYS_ENV = 'TIERSTACK_AES_KEYS'
/** The variable that picks the current key id; without it, the last key of `TIERSTACK_AES_KEYS` is current. */
export const AES_CURRENT_ENV = 'TIERSTACK_AES_CURRENT'

/**
 * Reads AES keys from the environment, for `aesGcm(aesKeysFromEnv())`.
 *
 * - `TIERSTACK_AES_KEYS` = `id1:key1,id2:key2,…`: each key is 32 bytes as base64 (standard or URL-safe)
 *   or as 64 hex characters; whitespace around entries is ignored. Generate a key with `openssl rand -base64 32`.
 * - `TIERSTACK_AES_CURRENT` (optional) = the id new entries are encrypted with. Without it the LAST key listed
 *   is current, so rotating is: append a new key, deploy; drop the old one once its entries have expired.
 *
 * Throws `CacheError` `E_INVALID_ENV` naming the variable (never the key material) when a variable is
 * missing or malformed.
 */
export function aesKeysFromEnv(
  env: Record<string, string | undefined> = process.env,
): Required<AesGcmOptions> {
  const raw = env[AES_KEYS_ENV]
  if (raw === undefined || raw.trim() === '') {
    throw new CacheError(
      'E_INVALID_ENV',
      `codec-aes: ${AES_KEYS_ENV} is not set (expected 'id1:base64key,id2:hexkey')`,
    )
  }
  // Syntax (ids, separators, duplicates, the current id) is core's, shared with configFromEnv().
  const parsed = parseAesKeys(raw, env[AES_CURRENT_ENV])
  const keys: Record<string, Buffer> = {}
  for (const [id, text] of Object.entries(parsed.keys)) {
    const idProblem = keyIdProblem(id)
    if (idProblem) {
      throw new CacheError(
        'E_INVALID_ENV',
        `codec-aes: ${AES_KEYS_ENV} has an invalid key id '${id}': ${idProblem}`,
      )
    }
    const key = parseKey(text)
    if (typeof key === 'string') {
      throw new CacheError('E_INVALID_ENV', `codec-aes: ${AES_KEYS_ENV} key '${id}': ${key}`)
    }
    keys[id] = key
  }
  return { keys, current: parsed.current }
}
