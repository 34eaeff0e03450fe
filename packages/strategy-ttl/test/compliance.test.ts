import { strategyComplianceSuite } from '@tierstack/test-suite'
import { ttl } from '../src/index.js'

strategyComplianceSuite('ttl', () => ttl())
