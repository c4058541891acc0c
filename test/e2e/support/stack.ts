/**
 * What every browser suite starts before its tests and stops after them: an emulator, a merchant
 * registered there, the merchant backend, headless Chromium and, for the mini-program suites, the
 * shared H5 build served with this stack's URLs (h5-build.ts). Screenshots go to test/e2e/artifacts/.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../../support/emulator'
import { startBackend, type BackendHandle } from '../../support/merchant'
import { launchChromium } from './browser'
import { ensureH5Build, h5Values } from './h5-build'
import { serveStatic, type StaticServer } from './static-server'

export const ARTIFACTS = join(__dirname, '../artifacts')

/** A phone's screen in the H5 suites. */
export const PHONE = { width: 390, height: 844 } as const

export interface E2eStack {
  emulator: EmulatorHandle
  merchant: TestMerchant
  backend: BackendHandle
  browser: Browser
  /** The H5 app's static server (only with `h5: true`). */
  site: StaticServer
}

export interface E2eStackOptions {
  /** The merchant's mode (default direct). */
  mode?: TestMerchant['mode']
  /** The backend's clock (default Date.now). */
  clock?: () => number
  /** Serve the shared H5 build pointed at this stack. */
  h5?: boolean
}

/** Registers the suite's beforeAll / afterAll; the returned object's fields are set once beforeAll has run. */
export function e2eStack(options: E2eStackOptions = {}): E2eStack {
  const stack = {} as E2eStack
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    // The shared build does not depend on this stack's ports: it builds (or is reused) meanwhile.
    const h5 = options.h5 ? ensureH5Build() : undefined
    h5?.catch(() => {}) // awaited below
    stack.emulator = await startEmulator({ retryScale: 0.001 })
    stack.merchant = await registerMerchant(stack.emulator, options.mode ? { mode: options.mode } : {})
    stack.backend = await startBackend({ emulator: stack.emulator, merchant: stack.merchant, clock: options.clock })
    stack.browser = await launchChromium()
    if (h5) stack.site = await serveStatic(await h5, h5Values({ backendUrl: stack.backend.url, emulatorUrl: stack.emulator.url, appId: stack.merchant.appId }))
  })
  afterAll(async () => {
    await stack.browser?.close()
    await stack.site?.close()
    await stack.backend?.close()
    await stack.emulator?.close()
  })
  return stack
}

/** A fresh phone in the stack's browser (its own storage, so its own WeChat user and session), on `route` of the H5 app. */
export async function openPhone(stack: E2eStack, route: string, onError: (e: Error) => void = (e) => { throw e }): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', onError)
  await page.goto(`${stack.site.url}/#/${route}`)
  return page
}

/** A full-page screenshot into test/e2e/artifacts/<name>.png. */
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
