import { describe, expect, it } from '@jest/globals'
import { decodeEnvelope, isCacheError, type LocalTier } from '@tierstack/core'
import { bytesTier, ChaosTier, chaosTier, makeEntry, seededRandom, sleep } from '../src/index.js'
import { toyLocalTier } from './fixtures/toy-local-tier.js'

const entry = (text: string) => makeEntry('remote', text, { tags: ['t'] })

async function seeded() {
  const inner = bytesTier()
  await inner.set('a', entry('alpha'))
  await inner.set('b', entry('beta'))
  return { inner, chaos: chaosTier(inner) }
}

/** Resolves to 'pending' if `p` has not settled after a few ticks. */
async function state(p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  let s: 'resolved' | 'rejected' | 'pending' = 'pending'
  p.then(
    () => {
      s = 'resolved'
    },
    () => {
      s = 'rejected'
    },
  )
  await sleep(5)
  return s
}

describe('chaosTier', () => {
  it('chaosTier() mirrors the inner tier’s name, kind and capabilities unless a name is given', () => {
    const inner = bytesTier({ name: 'redis-ish' })
    const chaos = chaosTier(inner)
    expect(chaos).toBeInstanceOf(ChaosTier)
    expect(chaos.name).toBe('redis-ish')
    expect(chaos.kind).toBe('remote')
    expect(chaos.capabilities).toBe(inner.capabilities)
    expect(chaos.inner).toBe(inner)
    expect(chaosTier(inner, { name: 'flaky' }).name).toBe('flaky')
  })

  it('chaosTier() rejects invalid inputs with E_INVALID_OPTION', () => {
    const attempts = [
      () => chaosTier(null as never),
      () => chaosTier(bytesTier(), { name: '' }),
      () => chaosTier(bytesTier()).failRate(1.5),
      () => chaosTier(bytesTier()).slow(-1),
      () => chaosTier(bytesTier()).corrupt('some' as never),
      () => chaosTier(toyLocalTier()).corrupt(),
    ]
    for (const attempt of attempts) {
      let err: unknown
      try {
        attempt()
      } catch (e) {
        err = e
      }
      expect(isCacheError(err, 'E_INVALID_OPTION')).toBe(true)
    }
  })

  it('get() passes through to the inner tier when healthy, and calls counts every method', async () => {
    const { chaos } = await seeded()
    expect(decodeEnvelope((await chaos.get('a'))!.value as Uint8Array).payload).toEqual(
      new TextEncoder().encode('alpha'),
    )
    await chaos.getMany(['a', 'b'])
    await chaos.set('c', entry('gamma'))
    await chaos.setMany([['d', entry('delta')]])
    expect(await chaos.delete(['c'])).toBe(1)
    expect(await chaos.deleteByTag(['t'], 'd')).toBe(1)
    await chaos.clear('zzz')
    await chaos.health()
    expect(chaos.calls).toEqual({
      get: 1,
      getMany: 1,
      set: 1,
      setMany: 1,
      delete: 1,
      clear: 1,
      deleteByTag: 1,
      health: 1,
      close: 0,
    })
    chaos.resetCalls()
    expect(chaos.calls.get).toBe(0)
  })

  it('hang() keeps operations pending until heal(), which rejects them by default', async () => {
    const { chaos } = await seeded()
    chaos.hang()
    const p = chaos.get('a')
    const q = chaos.set('x', entry('x'))
    expect(await state(p)).toBe('pending')
    expect(chaos.pending).toBe(2)
    expect(chaos.calls.get).toBe(1)
    chaos.heal()
    await expect(p).rejects.toThrow(/released/)
    await expect(q).rejects.toThrow(/released/)
    expect(chaos.pending).toBe(0)
    expect(await chaos.get('x')).toBeUndefined()
    expect(await chaos.get('a')).toBeDefined()
  })

  it('hang({ resolveLate: true }) runs the hung operations against the inner tier on heal()', async () => {
    const { chaos, inner } = await seeded()
    chaos.hang({ resolveLate: true })
    const p = chaos.get('a')
    const q = chaos.set('x', entry('x'))
    expect(await state(q)).toBe('pending')
    expect(await inner.get('x')).toBeUndefined()
    chaos.heal()
    expect(await p).toBeDefined()
    await q
    expect(await inner.get('x')).toBeDefined()
  })

  it('release() settles hung operations while new ones keep hanging', async () => {
    const { chaos } = await seeded()
    chaos.hang()
    const p = chaos.get('a')
    chaos.release()
    await expect(p).rejects.toThrow(/released/)
    const q = chaos.get('a')
    expect(await state(q)).toBe('pending')
    chaos.heal()
    await expect(q).rejects.toThrow()
  })

  it('health() hangs while hung and resolves to ok: false while failing or when released', async () => {
    const { chaos } = await seeded()
    chaos.fail()
    const h = await chaos.health()
    expect(h.ok).toBe(false)
    expect(h.detail?.error).toMatch(/injected failure/)
    chaos.heal().hang()
    const p = chaos.health()
    expect(await state(p)).toBe('pending')
    chaos.heal()
    // A released probe reports the tier as down rather than throwing, like a real tier's health().
    expect((await p).ok).toBe(false)
    expect((await chaos.health()).ok).toBe(true)
  })

  it('fail() rejects every operation with the given error until heal()', async () => {
    const { chaos } = await seeded()
    const boom = new Error('ECONNREFUSED')
    chaos.fail(boom)
    await expect(chaos.get('a')).rejects.toBe(boom)
    await expect(chaos.getMany(['a'])).rejects.toBe(boom)
    await expect(chaos.set('a', entry('x'))).rejects.toBe(boom)
    await expect(chaos.delete(['a'])).rejects.toBe(boom)
    chaos.fail()
    await expect(chaos.clear('')).rejects.toThrow(/injected failure/)
    chaos.heal()
    expect(await chaos.get('a')).toBeDefined()
  })

  it('failRate() fails about that share of operations, reproducibly with a seeded random', async () => {
    const inner = bytesTier()
    const chaos = chaosTier(inner, { random: seededRandom(1) })
    chaos.failRate(0.3)
    let failures = 0
    for (let i = 0; i < 1000; i++) await chaos.get('k').catch(() => failures++)
    expect(failures).toBeGreaterThan(200)
    expect(failures).toBeLessThan(400)
    chaos.failRate(0)
    await expect(chaos.get('k')).resolves.toBeUndefined()
  })

  it('slow() delays operations by the given time', async () => {
    const { chaos } = await seeded()
    chaos.slow(60)
    const started = Date.now()
    const p = chaos.get('a')
    expect(await state(p)).toBe('pending')
    expect(await p).toBeDefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
  })

  it("corrupt() returns damaged copies: 'all' breaks the envelope, 'payload' only its last byte", async () => {
    const { chaos, inner } = await seeded()
    const good = (await inner.get('a'))!.value as Uint8Array
    chaos.corrupt()
    const bad = (await chaos.get('a'))!.value as Uint8Array
    expect(bad.length).toBe(good.length)
    expect(() => decodeEnvelope(bad)).toThrow(expect.objectContaining({ code: 'E_DECODE' }))
    const [many] = await chaos.getMany(['a'])
    expect(() => decodeEnvelope(many!.value as Uint8Array)).toThrow()
    chaos.corrupt('payload')
    const damaged = (await chaos.get('a'))!.value as Uint8Array
    const { payload } = decodeEnvelope(damaged)
    expect(new TextDecoder().decode(payload)).not.toBe('alpha')
    expect(damaged.subarray(0, -1)).toEqual(good.subarray(0, -1))
    chaos.heal()
    expect((await chaos.get('a'))!.value).toEqual(good)
    expect((await inner.get('a'))!.value).toEqual(good)
  })

  it('close() releases hung operations, fires slow timers and closes the inner tier', async () => {
    const { chaos, inner } = await seeded()
    chaos.slow(10_000)
    const slow = chaos.get('a')
    chaos.hang()
    const hung = chaos.get('a')
    chaos.fail()
    await chaos.close()
    await expect(hung).rejects.toThrow(/released/)
    // The slow call started before fail(): it runs at once instead of waiting 10 s.
    expect(await slow).toBeDefined()
    expect(chaos.calls.close).toBe(1)
    expect((await inner.health()).ok).toBe(false)
  })

  it('an inner tier that throws synchronously still gives a rejected promise', async () => {
    const inner = bytesTier()
    ;(inner as unknown as { get: () => never }).get = () => {
      throw new Error('sync boom')
    }
    const chaos = chaosTier(inner)
    await expect(chaos.get('a')).rejects.toThrow('sync boom')
  })

  it('getSync() and friends are forwarded for a local inner tier, and fail() makes them throw', async () => {
    const store = new Map<string, unknown>()
    const base = toyLocalTier()
    const local = Object.assign(base, {
      getSync: (k: string) => store.get(k),
      setSync: (k: string, e: unknown) => void store.set(k, e),
      deleteSync: (keys: string[]) => keys.filter((k) => store.delete(k)).length,
      stats: () => ({ entries: store.size, bytes: 0, evictions: 0, expirations: 0 }),
      fork: () => local,
    }) as unknown as LocalTier
    const chaos = chaosTier(local) as unknown as LocalTier & ChaosTier
    const e = makeEntry('local', { v: 1 })
    chaos.setSync('k', e)
    expect(chaos.getSync('k')).toBe(e)
    expect(chaos.stats().entries).toBe(1)
    chaos.fail()
    expect(() => chaos.getSync('k')).toThrow(/injected failure/)
    chaos.heal()
    expect(chaos.deleteSync(['k'])).toBe(1)
    expect(chaos.calls.get).toBe(2)
  })
})
