import { parseArgs } from 'node:util'
import type { BenchClock } from './workloads/measure.js'

/**
 * One command-line flag of a bench command. Every flag takes a value (`--time 200`); what the value must be
 * is checked once, here, with a message naming the flag, so commands receive typed, validated values.
 */
export type Flag =
  | { readonly type: 'int'; readonly default: number; readonly help: string }
  | { readonly type: 'ints'; readonly default: readonly number[]; readonly help: string }
  | { readonly type: 'number'; readonly default: number; readonly min: number; readonly help: string }
  | {
      readonly type: 'names'
      readonly default: readonly string[]
      readonly help: string
      /** The names allowed, when the command knows them all up front. */
      readonly known?: readonly string[]
      /** At least one name must be given. */
      readonly required?: boolean
      /** Always in the list, and first (a baseline the others are divided by). */
      readonly first?: string
    }
  | { readonly type: 'clock'; readonly default: BenchClock; readonly help: string }
  | {
      readonly type: 'string'
      readonly default?: string
      readonly help: string
      /** The values allowed. */
      readonly choices?: readonly string[]
    }
  | { readonly type: 'strings'; readonly help: string; readonly required?: boolean }

/** Flag constructors: `flag.int(1000, 'measured time per run, ms')`. */
export const flag = {
  /** A positive integer. */
  int: (value: number, help: string) => ({ type: 'int', default: value, help }) as const,
  /** A comma-separated list of positive integers (`250,500,1000`). */
  ints: (value: readonly number[], help: string) => ({ type: 'ints', default: value, help }) as const,
  /** A finite number `>= min`. */
  number: (value: number, help: string, min = 0) => ({ type: 'number', default: value, min, help }) as const,
  /** A comma-separated list of names (`lru,tinylfu`), checked against `known` when given. */
  names: (
    value: readonly string[],
    help: string,
    extra: { known?: readonly string[]; required?: boolean } = {},
  ) => ({ type: 'names', default: value, help, ...extra }) as const,
  /** The subjects to measure, by name, among `known`; `baseline` is always measured, first. */
  subjects: (known: readonly string[], baseline: string) =>
    ({
      type: 'names',
      default: known,
      help: `subjects (${baseline}, the baseline, is always included)`,
      known,
      first: baseline,
    }) as const,
  /** `cpu` or `wall`, see `BenchClock`. */
  clock: (value: BenchClock = 'cpu') =>
    ({
      type: 'clock',
      default: value,
      help: 'clock of the measurements: cpu (this process) or wall',
    }) as const,
  /** A string, optional unless it has a default; one of `choices` when given. */
  string: <const TDefault extends string | undefined = undefined>(
    help: string,
    extra: { default?: TDefault; choices?: readonly string[] } = {},
  ) => ({ type: 'string', help, ...extra }) as { type: 'string'; default: TDefault; help: string },
  /** A flag that may be repeated (`--trace a --trace b`). */
  strings: (help: string, extra: { required?: boolean } = {}) =>
    ({ type: 'strings', help, ...extra }) as const,
}

/**
 * `--time`, `--warmup` and `--runs`, the flags of every timed command, with the command's defaults: each case
 * is measured `runs` times, interleaved with the others, for `time` ms after `warmup` ms.
 */
export function timingFlags(defaults: { time: number; warmup: number; runs: number }) {
  return {
    time: flag.int(defaults.time, 'measured time per run and case, ms'),
    warmup: flag.int(defaults.warmup, 'warm-up before measuring, ms'),
    runs: flag.int(defaults.runs, 'interleaved runs (the median is reported)'),
  }
}

/** The parsed value of one flag. */
export type FlagValue<F extends Flag> = F extends { type: 'int' | 'number' }
  ? number
  : F extends { type: 'ints' }
    ? number[]
    : F extends { type: 'names' | 'strings' }
      ? string[]
      : F extends { type: 'clock' }
        ? BenchClock
        : F extends { default: string }
          ? string
          : string | undefined

