import type { IncomingMessage } from 'node:http'

/** Marker for a body over the size limit. */
export const TOO_LARGE: unique symbol = Symbol('too-large')

/** Reads a node request body as UTF-8, stopping at `limit` bytes. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        // Drain the rest without buffering it so the 413 can still be written on this connection.
        req.resume()
        resolve(TOO_LARGE)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** Reads a fetch `Request` body as UTF-8, stopping at `limit` bytes. */
export async function readFetchBody(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return TOO_LARGE
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
