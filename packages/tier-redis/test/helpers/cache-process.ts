import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** A cache instance running in a child process (test/fixtures/cache-process.ts), driven by JSON lines. */
export interface CacheProcess {
  readonly pid: number | undefined
  /** Sends a command and resolves with the reply (rejects on `{ ok: false }`). */
  send(cmd: Record<string, unknown>): Promise<Record<string, any>>
  /** Closes the cache and waits for the process to exit (SIGKILL after 5 s). */
  stop(): Promise<void>
}

const root = join(__dirname, '..', '..')

/** Spawns a child process running a tierstack cache (from the workspace sources, through tsx). */
export function spawnCacheProcess(): CacheProcess {
  const child: ChildProcess = spawn(
    join(root, 'node_modules', '.bin', 'tsx'),
    [
      '--tsconfig',
      join(root, 'test', 'fixtures', 'tsconfig.json'),
      join(root, 'test', 'fixtures', 'cache-process.ts'),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000)
  })
  const pending = new Map<number, { resolve: (v: Record<string, any>) => void; reject: (e: Error) => void }>()
  let seq = 0
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`cache process exited (${code}):\n${stderr}`))
    pending.clear()
  })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, any>
    try {
      msg = JSON.parse(line)
    } catch {
      return
    }
    const p = pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id)
    if (msg.ok) p.resolve(msg)
    else p.reject(new Error(`cache process: ${msg.error}`))
  })
  return {
    get pid() {
      return child.pid
    },
    send(cmd) {
      const id = ++seq
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        child.stdin!.write(`${JSON.stringify({ id, ...cmd })}\n`)
      })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.stdin!.end(`${JSON.stringify({ id: ++seq, cmd: 'close' })}\n`)
      await exited
      clearTimeout(timer)
    },
  }
}
