// Trace readers for the hit-ratio script (not shipped). Every reader streams the gzip file and returns the
// request sequence as an array of string keys.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'

/** Trace formats understood by `readTrace`. */
export type TraceFormat = 'arc' | 'lirs' | 'cache2k' | 'corda' | 'oracleGeneral'

/** Guesses the format from the file name (`arc-*.lis.gz`, `lirs-*`, `cache2k-*`, `corda-*`, `*.oracleGeneral*`). */
export function guessFormat(file: string): TraceFormat {
  const base = file.split('/').pop() ?? file
  if (base.includes('.lis')) return 'arc'
  if (base.startsWith('lirs')) return 'lirs'
  if (base.startsWith('cache2k')) return 'cache2k'
  if (base.startsWith('corda')) return 'corda'
  if (base.includes('oracleGeneral')) return 'oracleGeneral'
  throw new Error(`cannot guess the format of ${file}; pass --format`)
}

function open(file: string): NodeJS.ReadableStream {
  const raw = createReadStream(file)
  return file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw
}

async function readLines(file: string, onLine: (line: string) => void): Promise<void> {
  const rl = createInterface({ input: open(file), crlfDelay: Number.POSITIVE_INFINITY })
  for await (const line of rl) onLine(line)
}

/** Calls `onRecord(buffer, offset)` for every complete fixed-size record of a binary trace. */
async function readRecords(
  file: string,
  size: number,
  onRecord: (buf: Buffer, offset: number) => void,
): Promise<void> {
  let rest = Buffer.alloc(0)
  for await (const chunk of open(file) as AsyncIterable<Buffer>) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk
    const whole = buf.length - (buf.length % size)
    for (let off = 0; off < whole; off += size) onRecord(buf, off)
    rest = buf.subarray(whole)
  }
}

/** Reads a whole trace into memory as string keys. */
export async function readTrace(file: string, format: TraceFormat = guessFormat(file)): Promise<string[]> {
  const keys: string[] = []
  switch (format) {
    case 'arc':
      await readLines(file, (line) => {
        const parts = line.trim().split(/\s+/)
        if (parts.length < 2) return
        const start = Number(parts[0])
        const count = Number(parts[1])
        for (let i = 0; i < count; i++) keys.push(String(start + i))
      })
      break
    case 'lirs':
      await readLines(file, (line) => {
        const t = line.trim()
        if (t === '' || t === '*') return
        keys.push(t)
      })
      break
    case 'cache2k':
      await readRecords(file, 4, (buf, off) => keys.push(String(buf.readInt32BE(off))))
      break
    case 'corda':
      await readRecords(file, 8, (buf, off) => keys.push(buf.readBigInt64BE(off).toString()))
      break
    case 'oracleGeneral':
      await readRecords(file, 24, (buf, off) => keys.push(buf.readBigUInt64LE(off + 4).toString()))
      break
  }
  return keys
}
