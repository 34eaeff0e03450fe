import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { type CodecContext, isCacheError } from '@tierstack/core'
import { gzip } from '../src/index.js'

/** jest's sandbox has its own Promise, so check for a thenable rather than instanceof. */
function isPromise(x: unknown): boolean {
  return typeof (x as { then?: unknown })?.then === 'function'
}

function ctx(): CodecContext {
  return { key: 'ns:key', param: '', skipped: false }
}

function compressible(size: number): Uint8Array {
  let text = '['
  for (let i = 0; text.length < size; i++) text += `{"id":${i},"name":"user-${i}","active":true},`
  return Buffer.from(text).subarray(0, size)
}

/** Byte equality without jest's element-by-element diffing (slow on megabytes). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn()
  } catch (err) {
    return isCacheError(err) ? err.code : `not a CacheError: ${String(err)}`
  }
  return undefined
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
      const input = compressible(size)
      const c = ctx()
      const out = await codec.encode(input, c)
      expect(c.skipped).toBe(false)
      expect(out.length).toBeLessThan(input.length / 3)
      expect(same(zlib.gunzipSync(out), input)).toBe(true)
      expect(same(await codec.decode(out, ctx()), input)).toBe(true)
    }
  })

  it('encode() leaves payloads under minBytes unchanged and sets ctx.skipped', async () => {
    const codec = gzip({ minBytes: '2kb' })
    for (const input of [new Uint8Array(0), new Uint8Array(1), compressible(2047)]) {
      const c = ctx()
      expect(await codec.encode(input, c)).toBe(input)
      expect(c.skipped).toBe(true)
    }
    const c = ctx()
    await codec.encode(compressible(2048), c)
    expect(c.skipped).toBe(false)
  })

  it('encode() leaves payloads that do not shrink unchanged and sets ctx.skipped', async () => {
    const input = randomBytes(4096)
    const c = ctx()
    expect(await gzip().encode(input, c)).toBe(input)
    expect(c.skipped).toBe(true)
  })

  it('encode() with minBytes: 0 round-trips empty, 1-byte and random payloads when it does compress them', async () => {
    const codec = gzip({ minBytes: 0 })
    for (const input of [new Uint8Array(0), Uint8Array.of(7), randomBytes(1000), new Uint8Array(5000)]) {
      const c = ctx()
      const out = await codec.encode(input, c)
      const back = c.skipped ? out : await codec.decode(out, ctx())
      expect(same(back, input)).toBe(true)
    }
  })

  it('encode() accepts a Uint8Array view into a larger buffer', async () => {
    const whole = Buffer.concat([Buffer.alloc(100, 1), Buffer.from(compressible(4096)), Buffer.alloc(100, 2)])
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 100, 4096)
    const codec = gzip()
    const out = await codec.encode(view, ctx())
    expect(same(await codec.decode(out, ctx()), view)).toBe(true)
  })

  it('encode() honours level (9 is not larger than 1, 0 only stores)', async () => {
    const input = compressible(64 * 1024)
    const l1 = await gzip({ level: 1 }).encode(input, ctx())
    const l9 = await gzip({ level: 9 }).encode(input, ctx())
    expect(l9.length).toBeLessThanOrEqual(l1.length)
    const c = ctx()
    expect(await gzip({ level: 0 }).encode(input, c)).toBe(input) // stored blocks never shrink
    expect(c.skipped).toBe(true)
  })

  it('encode() and decode() use the thread pool from asyncMinBytes on, with the same output', async () => {
    const codec = gzip({ asyncMinBytes: '4kb' })
    const input = compressible(64 * 1024)
    const pending = codec.encode(input, ctx())
    expect(isPromise(pending)).toBe(true)
    const out = await pending
    expect(same(zlib.gunzipSync(out), input)).toBe(true)
    const big = Buffer.concat([out, out]) // two gzip members, >= 4 KB compressed
    const decoded = codec.decode(big, ctx())
    expect(isPromise(decoded)).toBe(true)
    expect(same(await decoded, Buffer.concat([input, input]))).toBe(true)
    expect(isPromise(codec.encode(compressible(2048), ctx()))).toBe(false)
  })

  it('decode() throws E_DECODE for garbage, truncated and corrupted input, sync and async', async () => {
    for (const codec of [gzip(), gzip({ asyncMinBytes: 0 })]) {
      const good = await codec.encode(compressible(8192), ctx())
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
      for (const input of cases) expect(await codeOf(() => codec.decode(input, ctx()))).toBe('E_DECODE')
    }
  })

  it('decode() refuses output larger than maxDecodedBytes (decompression bomb) with E_DECODE', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024)) // ~10 KB that inflates to 10 MB
    for (const codec of [
      gzip({ maxDecodedBytes: '1mb' }),
      gzip({ maxDecodedBytes: '1mb', asyncMinBytes: 0 }),
    ]) {
      let error: unknown
      try {
        await codec.decode(bomb, ctx())
      } catch (err) {
        error = err
      }
      expect(isCacheError(error, 'E_DECODE')).toBe(true)
      expect((error as Error).message).toMatch(/maxDecodedBytes/)
    }
    expect((await gzip({ maxDecodedBytes: '10mb' }).decode(bomb, ctx())).length).toBe(10 * 1024 * 1024)
  })

  it('encode() stores payloads above maxDecodedBytes uncompressed so they stay readable', async () => {
    const c = ctx()
    const input = compressible(4096)
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
      let error: unknown
      try {
        gzip(options as never)
      } catch (err) {
        error = err
      }
      expect(isCacheError(error, 'E_INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(name)
    }
    expect(gzip({ asyncMinBytes: Number.POSITIVE_INFINITY }).asyncMinBytes).toBe(Number.POSITIVE_INFINITY)
  })
})
