/**
 * `bench redis`: a memory + Redis stack answering L2 hits (the key is in Redis, not in the small L1) at a given
 * concurrency, for tierstack and its peers against raw auto-pipelined ioredis GET, all in the same run against
 * the same redis-server (started on a free port unless --url is given).
 *
 *   pnpm --filter bench bench redis [--concurrency 64] [--keys 10000] [--l1 100] [--time 3000] [--runs 3]
 *                                   [--subjects ioredis,tierstack,…] [--url redis://…] [--json]
 */
import { defineCommand, formatRatio, markdownTable, note, output } from '../command.js'
import { flag, timingFlags } from '../flags.js'
import { type CacheSubject, populate, usingSubjects } from '../subjects.js'
import { interleave } from '../workloads/interleave.js'
import { measureKeyed } from '../workloads/keyed.js'
import { formatRate, median } from '../workloads/measure.js'
import { makeKeys, seededRandom, uniformIndices } from '../workloads/random.js'

interface SubjectConfig {
  url: string
  host: string
  port: number
  /** L1 capacity in entries. */
  l1: number
}

type SubjectFactory = (config: SubjectConfig) => Promise<CacheSubject>

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

/** `concurrency` callers of `get` for `timeMs` of wall time, reading the clock after every call (a round trip costs far more). */
function measure(
  subject: CacheSubject,
  keys: string[],
  sequence: Uint32Array,
  concurrency: number,
  timeMs: number,
) {
  return measureKeyed(subject, 'get', keys, sequence, valueFor, {
    timeMs,
    concurrency,
    checkEvery: 1,
    clock: 'wall',
  })
}

/** redis-server's CPU time so far, µs. */
async function serverCpu(probe: { info(section: string): Promise<string> }): Promise<number> {
  const info = await probe.info('cpu')
  const read = (field: string) => Number(new RegExp(`${field}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1e6
}

export const command = defineCommand({
  name: 'redis',
  description: 'memory+redis stack, L2 hits at concurrency 64: tierstack vs raw ioredis GET vs peers',
  flags: {
    url: flag.string('redis to use (default: a throwaway redis-server on a free port)'),
    concurrency: flag.int(64, 'callers in flight'),
    keys: flag.int(10_000, 'keys in Redis, read uniformly at random'),
    l1: flag.int(100, 'memory tier capacity, entries (small, so gets are L2 hits)'),
    ...timingFlags({ time: 3000, warmup: 1000, runs: 3 }),
    subjects: flag.subjects(Object.keys(subjects), 'ioredis'),
  },
  async run({ concurrency, l1, runs, keys: keyCount, time: timeMs, warmup, subjects: names, url, json }) {
    // Our own throwaway server unless --url: the bench writes keys and must not touch someone's data.
    let server: { url: string; stop(): Promise<void> } | undefined
    if (url === undefined) {
      const { startRedis } = await import('../../../../packages/tier-redis/test/helpers/redis-server.js')
      server = await startRedis({ useEnv: false })
      url = server.url
      note(`started redis-server at ${url}`)
    }
    const parsed = new URL(url)
    const config: SubjectConfig = { url, host: parsed.hostname, port: Number(parsed.port || 6379), l1 }

    const keys = makeKeys(keyCount, 'user:')
    const sequence = uniformIndices(keyCount, 1 << 16, seededRandom(42))

    try {
      await usingSubjects(
        names.map((n) => () => subjects[n]!(config)),
        async (subject) => {
          note(`populating ${subject.name} (${keyCount} keys)…`)
          await populate(subject, keys, valueFor)
          await measure(subject, keys, sequence, concurrency, warmup)
        },
        async (built) => {
          const { Redis } = await import('ioredis')
          const probe = new Redis(url)
          const samples = await interleave(built, runs, async (subject, r) => {
            const server0 = await serverCpu(probe)
            const client0 = process.cpuUsage()
            const m = await measure(subject, keys, sequence, concurrency, timeMs)
            const client = process.cpuUsage(client0)
            note(`run ${r + 1}/${runs} ${subject.name}: ${formatRate(m.opsPerSec)} ops/s`)
            return {
              ...m,
              clientUs: client.user + client.system,
              serverUs: (await serverCpu(probe)) - server0,
            }
          })
          probe.disconnect()
          type Sample = (typeof samples)[number][number]
          const sum = (list: Sample[], k: keyof Sample) => list.reduce((a, m) => a + m[k], 0)
          const baseline = median(samples[0]!.map((m) => m.opsPerSec))
          const rows: RedisBenchRow[] = built.map((s, i) => {
            const list = samples[i]!
            const calls = sum(list, 'calls')
            const ops = median(list.map((m) => m.opsPerSec))
            return {
              subject: s.name,
              opsPerSec: ops,
              ratioToIoredis: ops / baseline,
              hitRatio: sum(list, 'hits') / calls,
              clientCpuUsPerOp: sum(list, 'clientUs') / calls,
              serverCpuUsPerOp: sum(list, 'serverUs') / calls,
              runs: list.map((m) => m.opsPerSec),
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
          output(json, summary, () => {
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
                ? `\n\ntierstack / fastest peer (${best.subject}): ${formatRatio(ts.opsPerSec / best.opsPerSec)}`
                : ''
            return `L2 hits, memory (${l1} entries) + Redis, ${keyCount} keys, concurrency ${concurrency}, median of ${runs} × ${timeMs} ms\n\n${table}${vs}`
          })
        },
      )
    } finally {
      await server?.stop()
    }
  },
})

export default command
