export { GzipCodec, gzip } from './gzip-codec.js'
export type { GzipCodecOptions } from './gzip-codec.js'
