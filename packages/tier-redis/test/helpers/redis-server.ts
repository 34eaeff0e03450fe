/**
 * Real `redis-server` processes for tests. STABLE API — other packages (apps/demo) import this file by
 * relative path (`../../../packages/tier-redis/test/helpers/redis-server`), so only add to it.
 *
 * ```ts
 * import { startRedis, startCluster } from './helpers/redis-server'
 *
 * const server = await startRedis()            // honours REDIS_URL unless { useEnv: false }
 * server.url                                   // 'redis://127.0.0.1:31234'
 * await server.kill('SIGKILL'); await server.restart()
 * await server.pause(); await server.resume()  // SIGSTOP / SIGCONT: the server hangs, sockets stay open
 * await server.stop()                          // always call it (afterAll); idempotent
 *
 * const cluster = await startCluster()         // 6 nodes, 3 masters + 3 replicas, cluster_state:ok everywhere
 * cluster.nodes                                // [{ host, port }, …] for `new Cluster(nodes)`
 * cluster.servers[i]                           // one RedisServer per node (kill / pause / restart one node)
 * await cluster.masters()                      // the servers that are masters right now
 * await cluster.stop()
 *
 * const sentinel = await startSentinel(server)  // a sentinel monitoring `server` as 'mymaster'
 * new Redis({ sentinels: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.masterName })
 * await sentinel.stop()
 * ```
 *
 * Servers run with `--save "" --appendonly no` in a temporary `--dir`, bound to 127.0.0.1 on a free port.
 * When `redis-server` cannot be started the promise rejects with a message that says how to install it: tests
 * that need Redis then FAIL, they are never skipped. Every process started here is SIGKILLed when the test
 * process exits, so a crashed test run does not leak servers.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where a server listens. */
export interface RedisNodeAddress {
  host: string
  port: number
}

/** A running `redis-server` started by the tests (or the one REDIS_URL points to). */
export interface RedisServer extends RedisNodeAddress {
  /** `redis://host:port`. */
  readonly url: string
  /** `true` when this handle points at REDIS_URL: kill/pause/restart then throw. */
  readonly external: boolean
  /** The pid of the running process (`undefined` after kill/stop or when external). */
  readonly pid: number | undefined
  /** Sends `signal` (default SIGKILL); for fatal signals waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** SIGSTOP: the process stops answering but keeps its sockets open (a hung server). */
  pause(): Promise<void>
  /** SIGCONT after `pause()`. */
  resume(): Promise<void>
  /** Starts the server again on the same port and directory (after `kill`), waits until it answers PING. */
  restart(): Promise<void>
  /** Stops the server (SIGCONT + SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

/** A 6-node Redis Cluster (3 masters, 3 replicas) started by the tests. */
export interface RedisClusterHandle {
  /** Seed nodes for `new Cluster(nodes)`. */
  readonly nodes: RedisNodeAddress[]
  /** One handle per node, in port order. */
  readonly servers: RedisServer[]
  /** The servers that are masters right now (asks every live node for `ROLE`). */
  masters(): Promise<RedisServer[]>
  /** Waits until every live node reports `cluster_state:ok`, sees the whole slot range, and every replica is in sync. */
  waitForOk(timeoutMs?: number): Promise<void>
  /** Sends `signal` to every node. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** SIGSTOP on every node. */
  pause(): Promise<void>
  /** SIGCONT on every node. */
  resume(): Promise<void>
  /** Restarts every node that is not running (same ports, same nodes.conf) and waits for `cluster_state:ok`. */
  restart(): Promise<void>
  /** Stops every node and removes the directory. Idempotent. */
  stop(): Promise<void>
}

/** A Redis Sentinel (`redis-server --sentinel`) monitoring one master under the name `masterName`. */
export interface RedisSentinelHandle extends RedisNodeAddress {
  /** The name the master is monitored under (ioredis option `name`). */
  readonly masterName: string
  /** Stops the sentinel and removes its directory. Idempotent. */
  stop(): Promise<void>
}

/** Options of `startRedis`. */
export interface StartRedisOptions {
  /** Use `process.env.REDIS_URL` when set instead of starting a server. @default true */
  useEnv?: boolean
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '10mb']`. */
  args?: string[]
}

/** Options of `startCluster`. */
export interface StartClusterOptions {
  /** `cluster-node-timeout` in ms: how fast a dead master is failed over. @default 1000 */
  nodeTimeoutMs?: number
}

const INSTALL_HINT =
  'redis-server could not be started. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, ' +
  'macOS: `brew install redis`) or point REDIS_URL at a server you own.'

const live = new Set<ChildProcess>()
let exitHookInstalled = false
function trackProcess(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const c of live) {
        try {
          c.kill('SIGCONT')
          c.kill('SIGKILL')
        } catch {
          // already gone
        }
      }
    })
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

/** A port that is free, and (for cluster nodes) whose cluster bus port `port + 10000` is free too. */
async function freePort(withBusPort: boolean): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 25000)
    if ((await canBind(port)) && (!withBusPort || (await canBind(port + 10000)))) return port
  }
  throw new Error('redis-server helper: no free port found')
}

/** Sends one inline command over a raw socket and returns the raw reply (no client library involved). */
export function rawCommand(
  port: number,
  command: string,
  timeoutMs = 1000,
  host = '127.0.0.1',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host)
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`redis ${host}:${port} did not answer '${command}' within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.setEncoding('utf8')
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    socket.on('data', (chunk: string) => {
      data += chunk
      if (isCompleteReply(data)) {
        clearTimeout(timer)
        socket.destroy()
        resolve(data)
      }
    })
    socket.write(`${command}\r\n`)
  })
}

