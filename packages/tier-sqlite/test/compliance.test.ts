import { afterAll } from '@jest/globals'
import { tierComplianceSuite } from '@tierstack/test-suite'
import { sqliteTier } from '../src/index.js'
import { tempDir } from './helpers.js'

// One file for the whole suite, as in production: every check gets a fresh tier (a new connection) and its
// own random key prefix.
const tmp = tempDir()
afterAll(() => tmp.cleanup())

tierComplianceSuite('sqlite', () => sqliteTier({ path: tmp.file('compliance.db') }))
tierComplianceSuite('sqlite (capped)', () =>
  sqliteTier({ path: tmp.file('capped.db'), maxEntries: 100_000, maxBytes: '256mb' }),
)
