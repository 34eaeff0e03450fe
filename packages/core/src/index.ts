export type {
  StoredEntry,
  TierHealth,
  TierCapabilities,
  Tier,
  LocalTier,
  LocalTierStats,
  LocalTierForkOptions,
  LocalScope,
  LocalScopeOptions,
  EvictionReason,
  BoundedStoreOptions,
  BoundedStore,
  EvictionStrategy,
  Serializer,
  CodecContext,
  Codec,
  BusMessage,
  Bus,
  LockHandle,
  Lock,
} from './contracts.js'
export { CacheError, errorCodes, isCacheError } from './errors.js'
export type { CacheErrorCode } from './errors.js'
export { parseDuration, parseBytes } from './duration.js'
export type { Duration, ByteSize } from './duration.js'
export {
  encodeEnvelope,
  decodeEnvelope,
  entryFromEnvelope,
  envelopeOf,
  looksLikeEnvelope,
  ENVELOPE_VERSION,
  RAW_SERIALIZER_ID,
} from './envelope.js'
export type { EnvelopeHeader, AppliedCodec } from './envelope.js'
export { createCache, TieredCache, DEFAULT_NAMESPACE } from './tiered-cache.js'
export { NamespaceCache } from './namespace.js'
export type { GetOptions, SetManyItem } from './namespace.js'
export type {
  CacheOptions,
  NamespaceOptions,
  EntryPolicy,
  LoaderTimeouts,
  BreakerOptions,
  SetOptions,
  GetOrSetOptions,
  LoaderContext,
  Loader,
  WrapOptions,
  LatencySummary,
  NamespaceStats,
  TierStats,
  CacheStats,
  CacheHealth,
} from './options.js'
export { memoryTier, MemoryTier } from './memory-tier.js'
export type { MemoryTierOptions } from './memory-tier.js'
export { referenceStrategy } from './reference-strategy.js'
export { resolveStoreOptions, measureEntry } from './store-options.js'
export type { ResolvedStoreOptions } from './store-options.js'
export { estimateSize } from './size-of.js'
export { jsonSerializer, JsonSerializer } from './json-serializer.js'
export { LatencyHistogram } from './histogram.js'
export { CircuitBreaker } from './circuit-breaker.js'
export type { BreakerState } from './circuit-breaker.js'
export { channels, channelNames } from './events.js'
export type {
  OperationEvent,
  TierOperationEvent,
  LoaderEvent,
  ErrorEvent,
  BreakerEvent,
  EvictionEvent,
  BusEvent,
} from './events.js'
export { configFromEnv, parseAesKeys } from './config-from-env.js'
export type { ConfigFromEnvOptions, EnvConfig } from './config-from-env.js'
