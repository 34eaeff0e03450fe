import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { errorOfAsync } from '@tierstack/test-suite'
import { aesGcm, aesKeyFromPassphrase } from '../src/index.js'

describe('aesKeyFromPassphrase()', () => {
  const salt = 'tierstack-test-salt-0001'

  it('aesKeyFromPassphrase() derives a stable 32-byte key with scrypt, different per salt and passphrase', async () => {
    const a = await aesKeyFromPassphrase('correct horse battery staple', salt, { cost: 2 ** 14 })
    const again = await aesKeyFromPassphrase('correct horse battery staple', salt, { cost: 2 ** 14 })
    const otherSalt = await aesKeyFromPassphrase('correct horse battery staple', `${salt}x`, {
      cost: 2 ** 14,
    })
    const otherPass = await aesKeyFromPassphrase('correct horse battery stapler', salt, { cost: 2 ** 14 })
    expect(a).toHaveLength(32)
    expect(a.equals(again)).toBe(true)
    expect(a.equals(otherSalt)).toBe(false)
    expect(a.equals(otherPass)).toBe(false)
    expect(aesGcm({ keys: { p: a } }).current).toBe('p')
  })

  it('aesKeyFromPassphrase() requires a passphrase, a salt of 16+ bytes and a power-of-two cost', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => aesKeyFromPassphrase('', salt), 'passphrase'],
      [() => aesKeyFromPassphrase('pw', 'short'), 'salt'],
      [() => aesKeyFromPassphrase('pw', new Uint8Array(8)), 'salt'],
      [() => aesKeyFromPassphrase('pw', salt, { cost: 1000 }), 'cost'],
      [() => aesKeyFromPassphrase('pw', salt, { cost: 2 ** 10 }), 'cost'],
    ]
    for (const [fn, text] of cases) {
      const err = (await errorOfAsync(fn)) as Error | undefined
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
      expect(err?.message).toContain(text)
    }
  })
})
