import { CacheError, type CacheErrorCode } from './errors.js'

/** A duration: milliseconds as a number, or a string such as `'500ms'`, `'30s'`, `'2.5h'`, `'7d'`, `'1w'`. `Infinity` / `'infinite'` mean no expiry. */
export type Duration = number | string

/** A size: bytes as a number, or a string such as `'512b'`, `'64kb'`, `'100mb'`, `'1.5gb'` (powers of 1024). */
export type ByteSize = number | string

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }
const QUANTITY = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i

/**
 * Parses a duration to milliseconds. Throws `CacheError` (code `E_INVALID_TTL` unless given) naming `what`
 * for negative, NaN or unparseable input.
 */
export function parseDuration(
  input: Duration,
  what = 'duration',
  code: CacheErrorCode = 'E_INVALID_TTL',
): number {
  if (typeof input === 'number') {
    if (Number.isNaN(input) || input < 0) {
      throw new CacheError(code, `${what} must be a non-negative number of milliseconds, got ${input}`)
    }
    return input
  }
  if (typeof input !== 'string') {
    throw new CacheError(code, `${what} must be a number of ms or a string like '30s', got ${typeof input}`)
  }
  if (/^\s*(infinite|infinity|forever)\s*$/i.test(input)) return Number.POSITIVE_INFINITY
  const m = QUANTITY.exec(input)
  const unit = DURATION_UNITS[(m?.[2] || 'ms').toLowerCase()]
  if (!m || unit === undefined) {
    throw new CacheError(
      code,
      `${what} '${input}' is not a duration (use e.g. '500ms', '30s', '5m', '2.5h', '7d')`,
    )
  }
  return Number(m[1]) * unit
}

/** Parses a size to bytes. Throws `CacheError` `E_INVALID_OPTION` naming `what` for bad input. */
export function parseBytes(input: ByteSize, what = 'size'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `${what} must be a non-negative finite number of bytes, got ${input}`,
      )
    }
    return Math.floor(input)
  }
  if (typeof input !== 'string') {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${what} must be a number of bytes or a string like '100mb', got ${typeof input}`,
    )
  }
  const m = QUANTITY.exec(input)
  const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()]
  if (!m || unit === undefined) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `${what} '${input}' is not a size (use e.g. '512kb', '100mb', '1gb')`,
    )
  }
  return Math.floor(Number(m[1]) * unit)
}
