import type { BoundedStore, BoundedStoreOptions, EvictionStrategy } from '@tierstack/core'
import { CacheError } from '@tierstack/core'
import { Policy, QueueStore } from './queue-store.js'

function checkObject(name: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new CacheError(
      'E_INVALID_OPTION',
      `@tierstack/strategy-fifo: ${name}() options must be an object, got ${String(options)}`,
      {
        cause: new TypeError('invalid options'),
      },
    )
  }
}

/** First in, first out: evicts the oldest entry; hits cost nothing. Build one with `fifo()`. */
export class FifoStrategy implements EvictionStrategy {
  readonly name = 'fifo'

  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue> {
    return new QueueStore(options, { name: 'fifo', policy: Policy.Fifo, smallRatio: 1, promoteAfter: 0 })
  }
}

/**
 * Plain FIFO eviction: the oldest write goes first, reads change nothing. The cheapest policy; suits
 * data that is written once and read for a while (sessions), poor on skewed read workloads.
 *
 * @example
 * ```ts
 * memoryTier({ strategy: fifo(), maxEntries: 10_000 })
 * ```
 */
export function fifo(): FifoStrategy {
  return new FifoStrategy()
}

/** SIEVE eviction (Zhang et al., NSDI '24). Build one with `sieve()`. */
export class SieveStrategy implements EvictionStrategy {
  readonly name = 'sieve'

  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue> {
    return new QueueStore(options, { name: 'sieve', policy: Policy.Sieve, smallRatio: 1, promoteAfter: 0 })
  }
}

/**
 * SIEVE: FIFO order plus one "visited" bit per entry. A hit only sets the bit; the eviction hand walks from
 * old to new, clearing bits and sparing visited entries once, evicting the first unvisited one. As cheap as
 * FIFO on hits (no list moves) and close to or above LRU on web-like workloads.
 *
 * @example
 * ```ts
 * memoryTier({ strategy: sieve(), maxEntries: 10_000 })
 * ```
 */
export function sieve(): SieveStrategy {
  return new SieveStrategy()
}

/** Options of `s3fifo()`. */
export interface S3FifoOptions {
  /**
   * Share of the budget (entries and bytes) given to the small probation queue that new keys enter.
   * Between 0 and 1 (exclusive).
   * @default 0.1
   */
  smallRatio?: number
}

/** S3-FIFO eviction (Yang et al., SOSP '23). Build one with `s3fifo()`. */
export class S3FifoStrategy implements EvictionStrategy {
  readonly name = 's3fifo'
  readonly #smallRatio: number

  constructor(options: S3FifoOptions = {}) {
    checkObject('s3fifo', options)
    const { smallRatio = 0.1 } = options
    if (typeof smallRatio !== 'number' || !(smallRatio > 0 && smallRatio < 1)) {
      throw new CacheError(
        'E_INVALID_OPTION',
        `@tierstack/strategy-fifo: smallRatio must be a number between 0 and 1 (exclusive), got ${String(smallRatio)}`,
        { cause: new RangeError('invalid smallRatio') },
      )
    }
    this.#smallRatio = smallRatio
  }

  create<TValue>(options: BoundedStoreOptions<TValue>): BoundedStore<TValue> {
    return new QueueStore(options, {
      name: 's3fifo',
      policy: Policy.S3Fifo,
      smallRatio: this.#smallRatio,
      promoteAfter: 1,
    })
  }
}

/**
 * S3-FIFO: three FIFO queues. New keys enter a small probation queue (10% of the budget); those hit during
 * probation move to the main queue, the others leave and are remembered in a ghost queue of keys, so that
 * a key coming back soon goes straight to main. Main is a FIFO with 2-bit frequencies (reinsert while
 * the counter is non-zero). One-hit wonders and scans pass through probation without flushing main.
 *
 * @example
 * ```ts
 * memoryTier({ strategy: s3fifo(), maxEntries: 10_000 })
 * ```
 */
export function s3fifo(options?: S3FifoOptions): S3FifoStrategy {
  return new S3FifoStrategy(options)
}
