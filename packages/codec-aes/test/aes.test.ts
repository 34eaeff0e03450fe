import { createDecipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { codecContext, codeOf, errorOf, sameBytes } from '@tierstack/test-suite'
import { aesGcm } from '../src/index.js'

const K1 = randomBytes(32)
const K2 = randomBytes(32)

/** Encrypts and returns the output with the context the engine would record. */
function seal(codec: ReturnType<typeof aesGcm>, plain: Uint8Array, key = 'ns:key') {
  const c = codecContext(key)
  const out = codec.encode(plain, c)
  return { out, param: c.param, skipped: c.skipped }
}

describe('aesGcm()', () => {
  it('aesGcm() is an encryption codec with the stable id aes-256-gcm', () => {
    const codec = aesGcm({ keys: { k1: K1 }, current: 'k1' })
    expect(codec.id).toBe('aes-256-gcm')
    expect(codec.kind).toBe('encryption')
    expect(codec.current).toBe('k1')
    expect(codec.keyIds).toEqual(['k1'])
  })

  it('encode() round-trips empty, 1-byte, random and 1 MB payloads through decode()', () => {
    const codec = aesGcm({ keys: { k1: K1 }, current: 'k1' })
    for (const plain of [new Uint8Array(0), Uint8Array.of(42), randomBytes(1000), randomBytes(1024 * 1024)]) {
      const { out, param, skipped } = seal(codec, plain)
      expect(skipped).toBe(false)
      expect(param).toBe('k1')
      expect(out.length).toBe(plain.length + 28)
      expect(sameBytes(codec.decode(out, codecContext('ns:key', param)), plain)).toBe(true)
    }
  })

  it('encode() output is nonce | ciphertext | tag, decryptable by plain node:crypto with the cache key as AAD', () => {
    const codec = aesGcm({ keys: { k1: K1 } })
    const plain = Buffer.from('hello, secret world')
    const { out } = seal(codec, plain, 'users:42')
    const decipher = createDecipheriv('aes-256-gcm', K1, out.subarray(0, 12))
    decipher.setAuthTag(out.subarray(out.length - 16))
    decipher.setAAD(Buffer.from('users:42'))
    const back = Buffer.concat([decipher.update(out.subarray(12, out.length - 16)), decipher.final()])
    expect(back.equals(plain)).toBe(true)
    expect(Buffer.from(out).includes(plain)).toBe(false)
  })

  it('encode() uses a fresh random nonce per entry (same input, different outputs)', () => {
    const codec = aesGcm({ keys: { k1: K1 } })
    const plain = Buffer.from('same value')
    const nonces = new Set<string>()
    for (let i = 0; i < 1000; i++)
      nonces.add(Buffer.from(seal(codec, plain).out.subarray(0, 12)).toString('hex'))
    expect(nonces.size).toBe(1000)
  })

  it('decode() throws E_DECODE when any single byte is tampered with', () => {
    const codec = aesGcm({ keys: { k1: K1 } })
    const { out, param } = seal(codec, randomBytes(64))
    for (let i = 0; i < out.length; i++) {
      const tampered = Buffer.from(out)
      tampered[i]! ^= 0x01
      expect(codeOf(() => codec.decode(tampered, codecContext('ns:key', param)))).toBe('E_DECODE')
    }
    expect(codeOf(() => codec.decode(out.subarray(0, out.length - 1), codecContext('ns:key', param)))).toBe(
      'E_DECODE',
    )
    expect(codeOf(() => codec.decode(out.subarray(0, 27), codecContext('ns:key', param)))).toBe('E_DECODE')
    expect(
      codeOf(() => codec.decode(Buffer.concat([out, Buffer.of(0)]), codecContext('ns:key', param))),
    ).toBe('E_DECODE')
  })

  it('decode() throws E_DECODE for an entry copied under another cache key (AAD binding)', () => {
    const codec = aesGcm({ keys: { k1: K1 } })
    const { out, param } = seal(codec, Buffer.from('{"role":"admin"}'), 'users:alice')
    expect(codeOf(() => codec.decode(out, codecContext('users:bob', param)))).toBe('E_DECODE')
    expect(codeOf(() => codec.decode(out, codecContext('other:alice', param)))).toBe('E_DECODE')
    expect(codeOf(() => codec.decode(out, codecContext('users:alice ', param)))).toBe('E_DECODE')
    expect(codec.decode(out, codecContext('users:alice', param)).toString()).toBe('{"role":"admin"}')
  })

  it('decode() reads old entries after rotation while their key is listed; new entries use current', () => {
    const before = aesGcm({ keys: { k1: K1 }, current: 'k1' })
    const old = seal(before, Buffer.from('written with k1'))
    const after = aesGcm({ keys: { k1: K1, k2: K2 }, current: 'k2' })
    expect(after.decode(old.out, codecContext('ns:key', old.param)).toString()).toBe('written with k1')
    const fresh = seal(after, Buffer.from('written with k2'))
    expect(fresh.param).toBe('k2')
    expect(after.decode(fresh.out, codecContext('ns:key', fresh.param)).toString()).toBe('written with k2')
    // A process still on the old config cannot read k2 entries: E_DECODE, which the engine treats as a miss.
    expect(codeOf(() => before.decode(fresh.out, codecContext('ns:key', fresh.param)))).toBe('E_DECODE')
  })

  it('decode() throws E_DECODE naming the key id for an entry under a removed key', () => {
    const old = seal(aesGcm({ keys: { k1: K1 } }), Buffer.from('x'))
    const codec = aesGcm({ keys: { k2: K2 } })
    const err = errorOf(() => codec.decode(old.out, codecContext('ns:key', old.param)))
    expect(isCacheError(err, 'E_DECODE')).toBe(true)
    expect((err as Error).message).toContain("'k1'")
    expect(codeOf(() => codec.decode(old.out, codecContext('ns:key', '')))).toBe('E_DECODE')
  })

  it('decode() throws E_DECODE when a different key is listed under the same id', () => {
    const old = seal(aesGcm({ keys: { k1: K1 } }), Buffer.from('x'))
    expect(
      codeOf(() => aesGcm({ keys: { k1: K2 } }).decode(old.out, codecContext('ns:key', old.param))),
    ).toBe('E_DECODE')
  })

  it('aesGcm() accepts 32-byte keys as Buffer, Uint8Array, hex, base64 and base64url, all equivalent', () => {
    const forms = [
      K1,
      new Uint8Array(K1),
      K1.toString('hex'),
      K1.toString('hex').toUpperCase(),
      K1.toString('base64'),
      K1.toString('base64url'),
      ` ${K1.toString('base64')}\n`,
    ]
    const { out, param } = seal(aesGcm({ keys: { k: K1 } }), Buffer.from('same key'))
    for (const form of forms) {
      expect(
        aesGcm({ keys: { k: form } })
          .decode(out, codecContext('ns:key', param))
          .toString(),
      ).toBe('same key')
    }
  })

  it('aesGcm() copies the key: changing the caller buffer later changes nothing', () => {
    const material = Buffer.from(K1)
    const codec = aesGcm({ keys: { k: material } })
    material.fill(0)
    const { out, param } = seal(codec, Buffer.from('x'))
    expect(
      aesGcm({ keys: { k: K1 } })
        .decode(out, codecContext('ns:key', param))
        .toString(),
    ).toBe('x')
  })

  it('aesGcm() refuses wrong-length keys with E_INVALID_OPTION naming the key id, never the key', () => {
    const cases: unknown[] = [
      randomBytes(16),
      randomBytes(33),
      new Uint8Array(0),
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('hex'),
      'not a key!',
      '',
      42,
      null,
    ]
    for (const material of cases) {
      const err = errorOf(() => aesGcm({ keys: { 'prod-2024': material as string } }))
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
      expect((err as Error).message).toContain('prod-2024')
      if (typeof material === 'string' && material.length > 0)
        expect((err as Error).message).not.toContain(material)
    }
  })

  it('aesGcm() with several keys and no current encrypts with the last key listed and reads with all', () => {
    const first = aesGcm({ keys: { k1: K1 } })
    const rotated = aesGcm({ keys: { k1: K1, k2: K2 } })
    expect(rotated.current).toBe('k2')
    const ctx = { key: 'ns:a' } as never
    const old = first.encode(new Uint8Array([1, 2, 3]), ctx)
    expect([...rotated.decode(old, { key: 'ns:a' } as never)]).toEqual([1, 2, 3])
    const fresh = rotated.encode(new Uint8Array([4, 5]), { key: 'ns:a' } as never)
    expect(() => first.decode(fresh, { key: 'ns:a' } as never)).toThrow()
  })

  it('aesGcm() validates keys, key ids and current with E_INVALID_OPTION', () => {
    const cases: [unknown, string][] = [
      [undefined, 'options'],
      [{}, 'keys'],
      [{ keys: {} }, 'keys is empty'],
      [{ keys: K1 }, 'keys'],
      [{ keys: { k1: K1 }, current: 'k9' }, "'k9'"],
      [{ keys: { 'bad id': K1 } }, "'bad id'"],
      [{ keys: { 'a:b': K1 } }, "'a:b'"],
      [{ keys: { ['x'.repeat(65)]: K1 } }, 'key id'],
    ]
    for (const [options, text] of cases) {
      const err = errorOf(() => aesGcm(options as never))
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
      expect((err as Error).message).toContain(text)
    }
  })
})
