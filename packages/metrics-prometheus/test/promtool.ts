import { spawnSync } from 'node:child_process'

/** Runs `promtool check metrics` on the text; throws (never skips) when promtool is missing. */
export function promtoolCheck(text: string): { status: number; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: the Prometheus exposition test needs it. Install it with `apt-get install -y prometheus` (Debian ships promtool in the prometheus package).',
    )
  }
  if (r.error) throw r.error
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` }
}
