import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createDecoder, detectFormat, readTrace, type TraceFormat } from '../src/traces/read-trace.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-traces-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function readAll(file: string, format?: TraceFormat, batchSize?: number): Promise<string[]> {
  const keys: string[] = []
  for await (const batch of readTrace(file, { format, batchSize })) keys.push(...batch)
  return keys
}

/** Feeds `bytes` to a decoder split at every possible position, so records and numbers cross chunk edges. */
function decodeSplit(format: TraceFormat, bytes: Buffer): string[][] {
  const results: string[][] = []
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = createDecoder(format)
    const out: string[] = []
    d.push(bytes.subarray(0, cut), out)
    d.push(bytes.subarray(cut), out)
    d.end(out)
    results.push(out)
  }
  return results
}

function write(name: string, bytes: Buffer | string): string {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

function int64BE(values: bigint[]): Buffer {
  const b = Buffer.alloc(values.length * 8)
  values.forEach((v, i) => {
    b.writeBigInt64BE(v, i * 8)
  })
  return b
}

function oracleGeneral(records: { ts: number; id: bigint; size: number; next: bigint }[]): Buffer {
  const b = Buffer.alloc(records.length * 24)
  records.forEach((r, i) => {
    b.writeUInt32LE(r.ts, i * 24)
    b.writeBigUInt64LE(r.id, i * 24 + 4)
    b.writeUInt32LE(r.size, i * 24 + 12)
    b.writeBigInt64LE(r.next, i * 24 + 16)
  })
  return b
}

describe('detectFormat()', () => {
  it('detectFormat() maps file names to formats, ignoring .gz', () => {
    expect(detectFormat('/x/arc-oltp.lis.gz')).toBe('arc')
    expect(detectFormat('P1.lis')).toBe('arc')
    expect(detectFormat('cache2k-web07.trace.gz')).toBe('cache2k')
    expect(detectFormat('corda-vaultservice.trace.gz')).toBe('corda')
    expect(detectFormat('w01.oracleGeneral.bin.zst')).toBe('oracleGeneral')
    expect(detectFormat('cluster52.bin')).toBe('oracleGeneral')
    expect(detectFormat('lirs-gli.trace.gz')).toBe('lirs')
    expect(detectFormat('multi2.trace')).toBe('lirs')
  })
})

describe('arc reader', () => {
  it('readTrace() expands `start count ignore seq` lines to count consecutive keys', async () => {
    const file = write('a.lis', '10 3 0 0\n5 1 0 1\r\n\n7 2 0 2')
    expect(await readAll(file)).toEqual(['10', '11', '12', '5', '7', '8'])
  })

  it('readTrace() reads a gzipped arc trace as a stream, in batches', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `${i * 10} 2 0 ${i}`).join('\n')
    const file = write('big.lis.gz', gzipSync(lines))
    const keys = await readAll(file, undefined, 100)
    expect(keys).toHaveLength(4000)
    expect(keys.slice(0, 4)).toEqual(['0', '1', '10', '11'])
    expect(keys.at(-1)).toBe('19991')
  })

  it('push() carries numbers across chunk boundaries', () => {
    for (const out of decodeSplit('arc', Buffer.from('123 2 0 0\n45 1 0 1\n')))
      expect(out).toEqual(['123', '124', '45'])
  })
})

describe('lirs reader', () => {
  it('readTrace() reads one key per line and skips blank and * lines', async () => {
    const file = write('x.trace', '1\n2\n\n*\n3\n*\n  \n2\n')
    expect(await readAll(file)).toEqual(['1', '2', '3', '2'])
  })

  it('push() carries numbers across chunk boundaries', () => {
    for (const out of decodeSplit('lirs', Buffer.from('987\n*\n65\n4')))
      expect(out).toEqual(['987', '65', '4'])
  })

  it('push() rejects a line with garbage after a number', () => {
    const d = createDecoder('lirs')
    expect(() => d.push(Buffer.from('12x\n'), [])).toThrow(/line 1/)
  })
})

describe('cache2k reader', () => {
  it('readTrace() reads big-endian int32 keys, gzipped or not', async () => {
    const b = Buffer.alloc(16)
    ;[1, 256, -2, 2147483647].forEach((v, i) => {
      b.writeInt32BE(v, i * 4)
    })
    expect(await readAll(write('t-cache2k.trace', b))).toEqual(['1', '256', '-2', '2147483647'])
    expect(await readAll(write('t-cache2k.trace.gz', gzipSync(b)))).toEqual(['1', '256', '-2', '2147483647'])
  })

  it('push() reassembles records split across chunks and end() rejects a truncated record', () => {
    const b = Buffer.alloc(8)
    b.writeInt32BE(7, 0)
    b.writeInt32BE(70000, 4)
    for (const out of decodeSplit('cache2k', b)) expect(out).toEqual(['7', '70000'])
    const d = createDecoder('cache2k')
    d.push(Buffer.from([0, 0, 1]), [])
    expect(() => d.end([])).toThrow(/inside a record/)
  })
})

describe('corda reader', () => {
  const values = [0n, 42n, -1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)]

  it('readTrace() reads big-endian int64 keys exactly, beyond 2^53 too', async () => {
    const keys = await readAll(write('sample-corda.trace.gz', gzipSync(int64BE(values))))
    expect(keys).toEqual(values.map(String))
    // 2^53 and 2^53 + 1 are the same double: as keys they must stay apart.
    expect(new Set(keys).size).toBe(values.length)
  })

  it('push() reassembles records split across chunks', () => {
    for (const out of decodeSplit('corda', int64BE([2n ** 60n + 3n, 5n]))) {
      expect(out).toEqual([String(2n ** 60n + 3n), '5'])
    }
  })
})

describe('oracleGeneral reader', () => {
  const records = [
    { ts: 1, id: 17n, size: 100, next: 5n },
    { ts: 2, id: 2n ** 53n + 1n, size: 0, next: -1n },
    { ts: 3, id: 17n, size: 4096, next: -1n },
    { ts: 4, id: 2n ** 64n - 1n, size: 1, next: 9n },
    { ts: 5, id: 2n ** 53n, size: 1, next: 9n },
  ]

  it('readTrace() reads the objId of 24-byte little-endian records, ignoring the other fields', async () => {
    const file = write('sample.oracleGeneral.bin', oracleGeneral(records))
    expect(await readAll(file)).toEqual(records.map((r) => String(r.id)))
    const gz = write('sample2.oracleGeneral.bin.gz', gzipSync(oracleGeneral(records)))
    expect(await readAll(gz, 'oracleGeneral')).toEqual(records.map((r) => String(r.id)))
  })

  it('push() reassembles records split across chunks and end() rejects a truncated file', async () => {
    const bytes = oracleGeneral(records.slice(0, 2))
    for (const out of decodeSplit('oracleGeneral', bytes)) expect(out).toEqual(['17', String(2n ** 53n + 1n)])
    const file = write('cut.oracleGeneral.bin', bytes.subarray(0, 30))
    await expect(readAll(file)).rejects.toThrow(/inside a record/)
  })
})
