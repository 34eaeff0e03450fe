export { tierComplianceSuite } from './tier-suite.js'
export { tierChecks, runTierCheck, createTierContext, disposeTierContext } from './tier-checks.js'
export type { TierSuiteOptions, TierCheck, TierCheckContext } from './tier-checks.js'
export { strategyComplianceSuite } from './strategy-suite.js'
export { strategyChecks, runStrategyCheck } from './strategy-checks.js'
export type { StrategySuiteOptions, StrategyCheck, StrategyCheckContext } from './strategy-checks.js'
export { codecComplianceSuite, serializerComplianceSuite } from './codec-suite.js'
export { codecChecks, runCodecCheck } from './codec-checks.js'
export type { CodecSuiteOptions, CodecCheck, CodecCheckContext } from './codec-checks.js'
export { serializerChecks, runSerializerCheck } from './serializer-checks.js'
export type { SerializerSuiteOptions, SerializerCheck, SerializerCheckContext } from './serializer-checks.js'
export { BytesTier, bytesTier } from './bytes-tier.js'
export type { BytesTierOptions } from './bytes-tier.js'
export { ChaosTier, chaosTier } from './chaos-tier.js'
export type { ChaosTierOptions, ChaosHangOptions, ChaosCorruptMode, ChaosMethod } from './chaos-tier.js'
export {
  makeEntry,
  randomPrefix,
  pseudoRandomBytes,
  jsonLikeBytes,
  sameBytes,
  seededRandom,
  sleep,
} from './entries.js'
export type { MakeEntryOptions } from './entries.js'
export { codecContext } from './codec-context.js'
export { testScope } from './test-scope.js'
export type { TestScope, Closable } from './test-scope.js'
export { errorOf, errorOfAsync, codeOf, codeOfAsync } from './caught.js'
export { fuzzBytes, hexPreview, DEFAULT_FUZZ_SEED } from './fuzz.js'
export type { FuzzBytesOptions, FuzzInput } from './fuzz.js'
