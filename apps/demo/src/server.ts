import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AdminHandler, createAdminHandler } from '@tierstack/admin'
import type { TieredCache } from '@tierstack/core'
import { type PrometheusMetrics, prometheusMetrics } from '@tierstack/metrics-prometheus'
import { datasets } from './catalog.js'
import { type DemoConfig, demoConfig } from './config.js'
import { dashboardHtml } from './dashboard-html.js'
import { DemoService } from './service.js'
import { buildStack, type DemoStack } from './stack.js'
import { Upstreams } from './upstreams.js'

/** A running demo service. */
export interface Demo {
  /** `http://host:port`. */
  url: string
  server: Server
  cache: TieredCache
  stack: DemoStack
  admin: AdminHandler
  exporter: PrometheusMetrics
  service: DemoService
  upstreams: Upstreams
  config: DemoConfig
  /** Stops the server, the exporter and the cache. Idempotent. */
  close(): Promise<void>
}

const MAX_BURST = 5000
const MAX_BODY = 4096

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

function fail(res: ServerResponse, status: number, message: string): void {
  send(res, status, { error: { status, message } })
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) throw Object.assign(new Error(`body larger than ${MAX_BODY} bytes`), { status: 413 })
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  try {
    return JSON.parse(text)
  } catch {
    throw Object.assign(new Error('the body is not valid JSON'), { status: 400 })
  }
}

function intParam(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw Object.assign(new Error(`${name} must be an integer from ${min} to ${max}`), { status: 400 })
  return n
}

/**
 * Starts the demo: a node:http service in front of three slow upstreams, each cached in its own namespace,
 * with `@tierstack/admin` mounted under `/cache`, the Prometheus exporter at `/metrics` and the dashboard at `/`.
 */
export async function createDemo(overrides: Partial<DemoConfig> = {}): Promise<Demo> {
  const config = demoConfig(overrides)
  const stack = buildStack(config)
  const { cache } = stack
  await cache.ready()
  const upstreams = new Upstreams(config.upstreamScale)
  const service = new DemoService(cache, upstreams, stack.mode, stack.tiers)
  const exporter = prometheusMetrics(cache)
  const admin = createAdminHandler(cache, {
    ...(config.adminToken !== undefined ? { token: config.adminToken } : {}),
    metrics: () => exporter.scrape(),
    warmup: {
      llm: (question) => upstreams.llmAnswer(question),
      stats: (dataset) => upstreams.publicStats(dataset),
      forecast: (key, ctx) => {
        const [product, horizon] = key.split(':')
        const days = Number(horizon)
        if (!product || !Number.isInteger(days) || days < 1 || days > 365)
          throw new Error(`forecast keys are "<sku>:<days>", got ${JSON.stringify(key)}`)
        ctx.setTags([`product:${product}`])
        return upstreams.salesForecast(product, days)
      },
    },
  })

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await admin.node(req, res)) return
    const url = new URL(req.url ?? '/', 'http://demo')
    const path = url.pathname
    const bypass = url.searchParams.get('cache') === 'off'
    const method = req.method ?? 'GET'
    if (path === '/' && method === 'GET') return send(res, 200, dashboardHtml)
    if (path === '/api/dashboard' && method === 'GET') return send(res, 200, await service.dashboard())
    if (path === '/api/burst') {
      if (method !== 'POST') return fail(res, 405, 'use POST /api/burst')
      const body = await readJson(req)
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return fail(res, 400, 'the body must be { "requests"?: number, "concurrency"?: number }')
      const { requests, concurrency } = body as { requests?: unknown; concurrency?: unknown }
      const result = await service.burst(
        intParam(requests, 'requests', 300, 1, MAX_BURST),
        intParam(concurrency, 'concurrency', 16, 1, 64),
      )
      return send(res, 200, result)
    }
    if (method !== 'GET') return fail(res, 405, `${method} is not allowed on ${path}`)
    let served: { value: unknown; cache: string; ms: number } | undefined
    if (path === '/api/llm') {
      const q = url.searchParams.get('q')
      if (q === null || q.trim() === '' || q.length > 500)
        return fail(res, 400, 'q must be a question of 1 to 500 characters: /api/llm?q=...')
      served = await service.llm(q, { bypass })
    } else if (path.startsWith('/api/stats/')) {
      const dataset = decodeURIComponent(path.slice('/api/stats/'.length))
      if (!datasets.includes(dataset))
        return fail(
          res,
          404,
          `unknown dataset ${JSON.stringify(dataset)} (try ${datasets.slice(0, 3).join(', ')}, …)`,
        )
      served = await service.stats(dataset, { bypass })
    } else if (path.startsWith('/api/forecast/')) {
      const product = decodeURIComponent(path.slice('/api/forecast/'.length))
      if (!/^sku-\d{1,8}$/.test(product)) return fail(res, 400, 'product must look like sku-1001')
      served = await service.forecast(
        product,
        intParam(url.searchParams.get('horizon'), 'horizon', 30, 1, 365),
        { bypass },
      )
    }
    if (served === undefined) return fail(res, 404, `no route ${method} ${path}`)
    send(res, 200, served.value, {
      'x-cache': served.cache,
      'server-timing': `app;dur=${served.ms.toFixed(2)}`,
    })
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = (err as { status?: number }).status ?? 500
      if (!res.headersSent) fail(res, status, err instanceof Error ? err.message : String(err))
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host =
    config.host === '0.0.0.0' || config.host === '::'
      ? 'localhost'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    server,
    cache,
    stack,
    admin,
    exporter,
    service,
    upstreams,
    config,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        exporter.stop()
        await cache.close()
      })()
      return closing
    },
  }
}
