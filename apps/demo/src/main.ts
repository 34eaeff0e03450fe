import { createDemo } from './server.js'

/** `pnpm demo`: starts the service and prints where it is and the admin token. */
async function main(): Promise<void> {
  const demo = await createDemo()
  const { admin, stack, url } = demo
  const lines = [
    '',
    `  tierstack demo listening on ${url}`,
    '',
    `  stack:      ${stack.tiers.join(' → ')}${stack.mode === 'redis' ? ' (Redis bus + lock)' : ' (embedded; set REDIS_URL to add Redis)'}`,
    `  sqlite:     ${stack.sqlitePath}`,
    `  dashboard:  ${url}/`,
    `  try:        curl '${url}/api/llm?q=What%20is%20a%20tiered%20cache%3F'`,
    `              curl ${url}/api/stats/population-fr`,
    `              curl '${url}/api/forecast/sku-1001?horizon=30'`,
    `  metrics:    ${url}/metrics`,
    `  admin:      ${url}/cache/status | /cache/stats | /cache/health`,
    `  admin token (${admin.tokenSource === 'generated' ? 'generated; set TIERSTACK_ADMIN_TOKEN to fix it' : admin.tokenSource === 'env' ? 'from TIERSTACK_ADMIN_TOKEN' : 'from options'}):`,
    `              ${admin.token}`,
    `              curl -X POST ${url}/cache/clear -H 'authorization: Bearer ${admin.token}' -d '{}'`,
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal}: closing…\n`)
    demo.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => {
  process.stderr.write(
    `demo failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  )
  process.exit(1)
})
