import { strategyComplianceSuite } from '@tierstack/test-suite'
import { lru } from '../src/index.js'

strategyComplianceSuite('lru', () => lru(), { recencyBased: true })
