import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import Database from 'better-sqlite3'
import { entry, sqliteTestBed } from './helpers.js'

const { scope, make } = sqliteTestBed()

/** tsx's loader, registered with `--import` so the writer is one process (the tsx CLI would fork a second one). */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href
const FIXTURES = join(__dirname, 'fixtures')

interface Writer {
  child: ChildProcess
  /** Batch numbers the child printed, i.e. whose `setMany` had resolved. */
  acked: number[]
  stderr: () => string
  /** Resolves with the exit code (or signal) once the child is gone. */
  exited: Promise<number | string>
  /** Resolves when the child has acknowledged at least `n` batches. */
  ackedAtLeast: (n: number) => Promise<void>
}

/** Starts `fixtures/writer.ts` in its own node process (through tsx, from the TypeScript sources). */
function writer(path: string, id: string, batches: number, batchSize: number, payloadBytes: number): Writer {
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      join(FIXTURES, 'writer.ts'),
      path,
      id,
      String(batches),
      String(batchSize),
      String(payloadBytes),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Resolves @tierstack/* to the sources, like jest does.
      env: { ...process.env, TSX_TSCONFIG_PATH: join(FIXTURES, 'tsconfig.json') },
    },
  )
  scope.defer(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const acked: number[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  let buffered = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) if (/^\d+$/.test(line)) acked.push(Number(line))
    for (const w of waiters.splice(0)) {
      if (acked.length >= w.n) w.resolve()
      else waiters.push(w)
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  )
  return {
    child,
    acked,
    stderr: () => stderr,
    exited,
    ackedAtLeast: (n) =>
      new Promise<void>((resolve, reject) => {
        if (acked.length >= n) return resolve()
        waiters.push({ n, resolve })
        exited.then(() => reject(new Error(`writer ${id} exited after ${acked.length} batches: ${stderr}`)))
      }),
  }
}

function quickCheck(path: string): string[] {
  const db = new Database(path)
  try {
    return (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check)
  } finally {
    db.close()
  }
}

const keysOf = (id: string, batch: number, size: number) =>
  Array.from({ length: size }, (_, i) => `${id}:${batch}:${i}`)

describe('sqliteTier across processes', () => {
  it('setMany() batches acknowledged before a SIGKILL survive it, and the file passes quick_check', async () => {
    const path = scope.path('killed.db')
    const size = 200
    for (const [round, killAfter] of [
      [0, 5],
      [1, 17],
      [2, 31],
    ] as const) {
      const id = `w${round}`
      const w = writer(path, id, 0, size, 700)
      await w.ackedAtLeast(killAfter)
      // Land the kill at a random point of the next transactions.
      await new Promise((r) => setTimeout(r, Math.random() * 5))
      w.child.kill('SIGKILL')
      expect(await w.exited).toBe('SIGKILL')
      const lastAcked = Math.max(...w.acked)
      expect(w.acked).toEqual(Array.from({ length: lastAcked + 1 }, (_, i) => i))

      expect(quickCheck(path)).toEqual(['ok'])
      const tier = make({ path })
      for (let b = 0; b <= lastAcked; b++) {
        const got = await tier.getMany(keysOf(id, b, size))
        expect({ batch: b, missing: got.filter((e) => e === undefined).length }).toEqual({
          batch: b,
          missing: 0,
        })
      }
      // Batches after the last one seen: each is all there (committed, not yet printed) or not there at all.
      for (let b = lastAcked + 1; b <= lastAcked + 3; b++) {
        const present = (await tier.getMany(keysOf(id, b, size))).filter((e) => e !== undefined).length
        expect([0, size]).toContain(present)
      }
      const db = new Database(path, { readonly: true })
      const rows = db.prepare('SELECT count(*) FROM tierstack_cache').pluck().get()
      db.close()
      expect(tier.stats().entries).toBe(rows)
      expect((await tier.health({ quickCheck: true })).ok).toBe(true)
      await tier.close()
    }
  }, 60_000)

  it('setMany() from two processes and this one at once: no SQLITE_BUSY surfaces and no acknowledged write is lost', async () => {
    const path = scope.path('shared.db')
    // Create the file first so the writers do not race on creating the schema (that race is fine, but slower).
    const tier = make({ path })
    const batches = 120
    const size = 25
    const a = writer(path, 'a', batches, size, 300)
    const b = writer(path, 'b', batches, size, 300)
    await Promise.all([a.ackedAtLeast(1), b.ackedAtLeast(1)])
    let errors = 0
    for (let n = 0; n < batches; n++) {
      try {
        await tier.setMany(keysOf('main', n, size).map((k) => [k, entry(k)]))
        if (n % 10 === 0) await tier.clear(`main:${n}:`) // exercise other write paths under contention too
      } catch {
        errors++
      }
    }
    expect(errors).toBe(0)
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
    expect(a.stderr() + b.stderr()).toBe('')
    expect(a.acked.length).toBe(batches)
    expect(b.acked.length).toBe(batches)
    for (const id of ['a', 'b', 'main']) {
      for (let n = 0; n < batches; n++) {
        if (id === 'main' && n % 10 === 0) continue
        const missing = (await tier.getMany(keysOf(id, n, size))).filter((e) => e === undefined).length
        expect({ id, n, missing }).toEqual({ id, n, missing: 0 })
      }
    }
    expect(tier.stats().entries).toBe(3 * batches * size - (batches / 10) * size)
    expect(quickCheck(path)).toEqual(['ok'])
  }, 90_000)
})
