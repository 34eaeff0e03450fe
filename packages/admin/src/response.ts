/** A response in framework-neutral form; `body` is either complete or streamed (NDJSON progress). */
export interface AdminResponse {
  status: number
  headers: Record<string, string>
  body: string | AsyncIterable<string>
}

const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

/** A JSON response. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): AdminResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
    body: `${JSON.stringify(value, replacer)}\n`,
  }
}

/** An error response: `{ error: { status, message } }`. */
export function problem(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): AdminResponse {
  return json(status, { error: { status, message } }, headers)
}

/** A streamed NDJSON response: one JSON document per line. */
export function ndjson(status: number, lines: AsyncIterable<unknown>): AdminResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8' },
    body: (async function* () {
      for await (const line of lines) yield `${JSON.stringify(line, replacer)}\n`
    })(),
  }
}

/** A raw text response (metrics). */
export function text(status: number, contentType: string, body: string): AdminResponse {
  return { status, headers: { ...BASE_HEADERS, 'content-type': contentType }, body }
}

// Stats hold numbers only, but Infinity (no expiry) and bigint must not break JSON.stringify.
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? null : String(value)
  return value
}
