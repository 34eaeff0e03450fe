import { randomBytes } from 'node:crypto'
import { codecComplianceSuite } from '@tierstack/test-suite'
import { aesGcm } from '../src/index.js'

const keys = { k1: randomBytes(32), k2: randomBytes(32).toString('base64') }

// Issue 6: 10,000 random and mutated inputs, decoded under the right key id, the other one, '' and an unknown
// one: the GCM tag refuses every one of them with E_DECODE.
codecComplianceSuite('aes-256-gcm', () => aesGcm({ keys, current: 'k2' }), {
  bindsKey: true,
  fuzzInputs: 10_000,
  fuzzSeed: 0x616573,
  fuzzMinRefused: 1,
  fuzzParams: ['k1', 'k3'],
})
