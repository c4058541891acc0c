/**
 * The browser the e2e tests drive: by default the Chromium shipped in @sparticuz/chromium (no system
 * package), CHROMIUM_PATH overriding it.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromiumPath, launchChromium, packagedChromiumDir } from './support/browser'

jest.setTimeout(60_000)

const ARTIFACTS = join(__dirname, 'artifacts')
const own = process.env.CHROMIUM_PATH

afterEach(() => {
  if (own === undefined) delete process.env.CHROMIUM_PATH
  else process.env.CHROMIUM_PATH = own
})

const packagedOnly = own ? test.skip : test

packagedOnly('without CHROMIUM_PATH the packaged Chromium is unpacked into node_modules/.cache and driven', async () => {
  const path = chromiumPath()
  expect(path).toBe(join(packagedChromiumDir(), 'chromium'))
  const { version } = JSON.parse(readFileSync(join(__dirname, '../../node_modules/@sparticuz/chromium/package.json'), 'utf8')) as { version: string }
  const browser = await launchChromium()
  try {
    // The package's major version is the Chromium major it ships: not whatever the system has.
    expect(browser.version().split('.')[0]).toBe(version.split('.')[0])
    const page = await browser.newPage()
    await page.setContent('<h1 id="t" style="font-family:sans-serif">支付成功 ¥12.34</h1>')
    expect(await page.locator('#t').textContent()).toBe('支付成功 ¥12.34')
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'browser-cjk.png') })
  } finally {
    await browser.close()
  }
})

test('CHROMIUM_PATH naming a missing file stops with one clear line', () => {
  process.env.CHROMIUM_PATH = '/nonexistent/chrome'
  expect(() => chromiumPath()).toThrow('CHROMIUM_PATH=/nonexistent/chrome does not exist')
})
