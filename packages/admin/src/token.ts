import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { CacheError } from '@tierstack/core'

/** Where the admin token came from. */
export type TokenSource = 'option' | 'env' | 'generated'

const MIN_TOKEN_LENGTH = 16
let warnedWeak = false

/** Resolves the token once: the option, else `TIERSTACK_ADMIN_TOKEN`, else a random 32-byte token. */
export function resolveToken(
  option: unknown,
  env: string | undefined,
): { token: string; source: TokenSource } {
  let token: string
  let source: TokenSource
  if (option !== undefined) {
    if (typeof option !== 'string' || option.trim() === '') {
      throw new CacheError(
        'E_INVALID_OPTION',
        `tierstack/admin: token must be a non-empty string, got ${typeof option === 'string' ? '""' : typeof option}`,
      )
    }
    token = option
    source = 'option'
  } else if (env !== undefined && env.trim() !== '') {
    token = env
    source = 'env'
  } else {
    return { token: randomBytes(32).toString('base64url'), source: 'generated' }
  }
  if (/\s/.test(token)) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `tierstack/admin: token (${source === 'env' ? 'TIERSTACK_ADMIN_TOKEN' : 'option token'}) must not contain whitespace`,
    )
  }
  if (token.length < MIN_TOKEN_LENGTH && !warnedWeak) {
    warnedWeak = true
    process.emitWarning(
      `tierstack/admin: the admin token is shorter than ${MIN_TOKEN_LENGTH} characters; use a long random token`,
      {
        code: 'TIERSTACK_WEAK_ADMIN_TOKEN',
      },
    )
  }
  return { token, source }
}

/**
 * Checks an `Authorization` header against the token in constant time. Both sides are hashed first so
 * neither the content nor the length of the token leaks through timing.
 */
export function checkBearer(header: string | undefined | null, tokenDigest: Buffer): boolean {
  if (typeof header !== 'string') return false
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  if (match === null || match[1] === undefined) return false
  return timingSafeEqual(digest(match[1]), tokenDigest)
}

/** SHA-256 of the token (kept instead of the token for comparisons). */
export function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}
