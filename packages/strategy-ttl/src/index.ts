export { ttl, TtlStrategy } from './ttl-strategy.js'
