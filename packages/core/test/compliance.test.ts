import { memoryTier, referenceStrategy } from '@tierstack/core'
import { bytesTier, strategyComplianceSuite, tierComplianceSuite } from '@tierstack/test-suite'

tierComplianceSuite('memoryTier', () => memoryTier())
tierComplianceSuite('memoryTier with a byte budget', () => memoryTier({ maxBytes: '64mb' }))
tierComplianceSuite('bytesTier (reference remote tier)', () => bytesTier())
strategyComplianceSuite('referenceStrategy', () => referenceStrategy(), { recencyBased: true })
