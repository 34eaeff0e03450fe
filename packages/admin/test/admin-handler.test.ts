import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type AdminHandler, createAdminHandler } from '../src/index.js'
import { bearer, serve } from './helpers.js'
import { makeStack, REMOTE, type Stack } from './stack.js'

const TOKEN = 'test-token-0123456789abcdef'

let stack: Stack
let admin: AdminHandler
let server: Awaited<ReturnType<typeof serve>>

async function start(options: Parameters<typeof createAdminHandler>[1] = {}): Promise<void> {
  admin = createAdminHandler(stack.cache, {
    token: TOKEN,
    warmup: {
      llm: async (key: string, ctx) => {
        if (key.startsWith('fail')) throw new Error(`upstream refused ${key}`)
        ctx.setTags([`q:${key}`])
        return `answer to ${key}`
      },
    },
    metrics: async () => ({
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      body: 'tierstack_hits_total{namespace="llm"} 1\n',
    }),
    ...options,
  })
  server = await serve(admin)
}

beforeEach(async () => {
  stack = await makeStack()
})

afterEach(async () => {
  await server?.close()
  await stack.close()
})

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const res = await fetch(server.url + path, { method, ...init })
  const type = res.headers.get('content-type') ?? ''
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: type.includes('application/json') ? JSON.parse(text) : undefined,
  }
}

describe('read endpoints', () => {
  it('GET /cache/status reports the cache id, namespaces and tiers without a token', async () => {
    await start()
    const r = await call('GET', '/cache/status')
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(r.json.id).toBe(stack.cache.id)
    expect(r.json.namespaces).toEqual(expect.arrayContaining(['llm', 'stats']))
    expect(r.json.tiers.map((t: { name: string }) => t.name)).toEqual(['memory', REMOTE])
    expect(r.json.warmup).toEqual(['llm'])
  })

  it('GET /cache/stats returns stats() as JSON', async () => {
    await start()
    const r = await call('GET', '/cache/stats')
    expect(r.status).toBe(200)
    expect(Object.keys(r.json.tiers)).toEqual(['memory', REMOTE])
    expect(r.json.totals).toEqual(
      expect.objectContaining({ hits: expect.any(Number), misses: expect.any(Number) }),
    )
  })

  it('GET /cache/health answers 200 when every tier is up and 503 with per-tier detail when a required tier is down', async () => {
    await start()
    const up = await call('GET', '/cache/health')
    expect(up.status).toBe(200)
    expect(up.json).toEqual(expect.objectContaining({ status: 'ok', ok: true }))
    expect(up.json.tiers[REMOTE]).toEqual(
      expect.objectContaining({ ok: true, required: true, kind: 'remote' }),
    )
    stack.setDown('remote', true)
    const down = await call('GET', '/cache/health')
    expect(down.status).toBe(503)
    expect(down.json).toEqual(expect.objectContaining({ status: 'down', ok: false }))
    expect(down.json.tiers[REMOTE].ok).toBe(false)
    expect(down.json.tiers.memory.ok).toBe(true)
    stack.setDown('remote', false)
    expect((await call('GET', '/cache/health')).status).toBe(200)
  })

  it('GET /cache/health reports degraded with 200 when only a tier outside requiredTiers is down', async () => {
    await start({ requiredTiers: ['memory'] })
    stack.setDown('remote', true)
    const r = await call('GET', '/cache/health')
    expect(r.status).toBe(200)
    expect(r.json.status).toBe('degraded')
    expect(r.json.tiers[REMOTE]).toEqual(expect.objectContaining({ ok: false, required: false }))
  })

  it('GET /metrics serves the metrics provider with its content type', async () => {
    await start()
    const r = await call('GET', '/metrics')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(r.text).toContain('tierstack_hits_total')
  })

  it('GET /metrics is not an admin route when no metrics provider is given', async () => {
    await start({ metrics: undefined })
    expect((await call('GET', '/metrics')).status).toBe(418)
  })

  it('protectReads: read endpoints require the token too', async () => {
    await start({ protectReads: true })
    expect((await call('GET', '/cache/stats')).status).toBe(401)
    expect((await call('GET', '/metrics')).status).toBe(401)
    expect((await call('GET', '/cache/stats', { headers: bearer(TOKEN) })).status).toBe(200)
  })
})

