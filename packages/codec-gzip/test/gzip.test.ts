import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import {
  codecContext,
  codeOfAsync,
  errorOf,
  errorOfAsync,
  jsonLikeBytes,
  sameBytes,
} from '@tierstack/test-suite'
import { gzip } from '../src/index.js'

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

  it('encode() leaves payloads under minBytes unchanged and sets ctx.skipped', async () => {
    const codec = gzip({ minBytes: '2kb' })
    for (const input of [new Uint8Array(0), new Uint8Array(1), jsonLikeBytes(2047)]) {
      const c = codecContext()
      expect(await codec.encode(input, c)).toBe(input)
      expect(c.skipped).toBe(true)
    }
    const c = codecContext()
    await codec.encode(jsonLikeBytes(2048), c)
    expect(c.skipped).toBe(false)
  })

  it('encode() leaves payloads that do not shrink unchanged and sets ctx.skipped', async () => {
    const input = randomBytes(4096)
    const c = codecContext()
    expect(await gzip().encode(input, c)).toBe(input)
    expect(c.skipped).toBe(true)
  })

  it('encode() with minBytes: 0 round-trips empty, 1-byte and random payloads when it does compress them', async () => {
    const codec = gzip({ minBytes: 0 })
    for (const input of [new Uint8Array(0), Uint8Array.of(7), randomBytes(1000), new Uint8Array(5000)]) {
      const c = codecContext()
      const out = await codec.encode(input, c)
      const back = c.skipped ? out : await codec.decode(out, codecContext())
      expect(sameBytes(back, input)).toBe(true)
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
    expect(await gzip({ level: 0 }).encode(input, c)).toBe(input) // stored blocks never shrink
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
    expect(await gzip({ maxDecodedBytes: 2048 }).encode(input, c)).toBe(input)
    expect(c.skipped).toBe(true)
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
})
