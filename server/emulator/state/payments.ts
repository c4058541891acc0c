/** The WeChat client's payment (the pay sheet) and refunds (wechatpay-v3.md §6, §7.3). */
import { verifyRequestPayment } from '../../wechatpay'
import type { EmulatorContext } from '../context'
import { ApiError, paramError } from '../errors'
import type { Notifier } from '../notifier'
import type { RefundBody } from '../schemas/v3'
import { rfc3339 } from '../time'
import { canonicalJson, checkNotifyUrl, findOrder, newTransactionId, PREPAY_TTL_MS, refresh, transactionView } from './orders'
import type { MerchantRecord, NotificationJob, OrderRecord, RefundRecord } from './types'

/** At most 50 partial refunds per order (wechatpay-v3.md §7.3). */
export const MAX_REFUNDS_PER_ORDER = 50

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
  if (order.prepayId !== match[1] || ctx.now() - order.prepayCreatedAt >= PREPAY_TTL_MS) return 'requestPayment:fail prepay_id已失效'
  if (input.openid !== undefined && input.openid !== order.payOpenid) return 'requestPayment:fail 下单账号与支付账号不一致'
  if (input.outcome === 'cancel') return 'requestPayment:fail cancel'
  if (input.outcome === 'fail') return 'requestPayment:fail 支付失败，请稍后再试'
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

/** A refund becomes SUCCESS once its settle time has come (checked lazily and by the notifier). */
export function settleRefund(ctx: EmulatorContext, refund: RefundRecord): RefundRecord {
  if (refund.status === 'PROCESSING' && ctx.now() >= refund.settleAt) {
    refund.status = 'SUCCESS'
    refund.successAt = refund.settleAt
    ctx.store.save()
  }
  return refund
}

/** The Refund object of the create and query answers (wechatpay-v3.md §7.3). */
export function refundView(refund: RefundRecord, order: OrderRecord): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: order.transactionId,
    out_trade_no: order.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successAt !== undefined ? { success_time: rfc3339(refund.successAt) } : {}),
    create_time: rfc3339(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      from: [],
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
      settlement_refund: refund.refundFen,
      settlement_total: refund.totalFen,
      discount_refund: 0,
      currency: refund.currency,
    },
    promotion_detail: [],
  }
}

/** The decrypted resource of a REFUND.* notification. */
export function refundNotice(refund: RefundRecord, order: OrderRecord): Record<string, unknown> {
  return {
    ...(order.kind === 'direct' ? { mchid: order.mchid } : { sp_mchid: order.mchid, sub_mchid: order.subMchid }),
    out_trade_no: order.outTradeNo,
    transaction_id: order.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successAt !== undefined ? { success_time: rfc3339(refund.successAt) } : {}),
    user_received_account: '支付用户零钱',
    amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen },
  }
}

/** Before a REFUND.* notification goes out: settle the refund and put its final state in the plaintext. */
export function prepareRefundNotification(ctx: EmulatorContext, job: NotificationJob): void {
  if (!job.outRefundNo || job.body) return
  const refund = ctx.store.data.refunds[`${job.mchid}:${job.outRefundNo}`]
  const order = refund && ctx.store.data.orders[refund.orderKey]
  if (!refund || !order) return
  settleRefund(ctx, refund)
  job.plaintext = JSON.stringify(refundNotice(refund, order))
}