describe('POST /cache/clear', () => {
  it('clear without or with a wrong token answers 401 and clears nothing', async () => {
    await start()
    await stack.put('llm', 'q1', 'a1')
    for (const headers of [
      {},
      bearer('wrong-token-0123456789abcdef'),
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const r = await call('POST', '/cache/clear', { headers, body: '{}' })
      expect(r.status).toBe(401)
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(r.json.error.message).toMatch(/token/)
    }
    expect(await stack.has('llm', 'q1')).toBe(true)
  })

  it('clear with {} empties every namespace', async () => {
    await start()
    await stack.put('llm', 'q1', 'a1')
    await stack.put('stats', 's1', 1)
    const r = await call('POST', '/cache/clear', { headers: bearer(TOKEN), body: '{}' })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ cleared: 'all' })
    expect(await stack.has('llm', 'q1')).toBe(false)
    expect(await stack.has('stats', 's1')).toBe(false)
  })

  it('clear with an empty body empties every namespace', async () => {
    await start()
    await stack.put('llm', 'q1', 'a1')
    const r = await call('POST', '/cache/clear', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(r.status).toBe(200)
    expect(await stack.has('llm', 'q1')).toBe(false)
  })

  it('clear with { namespace } empties only that namespace', async () => {
    await start()
    await stack.put('llm', 'q1', 'a1')
    await stack.put('stats', 's1', 1)
    const r = await call('POST', '/cache/clear', {
      headers: bearer(TOKEN),
      body: JSON.stringify({ namespace: 'llm' }),
    })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ cleared: 'llm' })
    expect(await stack.has('llm', 'q1')).toBe(false)
    expect(await stack.has('stats', 's1')).toBe(true)
  })

  it('clear rejects malformed bodies with 400 and a message, and clears nothing', async () => {
    await start()
    await stack.put('llm', 'q1', 'a1')
    const cases: [string, RegExp][] = [
      ['{"namespace":', /not valid JSON/],
      ['[1,2]', /JSON object/],
      ['"llm"', /JSON object/],
      ['{"namespace":42}', /namespace must be a non-empty string/],
      ['{"namespace":""}', /namespace must be a non-empty string/],
      ['{"ns":"llm"}', /unknown field/],
    ]
    for (const [body, message] of cases) {
      const r = await call('POST', '/cache/clear', { headers: bearer(TOKEN), body })
      expect([body, r.status]).toEqual([body, 400])
      expect(r.json.error.message).toMatch(message)
    }
    expect(await stack.has('llm', 'q1')).toBe(true)
  })

  it('clear answers 404 naming the known namespaces for an unknown namespace', async () => {
    await start()
    const r = await call('POST', '/cache/clear', { headers: bearer(TOKEN), body: '{"namespace":"nope"}' })
    expect(r.status).toBe(404)
    expect(r.json.error.message).toMatch(/unknown namespace "nope".*llm/)
  })

  it('clear answers 415 for a non-JSON content type and 413 for a body over bodyLimit', async () => {
    await start({ bodyLimit: 64 })
    await stack.put('llm', 'q1', 'a1')
    const r415 = await call('POST', '/cache/clear', {
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
      body: '{}',
    })
    expect(r415.status).toBe(415)
    const big = JSON.stringify({ namespace: 'x'.repeat(200) })
    const r413 = await call('POST', '/cache/clear', { headers: bearer(TOKEN), body: big })
    expect(r413.status).toBe(413)
    // chunked upload without content-length: the limit is enforced while reading
    const chunked = await fetch(`${server.url}/cache/clear`, {
      method: 'POST',
      headers: bearer(TOKEN),
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big))
          c.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    await chunked.text()
    expect(await stack.has('llm', 'q1')).toBe(true)
  })

  it('clear answers 405 with Allow for GET', async () => {
    await start()
    const r = await call('GET', '/cache/clear')
    expect(r.status).toBe(405)
    expect(r.headers.get('allow')).toBe('POST')
  })
})

