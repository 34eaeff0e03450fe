export { Lz4Codec, lz4 } from './lz4-codec.js'
export type { Lz4CodecOptions } from './lz4-codec.js'