/** Enough of RESP to know whether a simple/bulk reply is complete. */
function isCompleteReply(data: string): boolean {
  if (!data.endsWith('\r\n')) return false
  if (data[0] !== '$') return true
  const nl = data.indexOf('\r\n')
  const len = Number(data.slice(1, nl))
  return len < 0 || Buffer.byteLength(data, 'utf8') >= nl + 2 + len + 2
}

async function waitForPing(
  port: number,
  child: ChildProcess,
  deadlineMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${INSTALL_HINT}\nredis-server on port ${port} exited early:\n${output()}`)
    }
    try {
      const reply = await rawCommand(port, 'PING', 500)
      if (reply.startsWith('+PONG')) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${INSTALL_HINT}\nredis-server on port ${port} did not answer PING:\n${output()}`)
    await sleep(25)
  }
}

function spawnServer(args: string[]): { child: ChildProcess; output: () => string; spawned: Promise<void> } {
  let out = ''
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve())
    child.once('error', (err) => reject(new Error(`${INSTALL_HINT}\n(${err.message})`, { cause: err })))
  })
  child.stdout?.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-4000)
  })
  child.stderr?.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-4000)
  })
  trackProcess(child)
  return { child, output: () => out, spawned }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

class ServerProcess implements RedisServer {
  readonly host = '127.0.0.1'
  readonly external = false
  #child: ChildProcess | undefined
  #stopped = false

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly args: string[],
    readonly ownsDir: boolean,
  ) {}

  get url(): string {
    return `redis://${this.host}:${this.port}`
  }

  get pid(): number | undefined {
    const c = this.#child
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined
  }

  async start(): Promise<void> {
    const { child, output, spawned } = spawnServer([
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      ...this.args,
    ])
    this.#child = child
    await spawned
    await waitForPing(this.port, child, 10_000, output)
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.#child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') {
      c.kill('SIGCONT')
      c.kill(signal)
      await waitExit(c)
    } else {
      c.kill(signal)
    }
  }

  async pause(): Promise<void> {
    this.#child?.kill('SIGSTOP')
  }

  async resume(): Promise<void> {
    this.#child?.kill('SIGCONT')
  }

  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('redis-server helper: restart() after stop()')
    await this.kill('SIGKILL')
    await this.start()
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.kill('SIGKILL')
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true })
  }
}

class ExternalServer implements RedisServer {
  readonly external = true
  readonly pid = undefined
  readonly host: string
  readonly port: number
  constructor(readonly url: string) {
    const u = new URL(url)
    this.host = u.hostname
    this.port = Number(u.port || 6379)
  }
  #refuse(): never {
    throw new Error(
      'redis-server helper: this server comes from REDIS_URL; start one with { useEnv: false } to kill it',
    )
  }
  async kill(): Promise<void> {
    this.#refuse()
  }
  async pause(): Promise<void> {
    this.#refuse()
  }
  async resume(): Promise<void> {
    this.#refuse()
  }
  async restart(): Promise<void> {
    this.#refuse()
  }
  async stop(): Promise<void> {}
}

/** Starts a standalone `redis-server` on a free port (or returns REDIS_URL's server, see `useEnv`). */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const envUrl = process.env.REDIS_URL
  if ((options.useEnv ?? true) && envUrl) return new ExternalServer(envUrl)
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'tierstack-redis-'))
    const server = new ServerProcess(await freePort(false), dir, options.args ?? [], true)
    try {
      await server.start()
      return server
    } catch (err) {
      lastError = err
      await server.stop()
      if (err instanceof Error && err.message.includes('ENOENT')) break
    }
  }
  throw lastError
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