describe('POST /cache/warmup', () => {
  it('warmup requires the token', async () => {
    await start()
    const r = await call('POST', '/cache/warmup', { body: JSON.stringify({ namespace: 'llm', keys: ['a'] }) })
    expect(r.status).toBe(401)
    expect(await stack.has('llm', 'a')).toBe(false)
  })

  it('warmup loads the keys through the loader and returns a summary', async () => {
    await start()
    await stack.put('llm', 'already', 'cached answer')
    const r = await call('POST', '/cache/warmup', {
      headers: bearer(TOKEN),
      body: JSON.stringify({ namespace: 'llm', keys: ['a', 'b', 'a', 'already', 'fail-1'] }),
    })
    expect(r.status).toBe(200)
    expect(r.json).toEqual(
      expect.objectContaining({
        type: 'summary',
        namespace: 'llm',
        total: 4,
        loaded: 2,
        cached: 1,
        failed: 1,
        errors: [{ key: 'fail-1', message: 'upstream refused fail-1' }],
      }),
    )
    expect(await stack.has('llm', 'a')).toBe(true)
    expect(await stack.has('llm', 'b')).toBe(true)
    expect(await stack.has('llm', 'fail-1')).toBe(false)
  })

  it('warmup streams NDJSON progress lines then the summary when asked for application/x-ndjson', async () => {
    await start({ warmupConcurrency: 2 })
    const keys = Array.from({ length: 6 }, (_, i) => `k${i}`)
    const r = await call('POST', '/cache/warmup', {
      headers: { ...bearer(TOKEN), accept: 'application/x-ndjson' },
      body: JSON.stringify({ namespace: 'llm', keys }),
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/application\/x-ndjson/)
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(7)
    expect(lines.slice(0, 6).map((l) => l.done)).toEqual([1, 2, 3, 4, 5, 6])
    expect(lines[0]).toEqual(expect.objectContaining({ type: 'progress', total: 6 }))
    expect(lines[6]).toEqual(expect.objectContaining({ type: 'summary', loaded: 6, failed: 0, total: 6 }))
  })

  it('warmup rejects malformed bodies with 400 and unknown namespaces with 404', async () => {
    await start()
    const cases: [string, number, RegExp][] = [
      ['nope', 400, /not valid JSON/],
      ['', 400, /the body must be/],
      ['{"keys":["a"]}', 400, /namespace must be/],
      ['{"namespace":"llm"}', 400, /keys must be an array/],
      ['{"namespace":"llm","keys":"a"}', 400, /keys must be an array/],
      ['{"namespace":"llm","keys":[1]}', 400, /keys must be an array of non-empty strings/],
      ['{"namespace":"llm","keys":[""]}', 400, /non-empty strings/],
      ['{"namespace":"stats","keys":["a"]}', 404, /no warm-up loader for namespace "stats".*llm/],
    ]
    for (const [body, status, message] of cases) {
      const r = await call('POST', '/cache/warmup', { headers: bearer(TOKEN), body })
      expect([body, r.status]).toEqual([body, status])
      expect(r.json.error.message).toMatch(message)
    }
  })

  it('warmup refuses more keys than maxWarmupKeys', async () => {
    await start({ maxWarmupKeys: 2 })
    const r = await call('POST', '/cache/warmup', {
      headers: bearer(TOKEN),
      body: JSON.stringify({ namespace: 'llm', keys: ['a', 'b', 'c'] }),
    })
    expect(r.status).toBe(400)
    expect(r.json.error.message).toMatch(/maxWarmupKeys/)
  })
})

describe('DELETE /cache/tags/:tag', () => {
  it('tags deletes the entries carrying the tag and reports how many', async () => {
    await start()
    await stack.put('llm', 'a', 1, ['product:42'])
    await stack.put('llm', 'b', 2, ['product:42', 'x'])
    await stack.put('llm', 'c', 3, ['product:7'])
    const r = await call('DELETE', `/cache/tags/${encodeURIComponent('product:42')}`, {
      headers: bearer(TOKEN),
    })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ tag: 'product:42', deleted: 2 })
    expect(await stack.has('llm', 'a')).toBe(false)
    expect(await stack.has('llm', 'b')).toBe(false)
    expect(await stack.has('llm', 'c')).toBe(true)
  })

  it('tags without the token answers 401 and deletes nothing', async () => {
    await start()
    await stack.put('llm', 'a', 1, ['t'])
    expect((await call('DELETE', '/cache/tags/t')).status).toBe(401)
    expect((await call('DELETE', '/cache/tags/t', { headers: bearer(`${TOKEN}x`) })).status).toBe(401)
    expect(await stack.has('llm', 'a')).toBe(true)
  })

  it('tags answers 400 for an empty or badly encoded tag', async () => {
    await start()
    expect((await call('DELETE', '/cache/tags/', { headers: bearer(TOKEN) })).status).toBe(400)
    const bad = await call('DELETE', '/cache/tags/%E0%A4%A', { headers: bearer(TOKEN) })
    expect(bad.status).toBe(400)
    expect(bad.json.error.message).toMatch(/percent-encoding/)
  })
})

