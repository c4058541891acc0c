import type { KeyObject } from 'node:crypto'
import { paySignMessage } from './message'
import { randomNonce, signMessage, signMessageAsync, unixSeconds, verifySignature, type SigningKey } from './sign'

/** Exactly the object handed to wx.requestPayment / Taro.requestPayment (wechatpay-v3.md §6). */
export interface RequestPaymentParams {
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA'
  paySign: string
}

export interface PaySignInput extends SigningKey {
  /** The appid the mini-program runs as: appid (direct), sp_appid or sub_appid (partner). */
  appId: string
  prepayId: string
}

/** Signs fresh payment parameters for a prepay_id: timeStamp in seconds, random nonce, signType RSA. */
export function buildRequestPayment({ appId, prepayId, privateKey, clock = Date.now, nonce = randomNonce }: PaySignInput): RequestPaymentParams {
  const timeStamp = unixSeconds(clock())
  const nonceStr = nonce()
  const pkg = `prepay_id=${prepayId}`
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: signMessage(paySignMessage(appId, timeStamp, nonceStr, pkg), privateKey) }
}

/** buildRequestPayment with the RSA signature computed on libuv's thread pool (same parameters, same paySign). */
export async function buildRequestPaymentAsync({ appId, prepayId, privateKey, clock = Date.now, nonce = randomNonce }: PaySignInput): Promise<RequestPaymentParams> {
  const timeStamp = unixSeconds(clock())
  const nonceStr = nonce()
  const pkg = `prepay_id=${prepayId}`
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: await signMessageAsync(paySignMessage(appId, timeStamp, nonceStr, pkg), privateKey) }
}

/** The WeChat client's check of a paySign against the merchant's public key (used by the emulator). */
export function verifyRequestPayment(appId: string, params: Omit<RequestPaymentParams, 'signType'> & { signType?: string }, merchantPublicKey: KeyObject): boolean {
  if (typeof params.timeStamp !== 'string' || typeof params.nonceStr !== 'string' || typeof params.package !== 'string') return false
  return verifySignature(paySignMessage(appId, params.timeStamp, params.nonceStr, params.package), params.paySign, merchantPublicKey)
}
