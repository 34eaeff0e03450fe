import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from '@jest/globals'
import KeyvSqlite from '@keyv/sqlite'
import { tierComplianceSuite } from '@tierstack/test-suite'
import { Keyv } from 'keyv'
import { keyvTier } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'tierstack-keyv-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

tierComplianceSuite('keyv (Map)', () => keyvTier({ store: new Map() }))

// A real persistent store: @keyv/sqlite (sqlite3) on one file for the whole run; a fresh connection per test.
const file = join(dir, 'keyv.sqlite')
tierComplianceSuite('keyv (@keyv/sqlite file)', () =>
  keyvTier({ store: new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 }), disconnect: true }),
)

// A Keyv instance passed in (its own namespace and key prefixing), over a Map.
tierComplianceSuite('keyv (Keyv instance)', () =>
  keyvTier({ store: new Keyv({ store: new Map(), namespace: 'app', throwOnErrors: true }) }),
)
