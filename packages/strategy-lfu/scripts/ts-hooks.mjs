// Node ESM loader hooks so the (unshipped) scripts in this folder run straight from TypeScript sources:
// `@tierstack/<pkg>` resolves to packages/<pkg>/src/index.ts, relative `.js` specifiers fall back to `.ts`,
// and `.ts` files are transpiled with @swc/core (type-stripping only). Registered by ./register.mjs.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..', '..')
const require = createRequire(join(repo, 'package.json'))
const swc = require('@swc/core')

export async function resolve(specifier, context, next) {
  const pkg = /^@tierstack\/([a-z0-9-]+)$/.exec(specifier)
  if (pkg)
    return { url: pathToFileURL(join(repo, 'packages', pkg[1], 'src', 'index.ts')).href, shortCircuit: true }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const ts = fileURLToPath(new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL))
    if (existsSync(ts)) return { url: pathToFileURL(ts).href, shortCircuit: true }
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context)
  const source = readFileSync(fileURLToPath(url), 'utf8')
  const { code } = swc.transformSync(source, {
    filename: fileURLToPath(url),
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  })
  return { format: 'module', source: code, shortCircuit: true }
}
