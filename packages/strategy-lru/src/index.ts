export type { LruStrategyOptions } from './lru-store.js'
export { LruStore } from './lru-store.js'
export { LruStrategy, lru } from './lru-strategy.js'
