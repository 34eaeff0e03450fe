import { type Flag, type FlagValues, flagsHelp, parseFlags } from './flags.js'

/**
 * One sub-command of the bench CLI. Every module in `src/commands/` exports one (as `default` or as
 * `command`); `cli.ts` discovers them, so adding a command never touches the CLI itself.
 */
export interface Command {
  /** What follows `bench` on the command line (`hitratio`, `throughput`, …). */
  name: string
  /** One line for `bench help`. */
  description: string
  /**
   * Runs the command with the arguments after its name (a leading `--` already dropped). Prints a markdown
   * table, or with `--json` one JSON document and nothing else, on stdout; progress goes to stderr.
   */
  run(argv: string[]): Promise<void>
}

/** Renders a markdown table; numbers are right-aligned. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))]
  const widths = header.map((_, c) => Math.max(3, ...cells.map((r) => (r[c] ?? '').length)))
  const numeric = header.map(
    (_, c) =>
      rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || /^[\d.,×x%-]+$/.test(String(r[c]))),
  )
  const line = (r: string[]) =>
    `| ${r.map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join(' | ')} |`
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n')
}

/** Writes the result: JSON (and nothing else) with `--json`, else the markdown text. */
export function output(json: boolean, data: unknown, markdown: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${markdown()}\n`)
}

/** Progress and notes: stderr, so `--json` output stays clean. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`)
}

/** What {@link defineCommand} takes: the command's flags, and its body given their parsed values. */
export interface CommandSpec<TFlags extends Record<string, Flag>> {
  name: string
  description: string
  /** The command's flags (`--json` and `--help` are added to every command). */
  flags: TFlags
  run(values: FlagValues<TFlags>): Promise<void>
}

/**
 * A command from its flag table: `run(argv)` parses and validates the flags (see `parseFlags`), answers
 * `--help` with the table, and calls `spec.run` with typed values.
 */
export function defineCommand<TFlags extends Record<string, Flag>>(spec: CommandSpec<TFlags>): Command {
  const help = () => flagsHelp(spec.name, spec.description, spec.flags)
  return {
    name: spec.name,
    description: spec.description,
    async run(argv) {
      const values = parseFlags(argv, spec.flags, help)
      if (values !== undefined) await spec.run(values)
    },
  }
}

/** Formats a ratio as `0.42×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`
}
