export { KeyvTier, keyvTier } from './keyv-tier.js'
export type { KeyvTierOptions } from './keyv-tier-options.js'
export { TierstackKeyvStore, keyvStore } from './keyv-store.js'
export type { KeyvStoreOptions, TierstackKeyvStoreOpts } from './keyv-store.js'
