// `node --import ./scripts/register.mjs scripts/<script>.ts`: run a TypeScript script from sources.
import { register } from 'node:module'

register('./ts-hooks.mjs', import.meta.url)
