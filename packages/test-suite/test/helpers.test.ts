import { existsSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { CacheError } from '@tierstack/core'
import {
  codecContext,
  codeOf,
  codeOfAsync,
  errorOf,
  errorOfAsync,
  fuzzBytes,
  hexPreview,
  jsonLikeBytes,
  sameBytes,
  testScope,
} from '../src/index.js'

describe('fuzzBytes()', () => {
  const corpus = [new Uint8Array(200).fill(7), Uint8Array.from({ length: 50 }, (_, i) => i)]

  it('fuzzBytes() yields count inputs, the same ones for the same seed and other ones for another', () => {
    const a = [...fuzzBytes(corpus, { count: 500, seed: 1 })]
    const b = [...fuzzBytes(corpus, { count: 500, seed: 1 })]
    const c = [...fuzzBytes(corpus, { count: 500, seed: 2 })]
    expect(a).toHaveLength(500)
    expect(a.map((x) => x.index)).toEqual(Array.from({ length: 500 }, (_, i) => i))
    expect(a.every((x, i) => sameBytes(x.bytes, b[i]!.bytes) && x.from === b[i]!.from)).toBe(true)
    expect(a.filter((x, i) => !sameBytes(x.bytes, c[i]!.bytes)).length).toBeGreaterThan(400)
  })

  it('fuzzBytes() alternates random inputs and mutated copies of every corpus entry', () => {
    const inputs = [...fuzzBytes(corpus, { count: 1000, seed: 3, maxRandomBytes: 64 })]
    const random = inputs.filter((x) => x.from === undefined)
    const mutated = inputs.filter((x) => x.from !== undefined)
    expect(random.map((x) => x.index % 2)).toEqual(random.map(() => 0))
    expect(mutated.map((x) => x.index % 2)).toEqual(mutated.map(() => 1))
    expect(random.every((x) => x.bytes.length < 64)).toBe(true)
    expect(new Set(mutated.map((x) => x.from))).toEqual(new Set([0, 1]))
    // Mutated inputs keep most of their base (1–4 bytes changed) unless cut short, and never equal it.
    for (const x of mutated) {
      const base = corpus[x.from!]!
      expect(x.bytes.length).toBeLessThanOrEqual(base.length)
      expect(sameBytes(x.bytes, base)).toBe(false)
      let diff = 0
      for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== base[i]) diff++
      expect(diff).toBeLessThanOrEqual(4)
    }
    const cut = mutated.filter((x) => x.bytes.length < corpus[x.from!]!.length).length
    expect(cut / mutated.length).toBeGreaterThan(0.2)
    expect(cut / mutated.length).toBeLessThan(0.4)
    // A third of the random inputs start with a corpus prefix (here: 7s, or 0, 1, 2, …).
    const prefixed = random.filter(
      (x) =>
        x.bytes.length >= 2 &&
        ((x.bytes[0] === 7 && x.bytes[1] === 7) || (x.bytes[0] === 0 && x.bytes[1] === 1)),
    )
    expect(prefixed.length).toBeGreaterThan(random.length / 5)
  })

  it('fuzzBytes() with an empty corpus yields only random inputs', () => {
    const inputs = [...fuzzBytes([], { count: 100, seed: 4 })]
    expect(inputs).toHaveLength(100)
    expect(inputs.every((x) => x.from === undefined)).toBe(true)
  })

  it('hexPreview() shows the first bytes as hex and marks a cut', () => {
    expect(hexPreview(Uint8Array.of(0, 255, 16))).toBe('00ff10')
    expect(hexPreview(new Uint8Array(40), 4)).toBe('00000000…')
    expect(hexPreview(new Uint8Array(10).subarray(2, 4))).toBe('0000')
  })
})

describe('errorOf() and codeOf()', () => {
  const boom = new CacheError('E_DECODE', 'boom')

  it('errorOf() returns what a function throws, undefined when it returns, and does not await', () => {
    expect(
      errorOf(() => {
        throw boom
      }),
    ).toBe(boom)
    expect(errorOf(() => 1)).toBeUndefined()
    const rejected = Promise.reject(boom)
    rejected.catch(() => undefined)
    expect(errorOf(() => rejected)).toBeUndefined()
  })

  it('errorOfAsync() returns a throw or a rejection', async () => {
    expect(await errorOfAsync(() => Promise.reject(boom))).toBe(boom)
    expect(
      await errorOfAsync(() => {
        throw boom
      }),
    ).toBe(boom)
    expect(await errorOfAsync(async () => 1)).toBeUndefined()
  })

  it('codeOf() and codeOfAsync() give the CacheError code, undefined, or the foreign error', async () => {
    expect(
      codeOf(() => {
        throw boom
      }),
    ).toBe('E_DECODE')
    expect(codeOf(() => 1)).toBeUndefined()
    expect(
      codeOf(() => {
        throw new TypeError('nope')
      }),
    ).toBe('not a CacheError: TypeError: nope')
    expect(await codeOfAsync(() => Promise.reject(boom))).toBe('E_DECODE')
    expect(await codeOfAsync(() => Promise.reject(new Error('x')))).toBe('not a CacheError: Error: x')
  })
})

describe('codecContext() and jsonLikeBytes()', () => {
  it('codecContext() builds a fresh context with the given key and param', () => {
    expect(codecContext()).toEqual({ key: 'ns:key', param: '', skipped: false })
    expect(codecContext('a:b', 'k1')).toEqual({ key: 'a:b', param: 'k1', skipped: false })
    expect(codecContext()).not.toBe(codecContext())
  })

  it('jsonLikeBytes() returns n bytes of JSON-like records', () => {
    const bytes = jsonLikeBytes(100)
    expect(bytes).toHaveLength(100)
    expect(Buffer.from(bytes).toString().startsWith('[{"id":0,"name":"user-0","active":true},{"id":1')).toBe(
      true,
    )
    expect(jsonLikeBytes(0)).toHaveLength(0)
  })
})

describe('testScope()', () => {
  const scope = testScope('scope-test-')
  const log: string[] = []
  const dirs: string[] = []

  it('testScope() gives each test its own directory, and closes tracked resources after deferred work', () => {
    expect(existsSync(scope.dir)).toBe(true)
    dirs.push(scope.dir)
    writeFileSync(scope.path('a.txt'), 'x')
    expect(dirname(scope.path())).toBe(scope.dir)
    expect(scope.path()).not.toBe(scope.path())
    const resource = { close: async () => void log.push('close 1') }
    expect(scope.track(resource)).toBe(resource)
    scope.track({ close: () => void log.push('close 2') })
    scope.defer(() => void log.push('deferred'))
  })

  it('testScope() released the previous test: deferred, then closed in order, then the directory removed', () => {
    expect(log).toEqual(['deferred', 'close 1', 'close 2'])
    expect(existsSync(dirs[0]!)).toBe(false)
    expect(scope.dir).not.toBe(dirs[0])
  })

  afterAll(() => {
    expect(() => scope.dir).toThrow(/only available while a test runs/)
  })
})