/** POST /v3/refund/domestic/refunds after the body passed its schema. Same out_refund_no ⇒ same refund. */
export function createRefund(ctx: EmulatorContext, notifier: Notifier, merchant: MerchantRecord, body: RefundBody): Record<string, unknown> {
  const data = ctx.store.data
  if (body.transaction_id === undefined && body.out_trade_no === undefined) throw paramError('/out_trade_no', 'transaction_id or out_trade_no is required')
  if (body.amount.currency !== 'CNY') throw paramError('/amount/currency', 'Currency code is invalid', body.amount.currency)
  if (body.notify_url !== undefined) checkNotifyUrl(body.notify_url, '/notify_url')
  if (body.sub_mchid !== undefined && !merchant.subMchids[body.sub_mchid]) {
    throw new ApiError('INVALID_REQUEST', '受理关系不存在', { field: '/sub_mchid', value: body.sub_mchid, issue: 'sub_mchid has not authorised this service provider', location: 'body' })
  }
  let order: OrderRecord
  try {
    order = findOrder(ctx, { mchid: merchant.mchid, outTradeNo: body.out_trade_no, transactionId: body.out_trade_no === undefined ? body.transaction_id : undefined, subMchid: body.sub_mchid })
  } catch {
    throw new ApiError('RESOURCE_NOT_EXISTS', '订单不存在')
  }
  if (body.transaction_id !== undefined && body.transaction_id !== order.transactionId) throw new ApiError('RESOURCE_NOT_EXISTS', '订单不存在')

  const key = `${merchant.mchid}:${body.out_refund_no}`
  const fingerprint = canonicalJson(body)
  const existing = data.refunds[key]
  if (existing) {
    if (existing.fingerprint !== fingerprint) throw new ApiError('INVALID_REQUEST', '退款单号重复，但请求参数与原请求不一致')
    return refundView(settleRefund(ctx, existing), data.orders[existing.orderKey])
  }
  if (order.state !== 'SUCCESS' && order.state !== 'REFUND') throw new ApiError('INVALID_REQUEST', '订单未支付，不能退款')
  if (body.amount.total !== order.totalFen) throw paramError('/amount/total', 'does not equal the order total', body.amount.total)
  if (body.amount.refund > order.totalFen - order.refundedFen) throw new ApiError('INVALID_REQUEST', '申请退款金额超过订单可退金额')
  const refundsOfOrder = Object.values(data.refunds).filter((r) => r.orderKey === order.key).length
  if (refundsOfOrder >= MAX_REFUNDS_PER_ORDER) throw new ApiError('INVALID_REQUEST', '部分退款次数超过限制')

  const now = ctx.now()
  const refund: RefundRecord = {
    key,
    mchid: merchant.mchid,
    ...(body.sub_mchid ? { subMchid: body.sub_mchid } : {}),
    orderKey: order.key,
    outRefundNo: body.out_refund_no,
    refundId: ctx.newId('50', 27),
    ...(body.reason !== undefined ? { reason: body.reason } : {}),
    ...(body.notify_url !== undefined ? { notifyUrl: body.notify_url } : {}),
    refundFen: body.amount.refund,
    totalFen: body.amount.total,
    currency: body.amount.currency,
    fingerprint,
    createdAt: now,
    settleAt: now + Math.round(ctx.options.refundSettleMs * Math.min(1, ctx.options.retryScale)),
    status: 'PROCESSING',
  }
  data.refunds[key] = refund
  order.refundedFen += refund.refundFen
  order.state = 'REFUND'
  ctx.store.save()
  const view = refundView(refund, order) // accepted, not yet settled: the answer says PROCESSING
  notifier.enqueue({
    mchid: merchant.mchid,
    url: refund.notifyUrl ?? order.notifyUrl,
    eventType: 'REFUND.SUCCESS',
    summary: '退款成功',
    originalType: 'refund',
    plaintext: '',
    outTradeNo: order.outTradeNo,
    outRefundNo: refund.outRefundNo,
    at: refund.settleAt,
  })
  return view
}

/** GET /v3/refund/domestic/refunds/{out_refund_no}. */
export function queryRefund(ctx: EmulatorContext, merchant: MerchantRecord, outRefundNo: string, subMchid: string | undefined): Record<string, unknown> {
  const refund = ctx.store.data.refunds[`${merchant.mchid}:${outRefundNo}`]
  if (!refund || refund.subMchid !== subMchid) throw new ApiError('RESOURCE_NOT_EXISTS', '退款单不存在')
  return refundView(settleRefund(ctx, refund), ctx.store.data.orders[refund.orderKey])
}
