/**
 * The bench CLI: `bench <command> [options]`. Commands are discovered from `src/commands/*.ts`; each module
 * exports a `Command` as `default` or `command`. pnpm 10 forwards a literal `--` to scripts
 * (`pnpm --filter bench hitratio -- --trace …`), so leading `--` arguments are dropped before parsing.
 */
import { readdirSync } from 'node:fs'
import type { Command } from './command.js'

async function loadCommands(): Promise<Map<string, Command>> {
  const dir = new URL('./commands/', import.meta.url)
  const commands = new Map<string, Command>()
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ts|js|mjs)$/.test(file) || file.endsWith('.d.ts')) continue
    const mod = (await import(new URL(file, dir).href)) as { default?: Command; command?: Command }
    const command = mod.default ?? mod.command
    if (command === undefined || typeof command.run !== 'function') {
      throw new Error(`src/commands/${file} does not export a command (default or named 'command')`)
    }
    if (commands.has(command.name)) throw new Error(`two commands are named '${command.name}'`)
    commands.set(command.name, command)
  }
  return commands
}

function dropDashes(args: string[]): string[] {
  let i = 0
  while (args[i] === '--') i++
  return args.slice(i)
}

async function main(): Promise<void> {
  const commands = await loadCommands()
  const [name, ...rest] = dropDashes(process.argv.slice(2))
  const command = name === undefined ? undefined : commands.get(name)
  if (command === undefined) {
    const list = [...commands.values()].map((c) => `  ${c.name.padEnd(12)} ${c.description}`).join('\n')
    const out = name === undefined || name === 'help' || name === '--help' ? process.stdout : process.stderr
    out.write(`usage: bench <command> [options] [--json]\n\ncommands:\n${list}\n`)
    if (out === process.stderr) {
      process.stderr.write(`\nunknown command '${name}'\n`)
      process.exitCode = 2
    }
    return
  }
  await command.run(dropDashes(rest))
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  if (process.env.BENCH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  process.exitCode = 1
})
