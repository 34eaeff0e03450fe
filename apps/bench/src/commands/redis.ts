/**
 * `bench redis`: a memory + Redis stack answering L2 hits (the key is in Redis, not in the small L1) at a given
 * concurrency, for tierstack and its peers against raw auto-pipelined ioredis GET, all in the same run against
 * the same redis-server (started on a free port unless --url is given).
 *
 *   pnpm --filter bench bench redis [--concurrency 64] [--keys 10000] [--l1 100] [--time 3000] [--runs 3]
 *                                   [--subjects ioredis,tierstack,…] [--url redis://…] [--json]
 */
import { parseArgs } from 'node:util'
import { type Command, jsonFlag, markdownTable, note, output, parseNameList } from '../command.js'
import { formatRate, median } from '../workloads/measure.js'
import { seededRandom } from '../workloads/random.js'

/** One cache under test, reduced to what the workload needs. */
interface RedisSubject {
  readonly name: string
  get(key: string): Promise<unknown>
  set(key: string, value: unknown): Promise<unknown>
  close(): Promise<void>
}

interface SubjectConfig {
  url: string
  host: string
  port: number
  /** L1 capacity in entries. */
  l1: number
}

type SubjectFactory = (config: SubjectConfig) => Promise<RedisSubject>

/** Raw ioredis GET of a JSON string with auto-pipelining: the baseline (no L1, no parsing, no envelope). */
const ioredisSubject: SubjectFactory = async ({ url }) => {
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, { enableAutoPipelining: true })
  return {
    name: 'ioredis GET (auto-pipelined)',
    get: (key) => redis.get(`bench-raw:${key}`),
    set: (key, value) => redis.set(`bench-raw:${key}`, JSON.stringify(value)),
    close: async () => {
      await redis.quit()
    },
  }
}

function tierstackSubject(name: string, coalesceGets: boolean): SubjectFactory {
  return async ({ url, l1 }) => {
    const { createCache, memoryTier } = await import('@tierstack/core')
    const { redisTier } = await import('@tierstack/tier-redis')
    const cache = createCache({
      tiers: [memoryTier({ maxEntries: l1 }), redisTier({ url, prefix: 'bench-ts:', coalesceGets })],
      defaults: { ttl: '1h' },
    })
    return {
      name,
      get: (key) => cache.get(key),
      set: (key, value) => cache.set(key, value),
      close: () => cache.close(),
    }
  }
}

const bentocacheSubject: SubjectFactory = async ({ host, port, l1 }) => {
  const { BentoCache, bentostore } = await import('bentocache')
  const { memoryDriver } = await import('bentocache/drivers/memory')
  const { redisDriver } = await import('bentocache/drivers/redis')
  const bento = new BentoCache({
    default: 'stack',
    prefix: 'bench-bc',
    ttl: '1h',
    stores: {
      stack: bentostore()
        .useL1Layer(memoryDriver({ maxItems: l1 }))
        .useL2Layer(redisDriver({ connection: { host, port } })),
    },
  })
  return {
    name: 'bentocache',
    get: (key) => bento.get({ key }),
    set: (key, value) => bento.set({ key, value }),
    close: () => bento.disconnectAll(),
  }
}

const cacheableSubject: SubjectFactory = async ({ url, l1 }) => {
  const { Cacheable, createKeyv } = await import('cacheable')
  const { Keyv } = await import('keyv')
  const { default: KeyvRedis } = await import('@keyv/redis')
  const secondary = new Keyv({ store: new KeyvRedis(url), namespace: 'bench-ca' })
  const c = new Cacheable({ primary: createKeyv({ lruSize: l1 }), secondary, ttl: '1h' })
  return {
    name: 'cacheable',
    get: (key) => c.get(key),
    set: (key, value) => c.set(key, value),
    close: () => c.disconnect(),
  }
}

const cacheManagerSubject: SubjectFactory = async ({ url, l1 }) => {
  const { createCache } = await import('cache-manager')
  const { createKeyv } = await import('cacheable')
  const { Keyv } = await import('keyv')
  const { default: KeyvRedis } = await import('@keyv/redis')
  const cm = createCache({
    stores: [createKeyv({ lruSize: l1 }), new Keyv({ store: new KeyvRedis(url), namespace: 'bench-cm' })],
    ttl: 3_600_000,
  })
  return {
    name: 'cache-manager',
    get: (key) => cm.get(key),
    set: (key, value) => cm.set(key, value),
    close: async () => {
      await cm.disconnect()
    },
  }
}

