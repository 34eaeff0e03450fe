import { codecComplianceSuite } from '@tierstack/test-suite'
import { gzip } from '../src/index.js'

codecComplianceSuite('gzip', () => gzip())
codecComplianceSuite('gzip (minBytes 0, level 1)', () => gzip({ minBytes: 0, level: 1 }))
codecComplianceSuite('gzip (thread pool)', () => gzip({ asyncMinBytes: 0 }))
