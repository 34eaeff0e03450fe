import type { EvictionStrategy } from '@tierstack/core'

/**
 * Strategies the benchmarks can name on the command line. Loaded lazily, so a command that does not use a
 * package does not need it built.
 */
const loaders: Record<string, () => Promise<EvictionStrategy>> = {
  lru: async () => (await import('@tierstack/strategy-lru')).lru(),
  lfu: async () => (await import('@tierstack/strategy-lfu')).lfu(),
  tinylfu: async () => (await import('@tierstack/strategy-lfu')).tinyLfu(),
  fifo: async () => (await import('@tierstack/strategy-fifo')).fifo(),
  sieve: async () => (await import('@tierstack/strategy-fifo')).sieve(),
  s3fifo: async () => (await import('@tierstack/strategy-fifo')).s3fifo(),
  ttl: async () => (await import('@tierstack/strategy-ttl')).ttl(),
  reference: async () => (await import('@tierstack/core')).referenceStrategy(),
}

/** Every strategy name the benchmarks know, in display order. */
export const strategyNames = ['lru', 'lfu', 'tinylfu', 'fifo', 'sieve', 's3fifo', 'ttl', 'reference'] as const

/** The default selection of the benchmarks (the reference strategy is opt-in). */
export const defaultStrategies = ['lru', 'lfu', 'tinylfu', 'fifo', 'sieve', 's3fifo', 'ttl']

/** Builds the strategy `name`; throws naming the known ones for an unknown name. */
export async function loadStrategy(name: string): Promise<EvictionStrategy> {
  const load = loaders[name.toLowerCase()]
  if (load === undefined) throw new Error(`unknown strategy '${name}' (known: ${strategyNames.join(', ')})`)
  try {
    return await load()
  } catch (error) {
    throw new Error(
      `strategy '${name}' could not be loaded (is its package built? npx turbo run build --filter=bench^...)`,
      {
        cause: error,
      },
    )
  }
}
