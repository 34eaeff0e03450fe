export type { S3FifoOptions } from './strategies.js'
export { FifoStrategy, fifo, S3FifoStrategy, SieveStrategy, s3fifo, sieve } from './strategies.js'
