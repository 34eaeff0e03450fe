import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { isCacheError } from '@tierstack/core'
import { errorOf } from '@tierstack/test-suite'
import { aesGcm, aesKeysFromEnv } from '../src/index.js'

const A = randomBytes(32)
const B = randomBytes(32)

describe('aesKeysFromEnv()', () => {
  it('aesKeysFromEnv() parses id:key pairs (base64 and hex) with the LAST one current', () => {
    const env = { TIERSTACK_AES_KEYS: `old:${A.toString('base64')}, new:${B.toString('hex')}` }
    const { keys, current } = aesKeysFromEnv(env)
    expect(current).toBe('new')
    expect(Object.keys(keys)).toEqual(['old', 'new'])
    expect(Buffer.from(keys.old as Uint8Array).equals(A)).toBe(true)
    expect(Buffer.from(keys.new as Uint8Array).equals(B)).toBe(true)
  })

  it('aesKeysFromEnv() honours TIERSTACK_AES_CURRENT, and its result configures aesGcm()', () => {
    const env = {
      TIERSTACK_AES_KEYS: `old:${A.toString('base64')},new:${B.toString('base64')},`,
      TIERSTACK_AES_CURRENT: 'old',
    }
    const options = aesKeysFromEnv(env)
    expect(options.current).toBe('old')
    const codec = aesGcm(options)
    expect(codec.current).toBe('old')
    expect(codec.keyIds).toEqual(['old', 'new'])
  })

  it('aesKeysFromEnv() reads process.env by default', () => {
    const saved = process.env.TIERSTACK_AES_KEYS
    process.env.TIERSTACK_AES_KEYS = `only:${A.toString('hex')}`
    try {
      expect(aesKeysFromEnv().current).toBe('only')
    } finally {
      if (saved === undefined) delete process.env.TIERSTACK_AES_KEYS
      else process.env.TIERSTACK_AES_KEYS = saved
    }
  })

  it('aesKeysFromEnv() throws E_INVALID_ENV naming the variable, never the key material', () => {
    const short = randomBytes(16).toString('base64')
    const cases: [Record<string, string>, string][] = [
      [{}, 'TIERSTACK_AES_KEYS is not set'],
      [{ TIERSTACK_AES_KEYS: '  ' }, 'TIERSTACK_AES_KEYS is not set'],
      [{ TIERSTACK_AES_KEYS: ',,' }, 'TIERSTACK_AES_KEYS lists no key'],
      [{ TIERSTACK_AES_KEYS: A.toString('base64') }, 'TIERSTACK_AES_KEYS entry 1'],
      [{ TIERSTACK_AES_KEYS: `k1:${short}` }, "TIERSTACK_AES_KEYS key 'k1'"],
      [{ TIERSTACK_AES_KEYS: `k1:${A.toString('hex')},k1:${B.toString('hex')}` }, "'k1' twice"],
      [{ TIERSTACK_AES_KEYS: `bad id:${A.toString('hex')}` }, "invalid key id 'bad id'"],
      [{ TIERSTACK_AES_KEYS: `:${A.toString('hex')}` }, 'TIERSTACK_AES_KEYS entry 1'],
      [
        { TIERSTACK_AES_KEYS: `k1:${A.toString('hex')}`, TIERSTACK_AES_CURRENT: 'k2' },
        'TIERSTACK_AES_CURRENT',
      ],
    ]
    for (const [env, text] of cases) {
      const err = errorOf(() => aesKeysFromEnv(env)) as Error | undefined
      expect(isCacheError(err, 'E_INVALID_ENV')).toBe(true)
      expect(err?.message).toContain(text)
      expect(err?.message).not.toContain(short)
      expect(err?.message).not.toContain(A.toString('base64'))
      expect(err?.message).not.toContain(A.toString('hex'))
    }
  })
})
