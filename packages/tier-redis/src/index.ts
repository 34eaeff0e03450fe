export { RedisTier, redisTier, redisClusterTier } from './redis-tier.js'
export type { RedisTierOptions, RedisClusterTierOptions } from './redis-tier.js'
export type { RedisClient, RedisConnectionOptions } from './connection.js'
export { keySlot } from './key-slot.js'