describe('routing', () => {
  it('node() leaves other paths to the application and calls next()', async () => {
    await start()
    expect((await call('GET', '/api/thing')).status).toBe(418)
    expect((await call('GET', '/cachex/status')).status).toBe(418)
    const r = await call('GET', '/cache/nope')
    expect(r.status).toBe(404)
    let nextCalled = false
    const handled = await admin.node(
      { method: 'GET', url: '/elsewhere', headers: {} } as never,
      {} as never,
      () => {
        nextCalled = true
      },
    )
    expect(handled).toBe(false)
    expect(nextCalled).toBe(true)
  })

  it('prefix mounts the routes elsewhere', async () => {
    await start({ prefix: '/admin/cache' })
    expect((await call('GET', '/admin/cache/status')).status).toBe(200)
    expect((await call('GET', '/cache/status')).status).toBe(418)
  })

  it('fetch() answers admin routes as Response and returns undefined for others', async () => {
    await start()
    await stack.put('llm', 'q', 'a', ['t1'])
    expect(await admin.fetch(new Request('http://x/other'))).toBeUndefined()
    const status = await admin.fetch(new Request('http://x/cache/status'))
    if (status === undefined) throw new Error('fetch() must answer /cache/status')
    expect(status.status).toBe(200)
    expect(((await status.json()) as { id: string }).id).toBe(stack.cache.id)
    const denied = await admin.fetch(new Request('http://x/cache/clear', { method: 'POST', body: '{}' }))
    expect(denied?.status).toBe(401)
    expect(await stack.has('llm', 'q')).toBe(true)
    const bad = await admin.fetch(
      new Request('http://x/cache/clear', { method: 'POST', headers: bearer(TOKEN), body: '{' }),
    )
    expect(bad?.status).toBe(400)
    const tooBig = await admin.fetch(
      new Request('http://x/cache/clear', {
        method: 'POST',
        headers: bearer(TOKEN),
        body: ' '.repeat(2 * 1024 * 1024),
      }),
    )
    expect(tooBig?.status).toBe(413)
    const tags = await admin.fetch(
      new Request('http://x/cache/tags/t1', { method: 'DELETE', headers: bearer(TOKEN) }),
    )
    expect(await tags?.json()).toEqual({ tag: 't1', deleted: 1 })
    const warm = await admin.fetch(
      new Request('http://x/cache/warmup', {
        method: 'POST',
        headers: { ...bearer(TOKEN), accept: 'application/x-ndjson' },
        body: '{"namespace":"llm","keys":["z1","z2"]}',
      }),
    )
    const lines = (await warm?.text())?.trim().split('\n') ?? []
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['progress', 'progress', 'summary'])
    expect(await stack.has('llm', 'z2')).toBe(true)
  })
})

describe('createAdminHandler() options', () => {
  it('createAdminHandler() takes the token from TIERSTACK_ADMIN_TOKEN, else generates one', async () => {
    const saved = process.env.TIERSTACK_ADMIN_TOKEN
    try {
      process.env.TIERSTACK_ADMIN_TOKEN = 'env-token-0123456789abcdef'
      const fromEnv = createAdminHandler(stack.cache)
      expect(fromEnv.token).toBe('env-token-0123456789abcdef')
      expect(fromEnv.tokenSource).toBe('env')
      delete process.env.TIERSTACK_ADMIN_TOKEN
      const generated = createAdminHandler(stack.cache)
      expect(generated.tokenSource).toBe('generated')
      expect(generated.token).toMatch(/^[\w-]{40,}$/)
      expect(createAdminHandler(stack.cache).token).not.toBe(generated.token)
      const r = await generated.fetch(
        new Request('http://x/cache/clear', { method: 'POST', headers: bearer(generated.token), body: '{}' }),
      )
      expect(r?.status).toBe(200)
    } finally {
      if (saved === undefined) delete process.env.TIERSTACK_ADMIN_TOKEN
      else process.env.TIERSTACK_ADMIN_TOKEN = saved
    }
  })

  it('createAdminHandler() rejects bad options with E_INVALID_OPTION naming the option', () => {
    const bad: [object, RegExp][] = [
      [{ token: '' }, /token/],
      [{ token: 'has space in it 0123456789' }, /whitespace/],
      [{ prefix: 'cache' }, /prefix/],
      [{ prefix: '/cache/' }, /prefix/],
      [{ requiredTiers: ['nope'] }, /requiredTiers: unknown tier "nope"/],
      [{ warmupConcurrency: 0 }, /warmupConcurrency/],
      [{ bodyLimit: 'lots' }, /bodyLimit/],
      [{ warmup: { llm: 'x' } }, /warmup\.llm/],
    ]
    for (const [options, message] of bad) {
      expect(() => createAdminHandler(stack.cache, { token: TOKEN, ...options })).toThrow(message)
      expect(() => createAdminHandler(stack.cache, { token: TOKEN, ...options })).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION' }),
      )
    }
    expect(() => createAdminHandler({} as never)).toThrow(/cache must be a TieredCache/)
  })
})
