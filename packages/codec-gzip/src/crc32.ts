import zlib from 'node:zlib'

let table: Uint32Array | undefined

/**
 * CRC-32 (IEEE, as in gzip) in JavaScript: the fallback for Node before 20.15, which has no `zlib.crc32`.
 * Exported for tests; the package entry point does not re-export it.
 */
export function crc32Portable(bytes: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c >>> 0
    }
  }
  const t = table
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** CRC-32 of `bytes`: zlib's native one when there is one (Node ≥ 20.15; 10–14× faster from 1 KB on). */
export const crc32: (bytes: Uint8Array) => number =
  typeof zlib.crc32 === 'function' ? (bytes) => zlib.crc32(bytes) >>> 0 : crc32Portable
