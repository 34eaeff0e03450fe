import type { ByteSize } from '@tierstack/core'
import type { WarmupLoader } from './warmup.js'

/** What a metrics provider returns for `GET /metrics` (e.g. `PrometheusMetrics#scrape`). */
export interface MetricsResponse {
  contentType: string
  body: string
}

/** Options of {@link createAdminHandler}. */
export interface AdminHandlerOptions {
  /**
   * Bearer token required by the mutating endpoints (`POST /clear`, `POST /warmup`, `DELETE /tags/:tag`).
   * @default process.env.TIERSTACK_ADMIN_TOKEN, else a random token exposed as `handler.token`
   */
  token?: string
  /** Also require the token on the read endpoints (`/status`, `/stats`, `/health`, `/metrics`). @default false */
  protectReads?: boolean
  /** Path prefix of the admin routes (no trailing slash). @default '/cache' */
  prefix?: string
  /** Serves `GET {metricsPath}` when given, e.g. `() => exporter.scrape()`. @default undefined (no metrics route) */
  metrics?: () => Promise<MetricsResponse>
  /** Path of the metrics route. @default '/metrics' */
  metricsPath?: string
  /** Loaders per namespace for `POST /warmup`; a namespace without one cannot be warmed up. @default {} */
  warmup?: Record<string, WarmupLoader>
  /** Keys loaded in parallel by one warm-up. @default 4 */
  warmupConcurrency?: number
  /** Most keys accepted by one warm-up request. @default 10000 */
  maxWarmupKeys?: number
  /**
   * Tiers whose failure makes `GET /health` answer 503. Other tiers being down reports `degraded` with 200.
   * @default every tier of the cache
   */
  requiredTiers?: string[]
  /**
   * Namespaces `POST /clear` accepts. @default the namespaces in `stats()` (configured or used) plus those in `warmup`
   */
  namespaces?: string[]
  /** Largest request body accepted (bytes or a size string); bigger bodies get 413. @default '1mb' */
  bodyLimit?: ByteSize
}
