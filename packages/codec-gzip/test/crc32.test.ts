import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { crc32, crc32Portable } from '../src/crc32.js'

describe('crc32', () => {
  it('the portable CRC-32 (Node < 20.15) matches zlib.crc32 and the check value of "123456789"', () => {
    expect(crc32Portable(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32Portable(new Uint8Array(0))).toBe(0)
    for (const n of [1, 3, 100, 4096, 100_003]) {
      const bytes = randomBytes(n)
      expect(crc32Portable(bytes)).toBe(zlib.crc32(bytes))
      expect(crc32(bytes)).toBe(zlib.crc32(bytes))
    }
    const view = randomBytes(200).subarray(17, 150)
    expect(crc32Portable(view)).toBe(zlib.crc32(view))
  })
})
