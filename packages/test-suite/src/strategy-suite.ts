import { describe, it } from '@jest/globals'
import type { EvictionStrategy } from '@tierstack/core'
import { type StrategySuiteOptions, strategyChecks } from './strategy-checks.js'

/**
 * Registers the eviction-strategy compliance suite: `BoundedStore` basics, capacity invariants under random
 * workloads (checked after every operation), access semantics (`peek` is not an access), expiry with an
 * injected clock, and option validation. Every test gets a fresh strategy from `factory`.
 *
 * @example
 *   strategyComplianceSuite('lru', () => lru(), { recencyBased: true })
 */
export function strategyComplianceSuite(
  name: string,
  factory: () => EvictionStrategy,
  options: StrategySuiteOptions = {},
): void {
  const groups = new Map<string, typeof strategyChecks>()
  for (const c of strategyChecks) groups.set(c.group, [...(groups.get(c.group) ?? []), c])
  describe(`strategy compliance: ${name}`, () => {
    for (const [group, checks] of groups) {
      describe(group, () => {
        for (const c of checks) {
          it(c.name, () => c.run({ strategy: factory(), options }), options.timeoutMs ?? 30_000)
        }
      })
    }
  })
}
