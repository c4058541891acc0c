/** @jest-environment jsdom */
// The compiled mini-program (production-mode Taro weapp output, in-app mock backend, real
// `wechat` payment driver) rendered in miniprogram-simulate with the official wxml compiler.
import { ensureWeappBuild } from './support/build-weapp'
import { launchPage, waitFor, type LaunchedPage } from './support/weapp-sim'

let root: string
let app: LaunchedPage | undefined

beforeAll(async () => {
  root = await ensureWeappBuild('weapp-sim', { TARO_APP_API_BASE: '', TARO_APP_PAY_MODE: 'wechat' })
})

afterEach(() => {
  app?.close()
  app = undefined
})

describe('compiled checkout page', () => {
  it('renders from the compiled wxml and runs without errors', async () => {
    app = launchPage(root, 'pages/checkout/index')
    await waitFor(() => app!.page.dom.textContent?.includes('收银台'), 'the checkout page to render')
    expect(app.errors).toEqual([])
  })
})