/** Starts a 6-node cluster (3 masters + 3 replicas) and waits for `cluster_state:ok` on every node. */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisClusterHandle> {
  const nodeTimeout = options.nodeTimeoutMs ?? 1000
  const dir = mkdtempSync(join(tmpdir(), 'tierstack-redis-cluster-'))
  const servers: ServerProcess[] = []
  const handle: RedisClusterHandle = {
    get nodes() {
      return servers.map((s) => ({ host: s.host, port: s.port }))
    },
    servers,
    async masters() {
      const out: RedisServer[] = []
      for (const s of servers) {
        if (s.pid === undefined) continue
        try {
          const reply = await rawCommand(s.port, 'ROLE', 500)
          if (reply.includes('master')) out.push(s)
        } catch {
          // down or paused
        }
      }
      return out
    },
    async waitForOk(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        let ok = true
        for (const s of servers) {
          if (s.pid === undefined) continue
          try {
            const info = parseInfo(await rawCommand(s.port, 'CLUSTER INFO', 500))
            if (
              info.cluster_state !== 'ok' ||
              info.cluster_slots_ok !== '16384' ||
              Number(info.cluster_known_nodes) < servers.length
            )
              ok = false
            // A replica that has not finished its first sync cannot take over: wait for every link to be up.
            const repl = parseInfo(await rawCommand(s.port, 'INFO replication', 500))
            if (repl.role === 'slave' && repl.master_link_status !== 'up') ok = false
          } catch {
            ok = false
          }
        }
        if (ok) return
        if (Date.now() > deadline)
          throw new Error('redis-server helper: cluster did not reach cluster_state:ok')
        await sleep(100)
      }
    },
    async kill(signal = 'SIGKILL') {
      await Promise.all(servers.map((s) => s.kill(signal)))
    },
    async pause() {
      await Promise.all(servers.map((s) => s.pause()))
    },
    async resume() {
      await Promise.all(servers.map((s) => s.resume()))
    },
    async restart() {
      await Promise.all(servers.filter((s) => s.pid === undefined).map((s) => s.start()))
      await handle.waitForOk()
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    for (let i = 0; i < 6; i++) {
      const port = await freePort(true)
      const server = new ServerProcess(
        port,
        dir,
        [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeout),
          '--dbfilename',
          `dump-${port}.rdb`,
        ],
        false,
      )
      servers.push(server)
    }
    await Promise.all(servers.map((s) => s.start()))
    await createCluster(servers.map((s) => `127.0.0.1:${s.port}`))
    await handle.waitForOk()
    return handle
  } catch (err) {
    await handle.stop()
    throw err
  }
}

function createCluster(addresses: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    const child = spawn(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    trackProcess(child)
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.once('error', (err) =>
      reject(new Error(`${INSTALL_HINT}\n(redis-cli: ${err.message})`, { cause: err })),
    )
    child.once('exit', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`redis-cli --cluster create failed (exit ${code}):\n${out.slice(-3000)}`))
    })
  })
}

/** Starts a Redis Sentinel on a free port monitoring `master` as `masterName` (default 'mymaster'). */
export async function startSentinel(
  master: RedisNodeAddress,
  masterName = 'mymaster',
): Promise<RedisSentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'tierstack-sentinel-'))
  const port = await freePort(false)
  const conf = join(dir, 'sentinel.conf')
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} ${master.host} ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      '',
    ].join('\n'),
  )
  const { child, output, spawned } = spawnServer([conf, '--sentinel'])
  let stopped = false
  const handle: RedisSentinelHandle = {
    host: '127.0.0.1',
    port,
    masterName,
    async stop() {
      if (stopped) return
      stopped = true
      child.kill('SIGKILL')
      await waitExit(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await spawned
    await waitForPing(port, child, 10_000, output)
    // Wait until the sentinel knows the master.
    const deadline = Date.now() + 10_000
    for (;;) {
      const reply = await rawCommand(port, `SENTINEL get-master-addr-by-name ${masterName}`, 500).catch(
        () => '',
      )
      if (reply.includes(String(master.port))) break
      if (Date.now() > deadline)
        throw new Error(`redis-server helper: sentinel does not see ${masterName}:\n${output()}`)
      await sleep(50)
    }
    return handle
  } catch (err) {
    await handle.stop()
    throw err
  }
}
