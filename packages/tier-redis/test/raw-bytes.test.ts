import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { redisTier } from '../src/index.js'
import { type RedisServer, startRedis } from './helpers/redis-server.js'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  await server.stop()
})

describe('RedisTier used directly with arbitrary bytes (DESIGN.md §2 callers)', () => {
  it('set() then get()/getMany() returns the very bytes with their times and tags, and they expire', async () => {
    const tier = redisTier({ url: server.url, prefix: 'raw-test:' })
    const now = Date.now()
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await tier.set('ns:a', {
      value: bytes,
      createdAt: now,
      expiresAt: now + 150,
      staleUntil: now + 150,
      tags: ['t'],
    })
    const got = await tier.get('ns:a')
    expect(Buffer.from(got!.value as Uint8Array)).toEqual(Buffer.from(bytes))
    expect(got).toMatchObject({ createdAt: now, expiresAt: now + 150, staleUntil: now + 150, tags: ['t'] })
    const [many] = await tier.getMany(['ns:a'])
    expect(Buffer.from(many!.value as Uint8Array)).toEqual(Buffer.from(bytes))
    expect(await tier.deleteByTag(['t'], 'ns:')).toBe(1)
    await tier.set('ns:b', {
      value: bytes,
      createdAt: now,
      expiresAt: now + 100,
      staleUntil: now + 100,
      tags: [],
    })
    await new Promise((r) => setTimeout(r, 250))
    expect(await tier.get('ns:b')).toBeUndefined()
    await tier.close()
  })
})
