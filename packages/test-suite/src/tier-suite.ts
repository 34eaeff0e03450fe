import { afterEach, beforeEach, it } from '@jest/globals'
import type { Tier } from '@tierstack/core'
import {
  createTierContext,
  disposeTierContext,
  type TierCheckContext,
  type TierSuiteOptions,
  tierChecks,
} from './tier-checks.js'
import { describeGroups } from './suite-kit.js'

/**
 * Registers the tier compliance suite: a `describe` block with one group per behaviour (round trip, getMany,
 * setMany, delete, expiry, clear, tags, values, keys, concurrency, lifecycle). Every test gets a fresh tier
 * from `factory` (closed afterwards) and a random key prefix, so a shared backend never sees two tests
 * collide. Remote tiers are given real envelopes and must return byte-identical values; local tiers are
 * given live values and must return them as is.
 *
 * @example
 *   tierComplianceSuite('redis', () => redisTier({ url, keyPrefix: 'test:' }))
 */
export function tierComplianceSuite(
  name: string,
  factory: () => Tier | Promise<Tier>,
  options: TierSuiteOptions = {},
): void {
  describeGroups(`tier compliance: ${name}`, tierChecks, (checks) => {
    let ctx: TierCheckContext | undefined
    beforeEach(async () => {
      ctx = await createTierContext(factory, options)
    })
    afterEach(async () => {
      const current = ctx
      ctx = undefined
      if (current !== undefined) await disposeTierContext(current)
    })
    for (const c of checks) it(c.name, () => c.run(ctx!), options.timeoutMs ?? 30_000)
  })
}
