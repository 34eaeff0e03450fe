export { TtlStrategy, ttl } from './ttl-strategy.js'
