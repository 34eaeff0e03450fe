import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { type CodecContext, isCacheError } from '@tierstack/core'
import {
  codecContext,
  codeOfAsync,
  errorOf,
  errorOfAsync,
  jsonLikeBytes,
  sameBytes,
} from '@tierstack/test-suite'
import { type GzipCodec, gzip } from '../src/index.js'

/** The stored frame of `payload`: 0x00, the payload's CRC-32 (little-endian), then the payload as it is. */
function storedFrame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32LE(zlib.crc32(payload), 1)
  return Buffer.concat([head, payload])
}

/** jest's sandbox has its own Promise, so check for a thenable rather than instanceof. */
function isPromise(x: unknown): boolean {
  return typeof (x as { then?: unknown })?.then === 'function'
}

describe('gzip()', () => {
  it('gzip() is a compression codec with the stable id gzip and documented defaults', () => {
    const codec = gzip()
    expect(codec.id).toBe('gzip')
    expect(codec.kind).toBe('compression')
    expect(codec.level).toBe(6)
    expect(codec.minBytes).toBe(1024)
    expect(codec.maxDecodedBytes).toBe(512 * 1024 * 1024)
    expect(codec.asyncMinBytes).toBe(2 * 1024 * 1024)
  })

  it('encode() compresses a compressible payload into standard gzip that decode() restores', async () => {
    const codec = gzip()
    for (const size of [1024, 64 * 1024, 1024 * 1024]) {
      const input = jsonLikeBytes(size)
      const c = codecContext()
      const out = await codec.encode(input, c)
      expect(c.skipped).toBe(false)
      expect(out.length).toBeLessThan(input.length / 3)
      expect(sameBytes(zlib.gunzipSync(out), input)).toBe(true)
      expect(sameBytes(await codec.decode(out, codecContext()), input)).toBe(true)
    }
  })

  it('encode() stores payloads under minBytes framed (0x00, CRC-32, payload) and sets ctx.skipped', async () => {
    const codec = gzip({ minBytes: '2kb' })
    for (const input of [new Uint8Array(0), new Uint8Array(1), jsonLikeBytes(2047)]) {
      const c = codecContext()
      expect(sameBytes(await codec.encode(input, c), storedFrame(input))).toBe(true)
      expect(c.skipped).toBe(true)
    }
    const c = codecContext()
    await codec.encode(jsonLikeBytes(2048), c)
    expect(c.skipped).toBe(false)
  })

  it('encode() stores payloads that do not shrink framed and sets ctx.skipped, sync and async', async () => {
    for (const codec of [gzip(), gzip({ asyncMinBytes: 0 })]) {
      const input = randomBytes(4096)
      const c = codecContext()
      const out = await codec.encode(input, c)
      expect(sameBytes(out, storedFrame(input))).toBe(true)
      expect(c.skipped).toBe(true)
      expect(sameBytes(await codec.decode(out, codecContext()), input)).toBe(true)
    }
  })

  it('encode() with minBytes: 0 round-trips empty, 1-byte, random and compressible payloads', async () => {
    const codec = gzip({ minBytes: 0 })
    for (const input of [new Uint8Array(0), Uint8Array.of(7), randomBytes(1000), new Uint8Array(5000)]) {
      const c = codecContext()
      const out = await codec.encode(input, c)
      expect(c.skipped).toBe(input.length < 5000)
      expect(sameBytes(await codec.decode(out, codecContext()), input)).toBe(true)
    }
  })

  it('encode() accepts a Uint8Array view into a larger buffer', async () => {
    const whole = Buffer.concat([
      Buffer.alloc(100, 1),
      Buffer.from(jsonLikeBytes(4096)),
      Buffer.alloc(100, 2),
    ])
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 100, 4096)
    const codec = gzip()
    const out = await codec.encode(view, codecContext())
    expect(sameBytes(await codec.decode(out, codecContext()), view)).toBe(true)
  })

  it('encode() honours level (9 is not larger than 1, 0 only stores)', async () => {
    const input = jsonLikeBytes(64 * 1024)
    const l1 = await gzip({ level: 1 }).encode(input, codecContext())
    const l9 = await gzip({ level: 9 }).encode(input, codecContext())
    expect(l9.length).toBeLessThanOrEqual(l1.length)
    const c = codecContext()
    const stored = await gzip({ level: 0 }).encode(input, c) // stored blocks never shrink
    expect(sameBytes(stored, storedFrame(input))).toBe(true)
    expect(c.skipped).toBe(true)
  })

  it('encode() and decode() use the thread pool from asyncMinBytes on, with the same output', async () => {
    const codec = gzip({ asyncMinBytes: '4kb' })
    const input = jsonLikeBytes(64 * 1024)
    const pending = codec.encode(input, codecContext())
    expect(isPromise(pending)).toBe(true)
    const out = await pending
    expect(sameBytes(zlib.gunzipSync(out), input)).toBe(true)
    const big = Buffer.concat([out, out]) // two gzip members, >= 4 KB compressed
    const decoded = codec.decode(big, codecContext())
    expect(isPromise(decoded)).toBe(true)
    expect(sameBytes(await decoded, Buffer.concat([input, input]))).toBe(true)
    expect(isPromise(codec.encode(jsonLikeBytes(2048), codecContext()))).toBe(false)
  })

  it('decode() throws E_DECODE for garbage, truncated and corrupted input, sync and async', async () => {
    for (const codec of [gzip(), gzip({ asyncMinBytes: 0 })]) {
      const good = await codec.encode(jsonLikeBytes(8192), codecContext())
      const flipped = Buffer.from(good)
      flipped[flipped.length - 6]! ^= 1 // the CRC-32 catches it
      const cases = [
        new Uint8Array(0),
        Uint8Array.of(0x1f),
        randomBytes(100),
        good.subarray(0, good.length - 1),
        good.subarray(0, 30),
        flipped,
        Buffer.concat([good, Buffer.from([1, 2, 3])]),
      ]
      for (const input of cases)
        expect(await codeOfAsync(() => codec.decode(input, codecContext()))).toBe('E_DECODE')
    }
  })

  it('decode() refuses output larger than maxDecodedBytes (decompression bomb) with E_DECODE', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024)) // ~10 KB that inflates to 10 MB
    for (const codec of [
      gzip({ maxDecodedBytes: '1mb' }),
      gzip({ maxDecodedBytes: '1mb', asyncMinBytes: 0 }),
    ]) {
      const error = await errorOfAsync(() => codec.decode(bomb, codecContext()))
      expect(isCacheError(error, 'E_DECODE')).toBe(true)
      expect((error as Error).message).toMatch(/maxDecodedBytes/)
    }
    expect((await gzip({ maxDecodedBytes: '10mb' }).decode(bomb, codecContext())).length).toBe(
      10 * 1024 * 1024,
    )
  })

  it('encode() stores payloads above maxDecodedBytes uncompressed so they stay readable', async () => {
    const c = codecContext()
    const input = jsonLikeBytes(4096)
    const codec = gzip({ maxDecodedBytes: 2048 })
    const out = await codec.encode(input, c)
    expect(sameBytes(out, storedFrame(input))).toBe(true)
    expect(c.skipped).toBe(true)
    // Stored bytes cannot expand, so the bomb guard does not apply to them.
    expect(sameBytes(await codec.decode(out), input)).toBe(true)
  })

  it('gzip() rejects invalid options with E_INVALID_OPTION naming the option', async () => {
    const cases: [unknown, string][] = [
      [{ level: 10 }, 'level'],
      [{ level: -1 }, 'level'],
      [{ level: 1.5 }, 'level'],
      [{ minBytes: -1 }, 'minBytes'],
      [{ minBytes: 'lots' }, 'minBytes'],
      [{ maxDecodedBytes: 0 }, 'maxDecodedBytes'],
      [{ maxDecodedBytes: Number.NaN }, 'maxDecodedBytes'],
      [{ asyncMinBytes: -5 }, 'asyncMinBytes'],
      [null, 'options'],
    ]
    for (const [options, name] of cases) {
      const error = errorOf(() => gzip(options as never))
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(name)
    }
    expect(gzip({ asyncMinBytes: Number.POSITIVE_INFINITY }).asyncMinBytes).toBe(Number.POSITIVE_INFINITY)
  })

  describe('self-describing output (DESIGN.md §2: a context carries only the key)', () => {
    const small = jsonLikeBytes(100)
    const payloads: [string, Uint8Array][] = [
      ['an empty payload', new Uint8Array(0)],
      ['a small payload (under minBytes)', small],
      ['a payload of minBytes − 1', jsonLikeBytes(1023)],
      ['a large payload', jsonLikeBytes(64 * 1024)],
      ['a large random payload (does not shrink)', randomBytes(8192)],
    ]
    const codecs: [string, () => GzipCodec][] = [
      ['sync', () => gzip()],
      ['thread pool', () => gzip({ asyncMinBytes: 0 })],
    ]

    for (const [mode, make] of codecs) {
      it.each(payloads)(`decode() restores %s with fresh { key } contexts (${mode})`, async (_, input) => {
        const out = await make().encode(input, { key: 'ns:a' } as CodecContext)
        // A decoder that never saw the encode (another process, same options).
        expect(sameBytes(await make().decode(out, { key: 'ns:a' } as CodecContext), input)).toBe(true)
      })

      it.each(payloads)(`encode() and decode() of %s need no context at all (${mode})`, async (_, input) => {
        const codec = make() as unknown as {
          encode(b: Uint8Array): Uint8Array | Promise<Uint8Array>
          decode(b: Uint8Array): Uint8Array | Promise<Uint8Array>
        }
        const out = await codec.encode(input)
        expect(sameBytes(await codec.decode(out), input)).toBe(true)
      })
    }

    it('compressed output is still a plain gzip member (starts with 0x1f 0x8b)', async () => {
      const out = await gzip().encode(jsonLikeBytes(64 * 1024))
      expect([out[0], out[1]]).toEqual([0x1f, 0x8b])
    })

    it('decode() refuses a stored frame with a damaged marker, CRC or payload with E_DECODE', async () => {
      const codec = gzip()
      const out = await codec.encode(small, codecContext())
      expect(out[0]).toBe(0x00)
      // One bit in every byte of the frame: the marker, the CRC and the payload are all checked.
      for (let at = 0; at < out.length; at++) {
        const damaged = Buffer.from(out)
        damaged[at]! ^= 1 << (at % 8)
        expect([at, await codeOfAsync(() => codec.decode(damaged))]).toEqual([at, 'E_DECODE'])
      }
      for (const marker of [0x01, 0x1e, 0xff]) {
        const damaged = Buffer.from(out)
        damaged[0] = marker
        expect(await codeOfAsync(() => codec.decode(damaged))).toBe('E_DECODE')
      }
      for (const n of [1, 4])
        expect(await codeOfAsync(() => codec.decode(out.subarray(0, n)))).toBe('E_DECODE')
      expect(await codeOfAsync(() => codec.decode(out.subarray(0, out.length - 1)))).toBe('E_DECODE')
    })

    it('decode() without a context refuses garbage with E_DECODE, keeping the cause of a zlib failure', async () => {
      const codec = gzip() as unknown as { decode(b: unknown): Uint8Array | Promise<Uint8Array> }
      for (const input of [undefined, 'text', new Uint8Array(64), randomBytes(64)]) {
        expect(await codeOfAsync(() => codec.decode(input))).toBe('E_DECODE')
      }
      const good = zlib.gzipSync(jsonLikeBytes(4096))
      const error = await errorOfAsync(() => codec.decode(good.subarray(0, 40)))
      expect(isCacheError(error, 'E_DECODE')).toBe(true)
      const cause = (error as Error).cause as Error | undefined
      expect(cause?.message).toEqual(expect.any(String))
      expect((error as Error).message).toContain(cause!.message)
    })
  })
})
