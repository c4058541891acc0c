// Composition root of the mini-program: the ONLY reader of TARO_APP_* (architecture.md §Mini-program
// build-time settings). Every choice below is written as a condition on `process.env.TARO_APP_*`
// right where it is made, so Taro's DefinePlugin turns it into a constant and webpack drops the
// branches not taken: a `TARO_APP_API_BASE=https://… TARO_APP_PAY_MODE=wechat` build contains
// neither the mock backend nor the simulated pay sheet (checked by building and grepping dist).
import Taro from '@tarojs/taro'
import projectConfig from '../../project.config.json'
import { AppError, ERROR_MESSAGES } from '@/lib/errors'
import { DEFAULT_TIMEOUT_MS, createHttpBackend } from './http-backend'
import type { PaySheetUi } from './pay-sheet-store'
import { chooseImage, taroUpload } from './media'
import type { Backend, ChooseImage, HttpRequest, KeyValueStorage, PaymentDriver, ReviewSimulator } from './types'
import { createWechatPaymentDriver } from './wechat-driver'

export type PayMode = 'wechat' | 'emulator' | 'simulated'

export interface Services {
  payMode: PayMode
  /** Merchant backend root, or null with the in-app mock backend. */
  apiBase: string | null
  backend: Backend
  pay: PaymentDriver
  /** The simulated pay sheet pages render (simulated and emulator modes), else null. */
  paySheet: PaySheetUi | null
  /** The device's key-value storage (the onboarding draft). */
  storage: KeyValueStorage
  /** Picks a photo for onboarding. */
  chooseImage: ChooseImage
  /** Moves an application along its review: only the in-app mock backend has one (`npm run dev`), else null. */
  reviewSimulator: ReviewSimulator | null
}

/** Default emulator root (architecture.md: emulator on 127.0.0.1:3100). */
export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:3100'

/** Taro.request as HttpRequest: resolves for every HTTP status, rejects on transport errors. */
const taroRequest: HttpRequest = async ({ url, method, data, header, timeout }) => {
  const res = await Taro.request({ url, method, data: data as TaroGeneral.IAnyObject, header, timeout, dataType: 'json' })
  return { statusCode: res.statusCode, data: res.data }
}

/** Taro's synchronous storage (wx storage in the mini-program, localStorage on H5). */
const taroStorage: KeyValueStorage = {
  get: (key) => {
    const value: unknown = Taro.getStorageSync(key)
    return typeof value === 'string' && value !== '' ? value : null
  },
  set: (key, value) => Taro.setStorageSync(key, value),
  remove: (key) => Taro.removeStorageSync(key),
}

/** The appid the emulator sees: TARO_APP_APPID, else the one in project.config.json. */
const appId = (): string => process.env.TARO_APP_APPID || projectConfig.appid

const emulatorUrl = (): string => (process.env.TARO_APP_EMULATOR_URL || DEFAULT_EMULATOR_URL).replace(/\/+$/, '')

/** wx.login in the mini-program; the emulator's stand-in in emulator mode (H5 has no wx.login). */
function chooseLogin(): () => Promise<string> {
  if (process.env.TARO_APP_PAY_MODE === 'emulator') {
    return async () => {
      const res = await taroRequest({
        url: `${emulatorUrl()}/__emulator/login`,
        method: 'POST',
        data: { appId: appId() },
        header: { 'Content-Type': 'application/json' },
        timeout: DEFAULT_TIMEOUT_MS,
      })
      const code = (res.data as { code?: unknown } | null)?.code
      if (res.statusCode !== 200 || typeof code !== 'string') {
        throw new AppError('LOGIN_FAILED', ERROR_MESSAGES.LOGIN_FAILED, `emulator login HTTP ${res.statusCode}`)
      }
      return code
    }
  }
  return async () => {
    if (process.env.TARO_ENV === 'h5') throw new AppError('LOGIN_FAILED', '网页版无法使用微信登录，请在微信中打开', 'wx.login is not available on H5')
    const { code } = await Taro.login()
    if (!code) throw new AppError('LOGIN_FAILED', ERROR_MESSAGES.LOGIN_FAILED, 'wx.login returned no code')
    return code
  }
}

/** Builds the app's services from the build-time settings. */
function createServices(): Services {
  const services = createPaymentServices()
  const advance = (services.backend as { advanceApplication?: ReviewSimulator }).advanceApplication
  return { ...services, storage: taroStorage, chooseImage, reviewSimulator: typeof advance === 'function' ? advance : null }
}

/** The backend and the payment driver from the build-time settings. */
function createPaymentServices(): Omit<Services, 'storage' | 'chooseImage' | 'reviewSimulator'> {
  const apiBase = process.env.TARO_APP_API_BASE ? process.env.TARO_APP_API_BASE.replace(/\/+$/, '') : null
  const backend: Backend = process.env.TARO_APP_API_BASE
    ? createHttpBackend({ baseUrl: process.env.TARO_APP_API_BASE, request: taroRequest, upload: taroUpload, login: chooseLogin(), storage: taroStorage })
    : // eslint-disable-next-line @typescript-eslint/no-var-requires
      require('./mock-backend').createMockBackend({ storage: taroStorage })

  if (process.env.TARO_APP_PAY_MODE === 'wechat' || (!process.env.TARO_APP_PAY_MODE && process.env.TARO_APP_API_BASE)) {
    return { payMode: 'wechat', apiBase, backend, pay: createWechatPaymentDriver(), paySheet: null }
  }

  if (process.env.TARO_APP_PAY_MODE === 'emulator' || process.env.TARO_APP_PAY_MODE === 'simulated' || !process.env.TARO_APP_PAY_MODE) {
    /* eslint-disable @typescript-eslint/no-var-requires */
    const store = require('./pay-sheet-store').createPaySheetStore()
    // The composition root is the one module that wires a UI piece to a service: the sheet's
    // component must be required inside the same build-time branch as its driver, so a wechat
    // build contains neither (pages only ever see `paySheet`, which is null there).
    // eslint-disable-next-line import/no-restricted-paths
    const Component = require('@/components/pay-sheet').PaySheet
    if (process.env.TARO_APP_PAY_MODE === 'emulator') {
      const pay: PaymentDriver = require('./emulator-driver').createEmulatorPaymentDriver({
        sheet: store, request: taroRequest, emulatorUrl: emulatorUrl(), appId: appId(),
      })
      return { payMode: 'emulator', apiBase, backend, pay, paySheet: { store, Component, note: `本地微信支付模拟器（${emulatorUrl()}）处理这笔支付` } }
    }
    const complete = (backend as { completePayment?: unknown }).completePayment
    const pay: PaymentDriver = require('./simulated-driver').createSimulatedPaymentDriver({
      sheet: store,
      complete: typeof complete === 'function' ? complete : undefined,
    })
    /* eslint-enable @typescript-eslint/no-var-requires */
    return { payMode: 'simulated', apiBase, backend, pay, paySheet: { store, Component, note: '开发环境模拟支付，不会产生真实扣款' } }
  }

  throw new Error(`TARO_APP_PAY_MODE must be wechat, emulator or simulated, got "${process.env.TARO_APP_PAY_MODE}"`)
}

let services: Services | null = null

/** The app's services, built on first use. */
export function getServices(): Services {
  if (!services) services = createServices()
  return services
}
