import type { EvictionStrategy } from '@tierstack/core'
import { type StrategySuiteOptions, strategyChecks } from './strategy-checks.js'
import { registerChecks } from './suite-kit.js'

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
  registerChecks(`strategy compliance: ${name}`, strategyChecks, options, () => ({
    strategy: factory(),
    options,
  }))
}
