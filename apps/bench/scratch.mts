import { QueueStore, Policy } from '../../packages/strategy-fifo/src/queue-store.ts'
import { readTrace } from './src/traces/read-trace.ts'
const T = '/work/shared/traces/'
const specs: [string, number[]][] = [['arc-oltp.lis.gz',[250,500,1000,2000,5000,10000]],['lirs-loop.trace.gz',[500,1000,1250]],['lirs-gli.trace.gz',[500,1000,2000]],['lirs-multi2.trace.gz',[600,1800,3000]],['cache2k-web07.trace.gz',[75,300,1200,3000]]]
const variants = [['p1 r.1', 1, 0.1], ['p2 r.1', 2, 0.1], ['p1 r.2', 1, 0.2], ['p2 r.05', 2, 0.05]] as const
for (const [f, sizes] of specs) {
  const sims = variants.flatMap(([n, p, r]) => sizes.map(size => ({ n, size, hits: 0, req: 0, s: new QueueStore<boolean>({ maxEntries: size }, { name: 's3', policy: Policy.S3Fifo, smallRatio: r, promoteAfter: p }) })))
  for await (const b of readTrace(T + f)) for (const sim of sims) { for (const k of b) { if (sim.s.get(k) === undefined) sim.s.set(k, true); else sim.hits++ } sim.req += b.length }
  for (const size of sizes) console.log(f.padEnd(24), String(size).padStart(6), sims.filter(s => s.size === size).map(s => `${s.n}: ${(100*s.hits/s.req).toFixed(2)}`).join('  '))
}
