export type {
  StoredEntry,
  TierHealth,
  TierCapabilities,
  Tier,
  LocalTier,
  LocalTierStats,
  LocalTierForkOptions,
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
export { encodeEnvelope, decodeEnvelope, entryFromEnvelope, ENVELOPE_VERSION } from './envelope.js'
export type { EnvelopeHeader, AppliedCodec } from './envelope.js'
