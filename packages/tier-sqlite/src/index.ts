export { SqliteTier, sqliteTier } from './sqlite-tier.js'
export type { SqliteTierHealthOptions, SqliteQuickCheck, SqliteTierStats } from './sqlite-tier.js'
export type { SqliteTierOptions } from './options.js'
export { SCHEMA_VERSION } from './schema.js'
