import { existsSync } from 'node:fs'
import { basename, isAbsolute, resolve } from 'node:path'
import { defineCommand, markdownTable, note, output } from '../command.js'
import { flag } from '../flags.js'
import { createSimulation, replay, type Simulation } from '../simulate.js'
import { defaultStrategies, loadStrategy } from '../strategies.js'
import { detectFormat, readTrace, type TraceFormat, traceFormats } from '../traces/read-trace.js'

/** One row of the JSON output. */
export interface HitRatioRow {
  /** Present only when several traces were given. */
  trace?: string
  strategy: string
  size: number
  requests: number
  hits: number
  /** hits / requests, 0..1. */
  hitRatio: number
}

/** Resolves a path as the user typed it: pnpm runs scripts in the package directory, INIT_CWD is where pnpm was invoked. */
export function resolveUserPath(file: string): string {
  if (isAbsolute(file)) return file
  const invoked = process.env.INIT_CWD
  if (invoked !== undefined && existsSync(resolve(invoked, file))) return resolve(invoked, file)
  return resolve(file)
}

/**
 * Replays one trace through every (strategy, size) at once: the trace is read once, as a stream, and each
 * batch of keys is fed to every simulated cache in turn.
 */
export async function hitRatios(
  file: string,
  format: TraceFormat | undefined,
  strategies: string[],
  sizes: number[],
): Promise<Simulation[]> {
  const sims: Simulation[] = []
  for (const name of strategies) {
    const strategy = await loadStrategy(name)
    for (const size of sizes) sims.push(createSimulation(name, strategy, size))
  }
  for await (const batch of readTrace(file, { format: format ?? detectFormat(file) })) {
    for (const sim of sims) replay(sim, batch)
  }
  return sims
}

export default defineCommand({
  name: 'hitratio',
  description:
    'hit ratio of strategies on cache traces (each trace read once, fed to every strategy and size)',
  flags: {
    trace: flag.strings('trace file, repeatable (e.g. ../shared/traces/arc-oltp.lis.gz)', { required: true }),
    format: flag.string('trace format (detected from the file name when omitted)', { choices: traceFormats }),
    sizes: flag.ints([250, 500, 1000], 'cache sizes, in entries'),
    strategies: flag.names(defaultStrategies, 'strategies to replay', { required: true }),
  },
  async run({ trace: traces, format, sizes, strategies, json }) {
    const rows: HitRatioRow[] = []
    for (const trace of traces) {
      const file = resolveUserPath(trace)
      const started = performance.now()
      const sims = await hitRatios(file, format as TraceFormat | undefined, strategies, sizes)
      note(
        `${basename(file)}: ${sims[0]?.requests ?? 0} requests × ${sims.length} caches in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
      for (const s of sims) {
        const row: HitRatioRow = {
          strategy: s.strategy,
          size: s.size,
          requests: s.requests,
          hits: s.hits,
          hitRatio: s.requests === 0 ? 0 : s.hits / s.requests,
        }
        rows.push(traces.length > 1 ? { trace: basename(trace), ...row } : row)
      }
    }
    output(json, rows, () => {
      const tables: string[] = []
      for (const trace of traces) {
        const mine = traces.length > 1 ? rows.filter((r) => r.trace === basename(trace)) : rows
        const body = sizes.map((size) => [
          size,
          ...strategies.map((name) => {
            const r = mine.find((x) => x.strategy === name && x.size === size)
            return r === undefined ? '' : (r.hitRatio * 100).toFixed(2)
          }),
        ])
        tables.push(
          `${basename(trace)} (${mine[0]?.requests ?? 0} requests), hit %\n\n${markdownTable(['size', ...strategies], body)}`,
        )
      }
      return tables.join('\n\n')
    })
  },
})
