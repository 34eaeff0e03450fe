export { fifo, FifoStrategy } from './strategies.js'
export { sieve, SieveStrategy } from './strategies.js'
export { s3fifo, S3FifoStrategy } from './strategies.js'
export type { S3FifoOptions } from './strategies.js'
