/** The WeChat client's payment: the pay sheet (wechatpay-v3.md §6). */
import { PREPAY_VALIDITY_MS, verifyRequestPayment } from '../../wechatpay'
import type { EmulatorContext } from '../context'
import { ControlError } from '../errors'
import type { Notifier } from '../notifier'
import { newTransactionId, refresh, transactionView } from './orders'
import type { OrderRecord } from './types'

export interface PayInput {
  timeStamp?: unknown
  nonceStr?: unknown
  package?: unknown
  signType?: unknown
  paySign?: unknown
  /** The appid the mini-program runs as. */
  appId: string
  /** The WeChat user holding the phone; default the order's payer. */
  openid?: string
  outcome: 'success' | 'cancel' | 'fail'
  /** A coupon paying part of the order (the payer pays the rest). */
  couponFen?: number
}

const typeName = (v: unknown) => (v === undefined ? 'Undefined' : v === null ? 'Null' : Array.isArray(v) ? 'Array' : (typeof v).replace(/^./, (c) => c.toUpperCase()))

/**
 * What wx.requestPayment answers on a phone: checks the parameters, the prepay_id, the appId the
 * order was placed for, and the paySign with the merchant's key; then applies the user's choice.
 */
export function payOrder(ctx: EmulatorContext, notifier: Notifier, input: PayInput): string {
  for (const name of ['timeStamp', 'nonceStr', 'package', 'paySign'] as const) {
    if (typeof input[name] !== 'string') return `requestPayment:fail parameter error: parameter.${name} should be String instead of ${typeName(input[name])};`
  }
  const pkg = input.package as string
  const data = ctx.store.data
  const match = /^prepay_id=(.+)$/.exec(pkg)
  const orderKey = match ? data.prepay[match[1]] : undefined
  const order = orderKey ? data.orders[orderKey] : undefined
  if (!match || !order) return 'requestPayment:fail prepay_id无效'
  if (input.appId !== order.payAppId) return 'requestPayment:fail 调用支付JSAPI的appid与下单appid不一致'
  const merchant = data.merchants[order.mchid]
  if (input.signType !== 'RSA' || !merchant || !verifyRequestPayment(input.appId, input as never, ctx.keys.publicKey(merchant.publicKeyPem))) {
    return 'requestPayment:fail 支付验证签名失败'
  }
  refresh(ctx, order)
  if (order.state === 'SUCCESS' || order.state === 'REFUND') return 'requestPayment:fail 该订单已支付'
  if (order.state === 'CLOSED') return 'requestPayment:fail 订单已关闭'
  if (order.prepayId !== match[1] || ctx.now() - order.prepayCreatedAt >= PREPAY_VALIDITY_MS) return 'requestPayment:fail prepay_id已失效'
  if (input.openid !== undefined && input.openid !== order.payOpenid) return 'requestPayment:fail 下单账号与支付账号不一致'
  if (input.outcome === 'cancel') return 'requestPayment:fail cancel'
  if (input.outcome === 'fail') return 'requestPayment:fail 支付失败，请稍后再试'
  if (input.couponFen !== undefined && input.couponFen >= order.totalFen) {
    throw new ControlError(400, 'BAD_REQUEST', `couponFen must be less than the order total ${order.totalFen}: the payer pays at least 1 fen`)
  }

  if (input.couponFen !== undefined) order.couponFen = input.couponFen
  markPaid(ctx, notifier, order)
  return 'requestPayment:ok'
}

/** The user paid: the order becomes SUCCESS with a transaction id and TRANSACTION.SUCCESS is queued. */
export function markPaid(ctx: EmulatorContext, notifier: Notifier, order: OrderRecord): void {
  const data = ctx.store.data
  order.state = 'SUCCESS'
  order.successAt = ctx.now()
  order.transactionId = newTransactionId(ctx)
  data.transactions[order.transactionId] = order.key
  ctx.store.save()
  notifier.enqueue({
    mchid: order.mchid,
    url: order.notifyUrl,
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    plaintext: JSON.stringify(transactionView(order)),
    outTradeNo: order.outTradeNo,
  })
}
