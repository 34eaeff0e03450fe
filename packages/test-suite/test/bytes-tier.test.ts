import { bytesTier, chaosTier, tierComplianceSuite } from '../src/index.js'

tierComplianceSuite('bytesTier', () => bytesTier())
tierComplianceSuite('chaosTier(bytesTier()) healed', () => chaosTier(bytesTier()))
