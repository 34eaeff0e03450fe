export { lru, LruStrategy } from './lru-strategy.js'
export { LruStore } from './lru-store.js'
export type { LruStrategyOptions } from './lru-store.js'
