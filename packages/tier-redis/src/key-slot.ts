/**
 * Redis Cluster hash slots (CRC16/XMODEM of the key, or of its `{hash tag}`, modulo 16384), so that multi-key
 * commands are only ever sent with keys of one slot (no CROSSSLOT errors).
 */

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let crc = i << 8
  for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  TABLE[i] = crc
}

function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!
  return crc
}

function crc16Ascii(s: string): number {
  let crc = 0
  for (let i = 0; i < s.length; i++)
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!
  return crc
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range check is the point
const NON_ASCII = /[^\u0000-\u007f]/

/** The cluster slot (0–16383) of `key`, honouring `{hash tags}` exactly like Redis does. */
export function keySlot(key: string): number {
  let hashed = key
  const open = key.indexOf('{')
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) hashed = key.slice(open + 1, close)
  }
  // Redis hashes bytes: ASCII strings can be hashed char by char, anything else goes through UTF-8.
  return (NON_ASCII.test(hashed) ? crc16(Buffer.from(hashed, 'utf8')) : crc16Ascii(hashed)) & 16383
}

const OPEN = 0x7b
const CLOSE = 0x7d

/** The cluster slot of a key given as bytes (keys returned by SCAN). */
export function keySlotBytes(key: Uint8Array): number {
  const open = key.indexOf(OPEN)
  if (open !== -1) {
    const close = key.indexOf(CLOSE, open + 1)
    if (close > open + 1) return crc16(key.subarray(open + 1, close)) & 16383
  }
  return crc16(key) & 16383
}

/** Indices of `keys` grouped by slot, in first-seen order. */
export function groupBySlot(keys: readonly (string | Uint8Array)[]): number[][] {
  const groups = new Map<number, number[]>()
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const slot = typeof key === 'string' ? keySlot(key) : keySlotBytes(key)
    const group = groups.get(slot)
    if (group) group.push(i)
    else groups.set(slot, [i])
  }
  return [...groups.values()]
}
