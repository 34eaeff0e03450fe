import {
  bytesTier,
  chaosTier,
  codecComplianceSuite,
  serializerComplianceSuite,
  strategyComplianceSuite,
  tierComplianceSuite,
} from '../src/index.js'
import { xorCrcCodec, testSerializer } from './fixtures/reference-codecs.js'
import { toyStrategy } from './fixtures/reference-strategies.js'
import { toyLocalTier } from './fixtures/toy-local-tier.js'

// The suites against the reference implementations: each must pass every check.
tierComplianceSuite('bytesTier', () => bytesTier())
tierComplianceSuite('chaosTier(bytesTier()) healed', () => {
  const tier = chaosTier(bytesTier({ name: 'inner' }), { name: 'chaos' })
  tier.slow(5).heal()
  return tier
})
tierComplianceSuite('toy local tier (async factory)', async () => toyLocalTier())

strategyComplianceSuite('Map-based LRU', () => toyStrategy('lru', { recency: true, admission: false }), {
  recencyBased: true,
})
strategyComplianceSuite('Map-based FIFO', () => toyStrategy('fifo', { recency: false, admission: false }))
strategyComplianceSuite(
  'LRU with a doorkeeper admission filter',
  () => toyStrategy('door', { recency: true, admission: true }),
  {
    admissionFilter: true,
  },
)

codecComplianceSuite('xor+crc32 (sync, key-bound)', () => xorCrcCodec({ bindKey: true }), { bindsKey: true })
codecComplianceSuite('xor+crc32 (async)', () => xorCrcCodec({ async: true }))
codecComplianceSuite('xor+crc32 without checksum', () => xorCrcCodec({ bugs: { noChecksum: true } }), {
  detectsCorruption: false,
})

serializerComplianceSuite('tagged JSON', () => testSerializer({ rich: true }))
serializerComplianceSuite('strict JSON (refuses rich types)', () => testSerializer(), {
  date: false,
  binary: false,
  bigint: false,
  map: false,
  set: false,
  specialNumbers: false,
})
