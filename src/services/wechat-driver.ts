// The real payment driver: wx.requestPayment through Taro. Only `requestPayment:ok` is success;
// on H5 it refuses instead of calling Taro's H5 requestPayment (which can fake a success).
import Taro from '@tarojs/taro'
import { ERROR_MESSAGES } from '@/lib/errors'
import { outcomeFromErrMsg } from './pay-outcome'
import type { Payment, PaymentDriver } from './types'

type RequestPayment = (options: Payment) => Promise<{ errMsg?: string }>

export interface WechatDriverOptions {
  requestPayment?: RequestPayment
  /** Taro platform of the build; `h5` means there is no WeChat client to pay with. */
  platform?: string
}

/**
 * Taro passes requestPayment straight to wx.requestPayment (it is not in Taro's promisify list), and
 * the client returns a Promise only when no callback is given on base library ≥ 2.10.2. Callbacks
 * work on every client, so the outcome is never lost to an `undefined` return.
 */
export const requestPaymentWithCallbacks: RequestPayment = (options) =>
  new Promise((resolve) => {
    const returned = Taro.requestPayment({
      ...options,
      success: (res: { errMsg?: string }) => resolve(res),
      fail: (err: { errMsg?: string }) => resolve(err),
    } as Parameters<typeof Taro.requestPayment>[0]) as Promise<unknown> | undefined
    // The callbacks carry the outcome; a promise some clients also return must not reject unhandled.
    returned?.catch(() => undefined)
  })

/** Creates the wx.requestPayment driver; never rejects. */
export function createWechatPaymentDriver({
  requestPayment = requestPaymentWithCallbacks,
  platform = process.env.TARO_ENV,
}: WechatDriverOptions = {}): PaymentDriver {
  return async (payment) => {
    if (platform === 'h5') return { fail: ERROR_MESSAGES.PAYMENT_UNSUPPORTED }
    // Exactly the five fields of the contract, nothing else.
    const { timeStamp, nonceStr, package: pkg, signType, paySign } = payment
    try {
      const res = await requestPayment({ timeStamp, nonceStr, package: pkg, signType, paySign })
      return outcomeFromErrMsg(res?.errMsg)
    } catch (e) {
      return outcomeFromErrMsg((e as { errMsg?: unknown })?.errMsg ?? String(e))
    }
  }
}
