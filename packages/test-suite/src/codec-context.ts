import type { CodecContext } from '@tierstack/core'

/**
 * A fresh `CodecContext` as the engine passes it: to `encode()` with `param: ''` and `skipped: false` (the
 * codec fills both in), to `decode()` with the `param` recorded at encode time.
 *
 * @example
 *   const c = codecContext()
 *   const out = codec.encode(bytes, c)
 *   const back = codec.decode(out, codecContext('ns:key', c.param))
 */
export function codecContext(key = 'ns:key', param = ''): CodecContext {
  return { key, param, skipped: false }
}
