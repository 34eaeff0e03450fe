import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { type CodecContext, isCacheError } from '@tierstack/core'
import { codecContext, codeOf, errorOf, jsonLikeBytes, sameBytes } from '@tierstack/test-suite'
import { compressSync, uncompressSync } from 'lz4-napi'
import { lz4 } from '../src/index.js'

/** The stored frame of `payload`: a header declaring 0 decoded bytes, then the payload as it is. */
function storedFrame(payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.alloc(4), payload])
}

/** An lz4-napi block claiming `declared` decoded bytes. */
function withHeader(declared: number, body: number[]): Buffer {
  const out = Buffer.alloc(4 + body.length)
  out.writeUInt32LE(declared, 0)
  out.set(body, 4)
  return out
}

describe('lz4()', () => {
  it('lz4() is a compression codec with the stable id lz4 and documented defaults', () => {
    const codec = lz4()
    expect(codec.id).toBe('lz4')
    expect(codec.kind).toBe('compression')
    expect(codec.minBytes).toBe(1024)
    expect(codec.maxDecodedBytes).toBe(512 * 1024 * 1024)
  })

  it('encode() compresses a compressible payload into an lz4-napi block that decode() restores', () => {
    const codec = lz4()
    for (const size of [1024, 64 * 1024, 1024 * 1024]) {
      const input = jsonLikeBytes(size)
      const c = codecContext()
      const out = codec.encode(input, c)
      expect(c.skipped).toBe(false)
      expect(out.length).toBeLessThan(input.length / 2)
      expect(sameBytes(uncompressSync(out), input)).toBe(true)
      expect(sameBytes(codec.decode(out, codecContext()), input)).toBe(true)
    }
  })

  it('decode() reads blocks written by lz4-napi directly', () => {
    const input = jsonLikeBytes(10_000)
    expect(sameBytes(lz4().decode(compressSync(Buffer.from(input)), codecContext()), input)).toBe(true)
  })

  it('encode() stores payloads under minBytes behind a header declaring 0 and sets ctx.skipped', () => {
    const codec = lz4({ minBytes: '2kb' })
    for (const input of [new Uint8Array(0), new Uint8Array(1), jsonLikeBytes(2047)]) {
      const c = codecContext()
      expect(sameBytes(codec.encode(input, c), storedFrame(input))).toBe(true)
      expect(c.skipped).toBe(true)
    }
    const c = codecContext()
    codec.encode(jsonLikeBytes(2048), c)
    expect(c.skipped).toBe(false)
  })

  it('encode() stores payloads that do not shrink behind a header declaring 0 and sets ctx.skipped', () => {
    const input = randomBytes(4096)
    const c = codecContext()
    const out = lz4().encode(input, c)
    expect(sameBytes(out, storedFrame(input))).toBe(true)
    expect(c.skipped).toBe(true)
    expect(sameBytes(lz4().decode(out, codecContext()), input)).toBe(true)
  })

  it('encode() with minBytes: 0 round-trips empty, 1-byte, random and compressible payloads', () => {
    const codec = lz4({ minBytes: 0 })
    for (const input of [new Uint8Array(0), Uint8Array.of(7), randomBytes(1000), new Uint8Array(5000)]) {
      const c = codecContext()
      const out = codec.encode(input, c)
      // An empty payload never shrinks, so no compressed block declares 0: the stored header is unambiguous.
      expect(c.skipped).toBe(input.length < 5000)
      expect(sameBytes(codec.decode(out, codecContext()), input)).toBe(true)
    }
  })

  it('encode() accepts a Uint8Array view into a larger buffer', () => {
    const whole = Buffer.concat([
      Buffer.alloc(100, 1),
      Buffer.from(jsonLikeBytes(4096)),
      Buffer.alloc(100, 2),
    ])
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 100, 4096)
    const codec = lz4()
    expect(sameBytes(codec.decode(codec.encode(view, codecContext()), codecContext()), view)).toBe(true)
  })

  it('decode() accepts the most compressible inputs (the ratio guard is not too tight)', () => {
    const codec = lz4({ minBytes: 0 })
    for (const size of [16, 1000, 65_536, 1_000_003, 16 * 1024 * 1024]) {
      for (const fill of [0, 0x61]) {
        const input = Buffer.alloc(size, fill)
        const c = codecContext()
        const out = codec.encode(input, c)
        expect(c.skipped).toBe(false)
        expect(sameBytes(codec.decode(out, codecContext()), input)).toBe(true)
      }
    }
  })

  it('decode() throws E_DECODE for garbage, truncated and corrupted input', () => {
    const codec = lz4()
    const good = codec.encode(jsonLikeBytes(8192), codecContext())
    const cases = [
      new Uint8Array(0),
      Uint8Array.of(0, 0, 0), // shorter than the header
      Uint8Array.of(1, 0, 0, 0),
      randomBytes(100),
      good.subarray(0, good.length - 1),
      good.subarray(0, 30),
      withHeader(8192, [...good.subarray(4, good.length - 1)]),
      withHeader(9000, [...good.subarray(4)]), // header longer than the block
      withHeader(100, [...good.subarray(4)]), // header shorter than the block
    ]
    for (const input of cases) expect(codeOf(() => codec.decode(input, codecContext()))).toBe('E_DECODE')
  })

  it('decode() refuses a declared length above maxDecodedBytes before allocating', () => {
    const codec = lz4({ maxDecodedBytes: '1mb' })
    const error = errorOf(() => codec.decode(withHeader(0x7fffffff, [0]), codecContext()))
    expect(isCacheError(error, 'E_DECODE')).toBe(true)
    expect((error as Error).message).toMatch(/maxDecodedBytes/)
    // The real thing: 2 MB of zeros is a ~8 KB block, refused by a 1 MB cap, accepted by a 4 MB one.
    const bomb = compressSync(Buffer.alloc(2 * 1024 * 1024))
    expect(codeOf(() => codec.decode(bomb, codecContext()))).toBe('E_DECODE')
    expect(lz4({ maxDecodedBytes: '4mb' }).decode(bomb, codecContext()).length).toBe(2 * 1024 * 1024)
  })

  it('decode() refuses a declared length no LZ4 block of that size can produce', () => {
    // 1 GB from 5 bytes: under the default cap, but impossible (LZ4 expands at most ~255×).
    expect(codeOf(() => lz4().decode(withHeader(1 << 30, [0x1f, 0, 1, 0, 0]), codecContext()))).toBe(
      'E_DECODE',
    )
  })

  it('encode() stores payloads above maxDecodedBytes uncompressed so they stay readable', () => {
    const c = codecContext()
    const input = jsonLikeBytes(4096)
    const codec = lz4({ maxDecodedBytes: 2048 })
    const out = codec.encode(input, c)
    expect(sameBytes(out, storedFrame(input))).toBe(true)
    expect(c.skipped).toBe(true)
    // Stored bytes cannot expand, so the bomb guard does not apply to them.
    expect(sameBytes(codec.decode(out), input)).toBe(true)
  })

  it('lz4() rejects invalid options with E_INVALID_OPTION naming the option', () => {
    const cases: [unknown, string][] = [
      [{ minBytes: -1 }, 'minBytes'],
      [{ minBytes: 'lots' }, 'minBytes'],
      [{ maxDecodedBytes: 0 }, 'maxDecodedBytes'],
      [{ maxDecodedBytes: '8gb' }, 'maxDecodedBytes'],
      [{ maxDecodedBytes: Number.NaN }, 'maxDecodedBytes'],
      [null, 'options'],
    ]
    for (const [options, name] of cases) {
      const error = errorOf(() => lz4(options as never))
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(name)
    }
  })

  describe('self-describing output (DESIGN.md §2: a context carries only the key)', () => {
    const small = jsonLikeBytes(100)
    const large = jsonLikeBytes(64 * 1024)
    const payloads: [string, Uint8Array][] = [
      ['an empty payload', new Uint8Array(0)],
      ['a small payload (under minBytes)', small],
      ['a payload of minBytes − 1', jsonLikeBytes(1023)],
      ['a large payload', large],
      ['a large random payload (does not shrink)', randomBytes(8192)],
    ]

    it.each(payloads)('decode() restores %s with fresh { key } contexts', (_, input) => {
      const codec = lz4()
      const out = codec.encode(input, { key: 'ns:a' } as CodecContext)
      expect(sameBytes(codec.decode(out, { key: 'ns:a' } as CodecContext), input)).toBe(true)
      // And a decoder that never saw the encode (another process, same options).
      expect(sameBytes(lz4().decode(out, codecContext('ns:a')), input)).toBe(true)
    })

    it.each(payloads)('encode() and decode() of %s need no context at all', (_, input) => {
      const codec = lz4() as { encode(b: Uint8Array): Uint8Array; decode(b: Uint8Array): Uint8Array }
      const out = codec.encode(input)
      expect(sameBytes(codec.decode(out), input)).toBe(true)
    })

    it('decode() of a stored payload returns a view of the input, not a copy, and leaves the input alone', () => {
      const out = lz4().encode(small, codecContext())
      const before = Buffer.from(out)
      const back = lz4().decode(out)
      expect(back.buffer).toBe(out.buffer)
      expect(back.byteOffset).toBe(out.byteOffset + 4)
      expect(Buffer.from(out).equals(before)).toBe(true)
    })

    it('decode() refuses a stored frame whose header was damaged with E_DECODE', () => {
      const codec = lz4()
      const out = codec.encode(small, codecContext())
      // Each single-bit flip makes the header declare 1 to 2^31 bytes that the raw payload is no block of.
      for (let bit = 0; bit < 32; bit++) {
        const damaged = Buffer.from(out)
        damaged[bit >> 3]! ^= 1 << (bit & 7)
        expect([bit, codeOf(() => codec.decode(damaged))]).toEqual([bit, 'E_DECODE'])
      }
      expect(codeOf(() => codec.decode(out.subarray(0, 3)))).toBe('E_DECODE')
      expect(codeOf(() => codec.decode(Uint8Array.of(0xff, 0, 0, 0)))).toBe('E_DECODE')
    })

    it('decode() without a context refuses garbage with E_DECODE, keeping the cause of a native failure', () => {
      const codec = lz4() as { decode(b: unknown): Uint8Array }
      for (const input of [undefined, 'text', new Uint8Array(2), randomBytes(64)]) {
        expect(codeOf(() => codec.decode(input))).toBe('E_DECODE')
      }
      // A header that fits the block but a block lz4 cannot parse: lz4-napi's error is kept as the cause.
      const error = errorOf(() => codec.decode(withHeader(100, [0xf0, 0xff, 0xff, 0xff, 0xff])))
      expect(isCacheError(error, 'E_DECODE')).toBe(true)
      const cause = (error as Error).cause as Error | undefined
      expect(cause?.message).toEqual(expect.any(String))
      expect((error as Error).message).toContain(cause!.message)
    })
  })
})
