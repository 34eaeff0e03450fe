import { strategyComplianceSuite } from '@tierstack/test-suite'
import { fifo, s3fifo, sieve } from '../src/index.js'

strategyComplianceSuite('fifo', () => fifo())
strategyComplianceSuite('sieve', () => sieve(), { recencyBased: true })
strategyComplianceSuite('s3fifo', () => s3fifo(), { recencyBased: true })
