import type { IncomingMessage, ServerResponse } from 'node:http'
import { CacheError, isCacheError, parseBytes } from '@tierstack/core'
import type { AdminCache } from './admin-cache.js'
import { readFetchBody, readNodeBody, TOO_LARGE } from './body.js'
import type { AdminHandlerOptions, MetricsResponse } from './options.js'
import { type AdminResponse, json, ndjson, problem, text } from './response.js'
import { checkBearer, digest, resolveToken, type TokenSource } from './token.js'
import { runWarmup, type WarmupLoader, type WarmupSummary } from './warmup.js'

/** A request in framework-neutral form. */
interface AdminRequest {
  method: string
  url: string
  header(name: string): string | undefined
  /** A body already parsed by a framework (express.json), if any. */
  parsed?: unknown
  readBody(limit: number): Promise<string | typeof TOO_LARGE>
}

function invalid(message: string): CacheError {
  return new CacheError('E_INVALID_OPTION', `tierstack/admin: ${message}`)
}

function checkPath(name: string, value: unknown, allowEmpty: boolean): string {
  if (
    typeof value !== 'string' ||
    (value === '' ? !allowEmpty : !/^\/[^?#\s]*[^/?#\s]$|^\/[^/?#\s]$/.test(value))
  ) {
    throw invalid(`${name} must start with "/" and not end with "/", got ${JSON.stringify(value)}`)
  }
  return value
}

function checkPositiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw invalid(`${name} must be a positive integer, got ${String(value)}`)
  return value
}

/** `true` for a plain JSON object (not an array, not null). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * The admin API as a framework-neutral handler: mount `node` on a node/Express/Connect server or `fetch`
 * on a fetch-style one (Hono, Bun, Deno, Next route handlers).
 *
 * Routes (with the default prefix `/cache`): `GET /cache/status`, `GET /cache/stats`, `GET /cache/health`,
 * `POST /cache/clear`, `POST /cache/warmup`, `DELETE /cache/tags/:tag`, and `GET /metrics` when a metrics
 * provider is given. Mutating routes require `Authorization: Bearer <token>`.
 */
export class AdminHandler {
  /** The bearer token mutating requests must carry (generated when neither the option nor `TIERSTACK_ADMIN_TOKEN` was set: print it). */
  readonly token: string
  /** Where {@link token} came from. */
  readonly tokenSource: TokenSource
  /** Path prefix of the admin routes. */
  readonly prefix: string
  readonly #cache: AdminCache
  readonly #tokenDigest: Buffer
  readonly #protectReads: boolean
  readonly #metrics: (() => Promise<MetricsResponse>) | undefined
  readonly #metricsPath: string
  readonly #warmup: Map<string, WarmupLoader>
  readonly #warmupConcurrency: number
  readonly #maxWarmupKeys: number
  readonly #requiredTiers: string[] | undefined
  readonly #namespaces: string[] | undefined
  readonly #bodyLimit: number
  readonly #startedAt = Date.now()

  constructor(cache: AdminCache, options: AdminHandlerOptions = {}) {
    for (const method of ['stats', 'health', 'clear', 'namespace', 'deleteByTag'] as const) {
      if (cache === null || typeof cache !== 'object' || typeof cache[method] !== 'function') {
        throw invalid(`cache must be a TieredCache (missing ${method}())`)
      }
    }
    this.#cache = cache
    const { token, source } = resolveToken(options.token, process.env.TIERSTACK_ADMIN_TOKEN)
    this.token = token
    this.tokenSource = source
    this.#tokenDigest = digest(token)
    this.#protectReads = options.protectReads === true
    this.prefix = checkPath('prefix', options.prefix ?? '/cache', true)
    this.#metricsPath = checkPath('metricsPath', options.metricsPath ?? '/metrics', false)
    if (options.metrics !== undefined && typeof options.metrics !== 'function')
      throw invalid('metrics must be a function returning { contentType, body }')
    this.#metrics = options.metrics
    this.#warmup = new Map()
    if (options.warmup !== undefined) {
      if (!isRecord(options.warmup)) throw invalid('warmup must be an object of loaders by namespace')
      for (const [name, loader] of Object.entries(options.warmup)) {
        if (typeof loader !== 'function')
          throw invalid(`warmup.${name} must be a function (key, ctx) => value`)
        this.#warmup.set(name, loader)
      }
    }
    this.#warmupConcurrency = checkPositiveInt('warmupConcurrency', options.warmupConcurrency ?? 4)
    this.#maxWarmupKeys = checkPositiveInt('maxWarmupKeys', options.maxWarmupKeys ?? 10_000)
    try {
      this.#bodyLimit = parseBytes(options.bodyLimit ?? '1mb')
    } catch (cause) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `tierstack/admin: bodyLimit must be a byte size, got ${String(options.bodyLimit)}`,
        { cause },
      )
    }
    const tierNames = Object.keys(cache.stats().tiers)
    if (options.requiredTiers !== undefined) {
      if (!Array.isArray(options.requiredTiers)) throw invalid('requiredTiers must be an array of tier names')
      for (const name of options.requiredTiers) {
        if (!tierNames.includes(name))
          throw invalid(
            `requiredTiers: unknown tier ${JSON.stringify(name)} (tiers: ${tierNames.join(', ')})`,
          )
      }
      this.#requiredTiers = [...options.requiredTiers]
    }
    if (options.namespaces !== undefined) {
      if (
        !Array.isArray(options.namespaces) ||
        options.namespaces.some((n) => typeof n !== 'string' || n === '')
      ) {
        throw invalid('namespaces must be an array of non-empty strings')
      }
      this.#namespaces = [...options.namespaces]
    }
  }

  /**
   * Node / Express / Connect handler. Resolves to `true` when it answered; for a path that is not an admin
   * route it calls `next()` if given and resolves to `false` without touching `res`.
   */
  readonly node = async (
    req: IncomingMessage,
    res: ServerResponse,
    next?: (err?: unknown) => void,
  ): Promise<boolean> => {
    const request: AdminRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      header: (name) => {
        const v = req.headers[name]
        return Array.isArray(v) ? v.join(', ') : v
      },
      parsed: (req as { body?: unknown }).body,
      readBody: (limit) => readNodeBody(req, limit),
    }
    let response: AdminResponse | undefined
    try {
      response = await this.#handle(request)
    } catch (err) {
      if (next !== undefined) {
        next(err)
        return true
      }
      response = problem(500, err instanceof Error ? err.message : String(err))
    }
    if (response === undefined) {
      next?.()
      return false
    }
    res.writeHead(response.status, response.headers)
    if (typeof response.body === 'string') {
      res.end(response.body)
    } else {
      try {
        for await (const chunk of response.body) {
          if (res.destroyed) break
          res.write(chunk)
        }
      } finally {
        res.end()
      }
    }
    return true
  }

  /** Fetch-style handler: a `Response`, or `undefined` when the path is not an admin route. */
  readonly fetch = async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url)
    let response: AdminResponse | undefined
    try {
      response = await this.#handle({
        method: request.method,
        url: url.pathname + url.search,
        header: (name) => request.headers.get(name) ?? undefined,
        readBody: (limit) => readFetchBody(request, limit),
      })
    } catch (err) {
      response = problem(500, err instanceof Error ? err.message : String(err))
    }
    if (response === undefined) return undefined
    const { body } = response
    if (typeof body === 'string')
      return new Response(body, { status: response.status, headers: response.headers })
    const encoder = new TextEncoder()
    const iterator = body[Symbol.asyncIterator]()
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await iterator.next()
        if (done) controller.close()
        else controller.enqueue(encoder.encode(value))
      },
      async cancel() {
        await iterator.return?.()
      },
    })
    return new Response(stream, { status: response.status, headers: response.headers })
  }

  async #handle(req: AdminRequest): Promise<AdminResponse | undefined> {
    const queryAt = req.url.indexOf('?')
    const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt)
    const method = req.method.toUpperCase()

    if (this.#metrics !== undefined && path === this.#metricsPath) {
      if (method !== 'GET' && method !== 'HEAD')
        return problem(405, `${method} is not allowed on ${path}`, { allow: 'GET, HEAD' })
      if (this.#protectReads && !this.#authorized(req)) return this.#unauthorized()
      const m = await this.#metrics()
      return text(200, m.contentType, method === 'HEAD' ? '' : m.body)
    }
    const prefix = this.prefix
    if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) return undefined
    const route = path.slice(prefix.length)

    switch (route) {
      case '/status':
      case '/stats':
      case '/health': {
        if (method !== 'GET' && method !== 'HEAD')
          return problem(405, `${method} is not allowed on ${path}`, { allow: 'GET, HEAD' })
        if (this.#protectReads && !this.#authorized(req)) return this.#unauthorized()
        const res =
          route === '/status'
            ? this.#status()
            : route === '/stats'
              ? json(200, this.#cache.stats())
              : await this.#health()
        return method === 'HEAD' ? { ...res, body: '' } : res
      }
      case '/clear':
        if (method !== 'POST') return problem(405, `${method} is not allowed on ${path}`, { allow: 'POST' })
        if (!this.#authorized(req)) return this.#unauthorized()
        return this.#clear(req)
      case '/warmup':
        if (method !== 'POST') return problem(405, `${method} is not allowed on ${path}`, { allow: 'POST' })
        if (!this.#authorized(req)) return this.#unauthorized()
        return this.#warmUp(req)
    }
    if (route.startsWith('/tags/')) {
      if (method !== 'DELETE') return problem(405, `${method} is not allowed on ${path}`, { allow: 'DELETE' })
      if (!this.#authorized(req)) return this.#unauthorized()
      let tag: string
      try {
        tag = decodeURIComponent(route.slice('/tags/'.length))
      } catch {
        return problem(400, 'the tag in the path is not valid percent-encoding')
      }
      if (tag === '') return problem(400, 'the tag must not be empty: DELETE /tags/:tag')
      const deleted = await this.#cache.deleteByTag(tag)
      return json(200, { tag, deleted })
    }
    return problem(404, `no admin route ${method} ${path}`)
  }

  #authorized(req: AdminRequest): boolean {
    return checkBearer(req.header('authorization'), this.#tokenDigest)
  }

  #unauthorized(): AdminResponse {
    return problem(401, 'missing or wrong bearer token (Authorization: Bearer <token>)', {
      'www-authenticate': 'Bearer realm="tierstack-admin"',
    })
  }

  #knownNamespaces(): string[] {
    if (this.#namespaces !== undefined) return this.#namespaces
    const names = new Set(Object.keys(this.#cache.stats().namespaces))
    for (const name of this.#warmup.keys()) names.add(name)
    return [...names]
  }

  #status(): AdminResponse {
    const stats = this.#cache.stats()
    return json(200, {
      id: this.#cache.id,
      uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
      namespaces: this.#knownNamespaces(),
      warmup: [...this.#warmup.keys()],
      tiers: Object.values(stats.tiers).map((t) => ({
        name: t.name,
        kind: t.kind,
        breaker: t.breaker,
        ...(t.entries !== undefined ? { entries: t.entries } : {}),
        ...(t.bytes !== undefined ? { bytes: t.bytes } : {}),
      })),
      totals: {
        hits: stats.totals.hits,
        misses: stats.totals.misses,
        hitRatio: stats.totals.hitRatio,
        costSaved: stats.totals.costSaved,
      },
    })
  }

  async #health(): Promise<AdminResponse> {
    let health: Awaited<ReturnType<AdminCache['health']>>
    try {
      health = await this.#cache.health()
    } catch (err) {
      return json(503, {
        status: 'down',
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        tiers: {},
      })
    }
    const required = this.#requiredTiers ?? Object.keys(health.tiers)
    const tiers: Record<string, unknown> = {}
    let requiredDown = false
    let anyDown = false
    for (const [name, t] of Object.entries(health.tiers)) {
      const isRequired = required.includes(name)
      if (!t.ok) {
        anyDown = true
        if (isRequired) requiredDown = true
      }
      tiers[name] = { ...t, required: isRequired }
    }
    for (const name of required) {
      if (!(name in health.tiers)) {
        requiredDown = true
        tiers[name] = { ok: false, required: true, detail: { error: 'tier missing from health()' } }
      }
    }
    const status = requiredDown ? 'down' : anyDown ? 'degraded' : 'ok'
    return json(requiredDown ? 503 : 200, { status, ok: !requiredDown, required, tiers })
  }

  async #readJson(
    req: AdminRequest,
  ): Promise<{ ok: true; value: unknown } | { ok: false; response: AdminResponse }> {
    if (req.parsed !== undefined && typeof req.parsed !== 'string' && !Buffer.isBuffer(req.parsed))
      return { ok: true, value: req.parsed }
    const type = req.header('content-type')
    if (type !== undefined && type !== '' && !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      return {
        ok: false,
        response: problem(415, `the body must be JSON (Content-Type: application/json), got ${type}`),
      }
    }
    const length = Number(req.header('content-length'))
    if (Number.isFinite(length) && length > this.#bodyLimit) {
      return {
        ok: false,
        response: problem(413, `the body is larger than ${this.#bodyLimit} bytes`, { connection: 'close' }),
      }
    }
    let raw: string | typeof TOO_LARGE
    if (typeof req.parsed === 'string' || Buffer.isBuffer(req.parsed)) raw = req.parsed.toString()
    else raw = await req.readBody(this.#bodyLimit)
    if (raw === TOO_LARGE)
      return {
        ok: false,
        response: problem(413, `the body is larger than ${this.#bodyLimit} bytes`, { connection: 'close' }),
      }
    if (raw.trim() === '') return { ok: true, value: undefined }
    try {
      return { ok: true, value: JSON.parse(raw) }
    } catch (err) {
      return {
        ok: false,
        response: problem(
          400,
          `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
        ),
      }
    }
  }

  async #clear(req: AdminRequest): Promise<AdminResponse> {
    const body = await this.#readJson(req)
    if (!body.ok) return body.response
    const value = body.value ?? {}
    if (!isRecord(value))
      return problem(400, 'the body must be a JSON object: {} or { "namespace": "<name>" }')
    const extra = Object.keys(value).filter((k) => k !== 'namespace')
    if (extra.length > 0)
      return problem(400, `unknown field(s) ${extra.join(', ')}: the body is {} or { "namespace": "<name>" }`)
    const { namespace } = value
    if (namespace === undefined) {
      await this.#cache.clear()
      return json(200, { cleared: 'all' })
    }
    if (typeof namespace !== 'string' || namespace === '')
      return problem(400, 'namespace must be a non-empty string')
    const known = this.#knownNamespaces()
    if (!known.includes(namespace))
      return problem(
        404,
        `unknown namespace ${JSON.stringify(namespace)} (known: ${known.join(', ') || 'none'})`,
      )
    await this.#cache.namespace(namespace).clear()
    return json(200, { cleared: namespace })
  }

  async #warmUp(req: AdminRequest): Promise<AdminResponse> {
    const body = await this.#readJson(req)
    if (!body.ok) return body.response
    const value = body.value
    const shape = 'the body must be { "namespace": "<name>", "keys": ["<key>", …] }'
    if (!isRecord(value)) return problem(400, shape)
    const { namespace, keys } = value
    if (typeof namespace !== 'string' || namespace === '')
      return problem(400, `namespace must be a non-empty string: ${shape}`)
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k === '')) {
      return problem(400, `keys must be an array of non-empty strings: ${shape}`)
    }
    if (keys.length > this.#maxWarmupKeys)
      return problem(400, `too many keys: ${keys.length} > maxWarmupKeys (${this.#maxWarmupKeys})`)
    const loader = this.#warmup.get(namespace)
    if (loader === undefined) {
      const names = [...this.#warmup.keys()]
      return problem(
        404,
        `no warm-up loader for namespace ${JSON.stringify(namespace)} (warm-up loaders: ${names.join(', ') || 'none'})`,
      )
    }
    const unique = [...new Set(keys as string[])]
    let ns: ReturnType<AdminCache['namespace']>
    try {
      ns = this.#cache.namespace(namespace)
    } catch (err) {
      if (isCacheError(err)) return problem(400, err.message)
      throw err
    }
    const run = runWarmup(namespace, ns, loader, unique, this.#warmupConcurrency)
    if (/application\/x-ndjson/i.test(req.header('accept') ?? '')) return ndjson(200, run)
    let summary: WarmupSummary | undefined
    for await (const item of run) if (item.type === 'summary') summary = item
    return json(200, summary)
  }
}

/**
 * Creates the admin API handler for a cache.
 *
 * ```ts
 * const admin = createAdminHandler(cache, { metrics: () => exporter.scrape(), warmup: { llm: (q) => askModel(q) } })
 * http.createServer(async (req, res) => {
 *   if (await admin.node(req, res)) return
 *   // … the application's routes
 * })
 * console.log('admin token:', admin.token)
 * ```
 */
export function createAdminHandler(cache: AdminCache, options?: AdminHandlerOptions): AdminHandler {
  return new AdminHandler(cache, options)
}
