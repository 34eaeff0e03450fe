import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type Browser, chromium } from 'playwright-core'
import { startDemo } from './helpers.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUTPUT = resolve(process.cwd(), 'test-output')

let demo: Awaited<ReturnType<typeof startDemo>>
let browser: Browser | undefined

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: the dashboard test needs a real browser. Install it with \`apt-get install -y chromium\` (Debian) or set CHROMIUM_PATH.`,
    )
  }
  demo = await startDemo()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await demo?.dispose()
})

describe('dashboard', () => {
  it('the burst button drives traffic and the page plots the new hit ratio', async () => {
    if (browser === undefined) throw new Error('browser did not start')
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text())
    })
    await page.goto(demo.url, { waitUntil: 'load' })
    await page.waitForSelector('body[data-updated]', { timeout: 10_000 })
    const before = await page.getAttribute('#hit-ratio-total', 'data-value')
    expect(before).toBe('') // no reads yet
    await expect(page.textContent('#mode')).resolves.toMatch(/embedded: memory → sqlite/)
    await expect(page.locator('#tiers .tier').count()).resolves.toBe(2)

    await page.click('#burst')
    await page.waitForSelector('#burst-status[data-done="true"]', { timeout: 60_000 })
    await expect(page.textContent('#burst-status')).resolves.toMatch(/300 requests in .* hits/)
    // (predicates run in the page; passed as strings since this file is compiled without the DOM lib)
    await page.waitForFunction(
      "Number(document.getElementById('hit-ratio-total').getAttribute('data-value') || 0) > 0",
      undefined,
      {
        timeout: 10_000,
      },
    )
    const after = Number(await page.getAttribute('#hit-ratio-total', 'data-value'))
    expect(after).toBeGreaterThan(0.3)
    expect(after).toBeLessThanOrEqual(1)
    expect(await page.textContent('#hit-ratio-total')).toMatch(/^\d+\.\d%$/)
    // the plots are drawn: hit-ratio lines, tier latency bars, saved-requests lines
    expect(await page.locator('#chart-hit-ratio polyline').count()).toBe(4)
    expect(await page.locator('#chart-tier-latency rect').count()).toBe(4)
    expect(Number(await page.getAttribute('#requests-saved', 'data-value'))).toBeGreaterThan(0)
    expect(Number(await page.getAttribute('#cost-saved', 'data-value'))).toBeGreaterThan(0)
    // one more poll so the charts have at least two points, then keep the picture
    const updated = await page.getAttribute('body', 'data-updated')
    await page.waitForFunction(
      `document.body.getAttribute('data-updated') !== ${JSON.stringify(updated)}`,
      undefined,
      { timeout: 5000 },
    )
    mkdirSync(OUTPUT, { recursive: true })
    const file = join(OUTPUT, 'dashboard.png')
    await page.screenshot({ path: file, fullPage: true })
    expect(existsSync(file)).toBe(true)
    expect(errors).toEqual([])
  })
})
