import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DemoConfig } from '../src/config.js'
import { createDemo, type Demo } from '../src/server.js'

export const TOKEN = 'demo-test-token-0123456789'

/** A demo on a free port with its own data directory and fast upstreams. */
export async function startDemo(
  overrides: Partial<DemoConfig> = {},
): Promise<Demo & { dataDir: string; dispose(): Promise<void> }> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'tierstack-demo-test-'))
  const demo = await createDemo({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    upstreamScale: 0.02,
    adminToken: TOKEN,
    redisUrl: undefined,
    ...overrides,
  })
  return Object.assign(demo, {
    dataDir,
    async dispose() {
      await demo.close()
      if (overrides.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
  })
}

export async function call(
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(base + path, { method, ...init })
  const text = await res.text()
  const type = res.headers.get('content-type') ?? ''
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: type.includes('json') && !type.includes('ndjson') ? JSON.parse(text) : undefined,
  }
}

export function auth(token = TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