/** Subjects by command-line name, in table order. */
const subjects: Record<string, SubjectFactory> = {
  ioredis: ioredisSubject,
  tierstack: tierstackSubject('tierstack', true),
  'tierstack-nobatch': tierstackSubject('tierstack (coalesceGets: false)', false),
  bentocache: bentocacheSubject,
  cacheable: cacheableSubject,
  'cache-manager': cacheManagerSubject,
}
const PEERS = ['bentocache', 'cacheable', 'cache-manager']

/** One measured figure. */
export interface RedisBenchRow {
  subject: string
  /** Median over the runs. */
  opsPerSec: number
  /** opsPerSec / raw ioredis GET's (same run). */
  ratioToIoredis: number
  /** Share of gets that returned the value (must be 1: the workload measures hits). */
  hitRatio: number
  /** CPU time of this process per get, µs (insensitive to other load on the machine, unlike ops/s). */
  clientCpuUsPerOp: number
  /** CPU time of redis-server per get, µs (from INFO cpu). */
  serverCpuUsPerOp: number
  runs: number[]
}

function valueFor(i: number): unknown {
  return { id: i, name: `user-${i}`, roles: ['reader', 'writer'], score: i / 7 }
}

/** `concurrency` callers, each awaiting one `get` after another, for `timeMs`; returns ops/s and hits. */
async function measure(
  subject: RedisSubject,
  keys: string[],
  sequence: Uint32Array,
  concurrency: number,
  timeMs: number,
): Promise<{ opsPerSec: number; hits: number; calls: number }> {
  let stop = false
  let calls = 0
  let hits = 0
  const worker = async (w: number) => {
    let i = w * 7919
    while (!stop) {
      const value = await subject.get(keys[sequence[i++ % sequence.length]!]!)
      calls++
      if (value !== undefined && value !== null) hits++
    }
  }
  const start = performance.now()
  const timer = setTimeout(() => {
    stop = true
  }, timeMs)
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  clearTimeout(timer)
  const elapsed = performance.now() - start
  return { opsPerSec: (calls * 1000) / elapsed, hits, calls }
}

/** redis-server's CPU time so far, µs. */
async function serverCpu(probe: { info(section: string): Promise<string> }): Promise<number> {
  const info = await probe.info('cpu')
  const read = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1e6
}

async function populate(subject: RedisSubject, keys: string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 256) {
    await Promise.all(keys.slice(start, start + 256).map((k, j) => subject.set(k, valueFor(start + j))))
  }
}