/** The parsed values of a command's flags, plus `json` (every command has `--json`). */
export type FlagValues<TFlags extends Record<string, Flag>> = {
  [K in keyof TFlags]: FlagValue<TFlags[K]>
} & {
  json: boolean
}

/** Splits `"a, b,"` into trimmed non-empty names. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function positiveInt(flagName: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n) || n <= 0)
    throw new Error(`--${flagName} must be a positive integer, got '${value}'`)
  return n
}

function defaultText(f: Flag): string {
  if (f.type === 'strings' || f.default === undefined) return ''
  const value = Array.isArray(f.default) ? f.default.join(',') : String(f.default)
  return value === '' ? '' : ` (default ${value})`
}

/** The `--help` text of a command: its description, then one line per flag. */
export function flagsHelp(name: string, description: string, flags: Record<string, Flag>): string {
  const lines = Object.entries(flags).map(([k, f]) => {
    const choices = 'choices' in f && f.choices ? ` [${f.choices.join('|')}]` : ''
    const known = 'known' in f && f.known ? ` [${f.known.join(',')}]` : ''
    return `  --${k.padEnd(16)} ${f.help}${choices}${known}${defaultText(f)}`
  })
  lines.push(`  --${'json'.padEnd(16)} print one JSON document (and nothing else) on stdout`)
  return `usage: bench ${name} [options]\n\n${description}\n\noptions:\n${lines.join('\n')}\n`
}

function convert(name: string, f: Flag, raw: string | string[] | undefined): unknown {
  switch (f.type) {
    case 'int':
      return positiveInt(name, raw as string)
    case 'ints': {
      const list = splitList(raw as string)
      if (list.length === 0) throw new Error(`--${name} must be a comma-separated list of positive integers`)
      return list.map((v) => positiveInt(name, v))
    }
    case 'number': {
      const n = Number(raw)
      if ((raw as string).trim() === '' || !Number.isFinite(n) || n < f.min)
        throw new Error(`--${name} must be a number >= ${f.min}, got '${raw}'`)
      return n
    }
    case 'names': {
      const list = splitList(raw as string)
      if (f.required && list.length === 0) throw new Error(`--${name} must name at least one`)
      for (const v of list) {
        if (f.known && !f.known.includes(v))
          throw new Error(`--${name}: unknown '${v}' (known: ${f.known.join(', ')})`)
      }
      return f.first === undefined ? list : [f.first, ...list.filter((v) => v !== f.first)]
    }
    case 'clock':
      if (raw !== 'cpu' && raw !== 'wall') throw new Error(`--${name} must be cpu or wall, got '${raw}'`)
      return raw
    case 'string':
      if (raw !== undefined && f.choices && !f.choices.includes(raw as string))
        throw new Error(`--${name} must be one of ${f.choices.join(', ')}, got '${raw}'`)
      return raw
    case 'strings': {
      const list = (raw as string[] | undefined) ?? []
      if (f.required && list.length === 0) throw new Error(`--${name} is required: ${f.help}`)
      return list
    }
  }
}

/**
 * Parses `argv` against `flags` (strictly: an unknown flag or a positional argument is an error), fills in
 * defaults and validates every value. Returns `undefined` for `--help`, after printing the help.
 */
export function parseFlags<TFlags extends Record<string, Flag>>(
  argv: string[],
  flags: TFlags,
  help: () => string,
): FlagValues<TFlags> | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; default?: string }> = {
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  }
  for (const [name, f] of Object.entries(flags)) {
    if (f.type === 'strings') options[name] = { type: 'string', multiple: true }
    else if (f.default === undefined) options[name] = { type: 'string' }
    else
      options[name] = {
        type: 'string',
        default: Array.isArray(f.default) ? f.default.join(',') : String(f.default),
      }
  }
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (values.help === true) {
    process.stdout.write(help())
    return undefined
  }
  const out: Record<string, unknown> = { json: values.json === true }
  for (const [name, f] of Object.entries(flags)) {
    out[name] = convert(name, f, values[name] as string | string[] | undefined)
  }
  return out as FlagValues<TFlags>
}
