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

/** The `--json` flag every command understands; spread into the `options` of `node:util` `parseArgs`. */
export const jsonFlag = { json: { type: 'boolean', default: false } } as const

/** Splits `"250,500,1000"` into positive integers; throws naming the flag otherwise. */
export function parseIntList(value: string, flag: string): number[] {
  const out = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  if (out.length === 0 || out.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new Error(`${flag} must be a comma-separated list of positive integers, got '${value}'`)
  }
  return out
}

/** Splits `"a,b"` into trimmed non-empty names. */
export function parseNameList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
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