export const command: Command = {
  name: 'redis',
  description: 'memory+redis stack, L2 hits at concurrency 64: tierstack vs raw ioredis GET vs peers',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...jsonFlag,
        url: { type: 'string' },
        concurrency: { type: 'string', default: '64' },
        keys: { type: 'string', default: '10000' },
        l1: { type: 'string', default: '100' },
        time: { type: 'string', default: '3000' },
        warmup: { type: 'string', default: '1000' },
        runs: { type: 'string', default: '3' },
        subjects: { type: 'string', default: Object.keys(subjects).join(',') },
      },
    })
    const int = (flag: string, v: string) => {
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n <= 0)
        throw new Error(`--${flag} must be a positive integer, got '${v}'`)
      return n
    }
    const concurrency = int('concurrency', values.concurrency)
    const keyCount = int('keys', values.keys)
    const l1 = int('l1', values.l1)
    const timeMs = int('time', values.time)
    const warmupMs = int('warmup', values.warmup)
    const runs = int('runs', values.runs)
    const names = parseNameList(values.subjects)
    for (const n of names)
      if (!(n in subjects))
        throw new Error(`unknown subject '${n}' (known: ${Object.keys(subjects).join(', ')})`)
    if (!names.includes('ioredis')) names.unshift('ioredis')

    // Our own throwaway server unless --url: the bench writes keys and must not touch someone's data.
    let server: { url: string; stop(): Promise<void> } | undefined
    let url = values.url
    if (url === undefined) {
      const { startRedis } = await import('../../../../packages/tier-redis/test/helpers/redis-server.js')
      server = await startRedis({ useEnv: false })
      url = server.url
      note(`started redis-server at ${url}`)
    }
    const parsed = new URL(url)
    const config: SubjectConfig = { url, host: parsed.hostname, port: Number(parsed.port || 6379), l1 }

    const keys = Array.from({ length: keyCount }, (_, i) => `user:${i}`)
    const random = seededRandom(42)
    const sequence = new Uint32Array(1 << 16)
    for (let i = 0; i < sequence.length; i++) sequence[i] = Math.floor(random() * keyCount)

    const built: RedisSubject[] = []
    try {
      for (const n of names) {
        const subject = await subjects[n]!(config)
        built.push(subject)
        note(`populating ${subject.name} (${keyCount} keys)…`)
        await populate(subject, keys)
        await measure(subject, keys, sequence, concurrency, warmupMs)
      }
      const { Redis } = await import('ioredis')
      const probe = new Redis(url)
      const results = new Map(
        built.map((s) => [s.name, { ops: [] as number[], hits: 0, calls: 0, clientUs: 0, serverUs: 0 }]),
      )
      for (let r = 0; r < runs; r++) {
        // Rotate the order so no subject always runs right after the same one.
        const order = built.map((_, i) => built[(i + r) % built.length]!)
        for (const subject of order) {
          const server0 = await serverCpu(probe)
          const client0 = process.cpuUsage()
          const m = await measure(subject, keys, sequence, concurrency, timeMs)
          const client = process.cpuUsage(client0)
          const acc = results.get(subject.name)!
          acc.clientUs += client.user + client.system
          acc.serverUs += (await serverCpu(probe)) - server0
          acc.ops.push(m.opsPerSec)
          acc.hits += m.hits
          acc.calls += m.calls
          note(`run ${r + 1}/${runs} ${subject.name}: ${formatRate(m.opsPerSec)} ops/s`)
        }
      }
      probe.disconnect()
      const baseline = median(results.get(built[0]!.name)!.ops)
      const rows: RedisBenchRow[] = built.map((s) => {
        const acc = results.get(s.name)!
        const ops = median(acc.ops)
        return {
          subject: s.name,
          opsPerSec: ops,
          ratioToIoredis: ops / baseline,
          hitRatio: acc.hits / acc.calls,
          clientCpuUsPerOp: acc.clientUs / acc.calls,
          serverCpuUsPerOp: acc.serverUs / acc.calls,
          runs: acc.ops,
        }
      })
      const peerRows = rows.filter((row) => PEERS.some((p) => subjects[p] && row.subject === p))
      const best = peerRows.reduce<RedisBenchRow | undefined>(
        (a, b) => (a === undefined || b.opsPerSec > a.opsPerSec ? b : a),
        undefined,
      )
      const ts = rows.find((row) => row.subject === 'tierstack')
      const summary = {
        concurrency,
        keys: keyCount,
        l1,
        timeMs,
        runs,
        rows,
        fastestPeer: best?.subject,
        tierstackVsFastestPeer: ts && best ? ts.opsPerSec / best.opsPerSec : undefined,
      }
      output(values.json, summary, () => {
        const table = markdownTable(
          ['subject', 'ops/s', '× ioredis GET', 'hit ratio', 'client CPU µs/get', 'server CPU µs/get'],
          rows.map((row) => [
            row.subject,
            formatRate(row.opsPerSec),
            row.ratioToIoredis.toFixed(2),
            `${(row.hitRatio * 100).toFixed(1)}%`,
            row.clientCpuUsPerOp.toFixed(2),
            row.serverCpuUsPerOp.toFixed(2),
          ]),
        )
        const vs =
          ts && best
            ? `\n\ntierstack / fastest peer (${best.subject}): ${(ts.opsPerSec / best.opsPerSec).toFixed(2)}×`
            : ''
        return `L2 hits, memory (${l1} entries) + Redis, ${keyCount} keys, concurrency ${concurrency}, median of ${runs} × ${timeMs} ms\n\n${table}${vs}`
      })
    } finally {
      for (const s of built) await s.close().catch(() => undefined)
      await server?.stop()
    }
  },
}

export default command
