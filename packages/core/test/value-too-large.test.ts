import { describe, expect, it } from '@jest/globals'
import {
  CacheError,
  createCache,
  isCacheError,
  memoryTier,
  type StoredEntry,
  type Tier,
} from '@tierstack/core'
import { BytesTier, bytesTier } from '@tierstack/test-suite'

/** A remote tier that declares a per-entry cap, as sqliteTier does. */
function cappedTier(cap: number): Tier {
  return Object.assign(bytesTier({ name: 'capped' }), { maxEntryBytes: cap })
}

/** A remote tier that refuses big entries from set() without declaring its cap. */
class RefusingTier extends BytesTier {
  override async set(key: string, entry: StoredEntry): Promise<void> {
    if ((entry.value as Uint8Array).byteLength > 300) {
      throw new CacheError('E_VALUE_TOO_LARGE', `entry for ${key} is too large`)
    }
    return super.set(key, entry)
  }
}

describe('a value over a remote tier’s maxEntryBytes', () => {
  it('set() rejects with E_VALUE_TOO_LARGE at the call and writes nothing anywhere', async () => {
    const mem = memoryTier()
    const remote = cappedTier(400)
    const cache = createCache({ tiers: [mem, remote] })
    await cache.set('small', 'ok')
    await cache.set('big', 'old')
    const err = await cache.set('big', 'x'.repeat(5000)).catch((e: unknown) => e)
    expect(isCacheError(err, 'E_VALUE_TOO_LARGE')).toBe(true)
    expect((err as Error).message).toMatch(/capped tier's maxEntryBytes of 400/)
    // Nothing else lost, and this key keeps its old value in every tier.
    expect(await cache.get('small')).toBe('ok')
    expect(await cache.get('big')).toBe('old')
    expect(mem.getSync('default:big')?.value).toBe('old')
    // Not a tier failure: no error counted, the breaker stays closed.
    expect(cache.stats().tiers.capped!.errors).toBe(0)
    await expect(
      cache.setMany([
        ['a', 1],
        ['b', 'y'.repeat(5000)],
      ]),
    ).rejects.toMatchObject({
      code: 'E_VALUE_TOO_LARGE',
    })
    expect(await cache.get('a')).toBeUndefined()
    await cache.close()
  })

  it('getOrSet() with a loader whose value is too large rejects too', async () => {
    const cache = createCache({ tiers: [memoryTier(), cappedTier(300)] })
    await expect(cache.getOrSet('k', async () => 'z'.repeat(4000))).rejects.toMatchObject({
      code: 'E_VALUE_TOO_LARGE',
    })
    expect(await cache.get('k')).toBeUndefined()
    await cache.close()
  })

  it('a tier that refuses without declaring its cap: the call rejects and no tier keeps the key', async () => {
    const mem = memoryTier()
    const remote = new RefusingTier({ name: 'refusing' })
    const cache = createCache({ tiers: [mem, remote] })
    await cache.set('keep', 'ok')
    await cache.set('k', 'old')
    await expect(cache.set('k', 'x'.repeat(5000))).rejects.toMatchObject({ code: 'E_VALUE_TOO_LARGE' })
    expect(mem.getSync('default:k')).toBeUndefined()
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.get('keep')).toBe('ok')
    expect(cache.stats().tiers.refusing!.errors).toBe(0)
    await cache.close()
  })
})
