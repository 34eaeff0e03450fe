import { describe, expect, it } from '@jest/globals'
import { createCache, memoryTier } from '@tierstack/core'
import { testScope } from '@tierstack/test-suite'
import { sqliteTier } from '../src/index.js'

const scope = testScope('tier-sqlite-')

/** A memory → sqlite stack on `path`, as an application would build it at startup. */
function stack(path: string) {
  const memory = memoryTier({ maxEntries: 1_000 })
  const disk = sqliteTier({ path })
  const cache = scope.track(createCache({ tiers: [memory, disk], defaults: { ttl: '1h' } }))
  return { cache, memory, disk }
}

describe('memory + sqlite stack (createCache)', () => {
  it('get() after a restart is served from sqlite and backfilled into memory', async () => {
    const path = scope.path('stack.db')
    const before = stack(path)
    const value = { user: 'ada', roles: ['admin'], at: new Date('2024-01-02T03:04:05Z'), n: 42n }
    await before.cache.namespace('users').set('ada', value, { ttl: '10m', tags: ['team:core'] })
    await before.cache.set('plain', 'text')
    await before.cache.close()

    const after = stack(path) // a new process: empty memory, same file
    expect(after.memory.stats().entries).toBe(0)
    expect(await after.cache.namespace('users').get('ada')).toEqual(value)
    expect(after.memory.stats().entries).toBe(1) // backfilled
    const row = await after.disk.get('users:ada')
    expect(row).toBeDefined()
    const remaining = row!.expiresAt - Date.now()
    expect(remaining).toBeGreaterThan(9 * 60_000)
    expect(remaining).toBeLessThanOrEqual(10 * 60_000)
    // The backfilled copy keeps the remaining TTL, not a fresh one.
    expect(after.memory.getSync('users:ada')?.expiresAt).toBe(row!.expiresAt)
    expect(await after.cache.get('plain')).toBe('text')
  })

  it('set() of a value over maxEntryBytes rejects at the call with E_VALUE_TOO_LARGE and writes nothing', async () => {
    const memory = memoryTier({ maxEntries: 1_000 })
    const disk = sqliteTier({ path: scope.path('capped.db'), maxEntryBytes: 200 })
    const cache = scope.track(createCache({ tiers: [memory, disk] }))
    await cache.set('small', 'ok')
    await expect(cache.set('big', 'x'.repeat(5000))).rejects.toMatchObject({ code: 'E_VALUE_TOO_LARGE' })
    expect(memory.getSync('default:big')).toBeUndefined()
    expect(await disk.get('default:big')).toBeUndefined()
    expect(await cache.get('big')).toBeUndefined()
    expect(await cache.get('small')).toBe('ok')
    expect(cache.stats().tiers[disk.name]!.errors).toBe(0)
  })

  it('deleteByTag() and clear() of a namespace reach the sqlite file', async () => {
    const path = scope.path('invalidate.db')
    const { cache, disk } = stack(path)
    const users = cache.namespace('users')
    await users.set('a', 1, { tags: ['t'] })
    await users.set('b', 2)
    await cache.namespace('posts').set('a', 3, { tags: ['t'] })
    expect(await cache.deleteByTag('t')).toBeGreaterThanOrEqual(2)
    expect(await disk.getMany(['users:a', 'users:b', 'posts:a'])).toEqual([
      undefined,
      expect.anything(),
      undefined,
    ])
    await users.clear()
    expect(await disk.get('users:b')).toBeUndefined()
    expect((await cache.health()).ok).toBe(true)
  })
})
