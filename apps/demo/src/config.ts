import { resolve } from 'node:path'

/** Settings of the demo service (from the environment by default). */
export interface DemoConfig {
  /** HTTP port; 0 picks a free one. Env `PORT`. @default 3000 */
  port: number
  /** Interface to listen on. Env `HOST`. @default '127.0.0.1' */
  host: string
  /** Redis URL: when set the stack is memory → Redis → SQLite with the Redis bus and lock. Env `REDIS_URL`. */
  redisUrl: string | undefined
  /** Directory of the SQLite file `demo-cache.db`. Env `DEMO_DATA_DIR`. @default '.data' (under the working directory) */
  dataDir: string
  /** Multiplies the upstreams' latency and CPU work (tests use 0.02). Env `DEMO_UPSTREAM_SCALE`. @default 1 */
  upstreamScale: number
  /** Admin bearer token. Env `TIERSTACK_ADMIN_TOKEN`; generated and printed when unset. */
  adminToken: string | undefined
}

function number(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min)
    throw new Error(`demo: ${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`)
  return n
}

/** Reads the demo settings from `env`, overridden by `overrides`. */
export function demoConfig(
  overrides: Partial<DemoConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): DemoConfig {
  return {
    port: number('PORT', env.PORT, 3000, 0),
    host: env.HOST || '127.0.0.1',
    redisUrl: env.REDIS_URL || undefined,
    dataDir: resolve(env.DEMO_DATA_DIR || '.data'),
    upstreamScale: number('DEMO_UPSTREAM_SCALE', env.DEMO_UPSTREAM_SCALE, 1, 0),
    adminToken: env.TIERSTACK_ADMIN_TOKEN || undefined,
    ...overrides,
  }
}
