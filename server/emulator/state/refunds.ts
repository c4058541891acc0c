/**
 * Refunds as WeChat Pay keeps them (wechatpay-v3.md §7.3, wechatpay-service-provider.md §7):
 * idempotent creation, the one-refund-per-minute rule, PROCESSING → SUCCESS | ABNORMAL | CLOSED,
 * the REFUND.* notification to the refund's own notify_url, and the control API's settle-now.
 */
import { type Refund, type RefundNotice, rfc3339 } from '../../wechatpay'
import type { EmulatorContext } from '../context'
import { ApiError, ControlError, paramError } from '../errors'
import type { Faults } from '../faults'
import type { Notifier } from '../notifier'
import type { RefundBody } from '../schemas/v3'
import { canonicalJson, checkNotifyUrl, findOrder } from './orders'
import { drawRefundFromSplit } from './split-returns'
import type { MerchantRecord, NotificationJob, OrderRecord, RefundRecord, RefundStatus } from './types'

/** At most 50 partial refunds per order (wechatpay-v3.md §7.3). */
export const MAX_REFUNDS_PER_ORDER = 50
/** A refund's notify_url may be one character longer than an order's (wechatpay-v3.md §7.3). */
const REFUND_NOTIFY_URL_MAX_LENGTH = 256

type FinalStatus = Exclude<RefundStatus, 'PROCESSING'>

const SUMMARIES: Record<FinalStatus, string> = { SUCCESS: '退款成功', ABNORMAL: '退款异常', CLOSED: '退款关闭' }

/** Where the money goes back: the payer's balance, or (ABNORMAL) the bank card that no longer takes it. */
const receivedAccount = (refund: RefundRecord) => (refund.status === 'ABNORMAL' ? '招商银行借记卡0403' : '支付用户零钱')

/** The part of a refund the payer gets back when a coupon paid part of the order (proportional). */
function payerShare(refund: RefundRecord, order: OrderRecord) {
  const coupon = order.couponFen ?? 0
  const discountRefund = Math.floor((refund.refundFen * coupon) / order.totalFen)
  return { payerTotal: order.totalFen - coupon, payerRefund: refund.refundFen - discountRefund, discountRefund }
}

/** Ends a refund with `status` at `at`; a CLOSED refund gives its amount back to the order's refundable rest. */
function finish(ctx: EmulatorContext, refund: RefundRecord, status: FinalStatus, at: number): void {
  refund.status = status
  delete refund.held
  if (status === 'SUCCESS') refund.successAt = at
  if (status === 'CLOSED') {
    const order = ctx.store.data.orders[refund.orderKey]
    if (order) order.refundedFen -= refund.refundFen
  }
  ctx.store.save()
}

/** A PROCESSING refund ends (SUCCESS unless armed otherwise) once its settle time has come; checked lazily and by the notifier. */
export function settleRefund(ctx: EmulatorContext, refund: RefundRecord): RefundRecord {
  if (refund.status === 'PROCESSING' && !refund.held && ctx.now() >= refund.settleAt) finish(ctx, refund, refund.outcome ?? 'SUCCESS', refund.settleAt)
  return refund
}

/** The Refund object of the create and query answers (wechatpay-v3.md §7.3). */
export function refundView(refund: RefundRecord, order: OrderRecord): Refund {
  const share = payerShare(refund, order)
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: order.transactionId ?? '',
    out_trade_no: order.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: receivedAccount(refund),
    ...(refund.successAt !== undefined ? { success_time: rfc3339(refund.successAt) } : {}),
    create_time: rfc3339(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      from: [],
      payer_total: share.payerTotal,
      payer_refund: share.payerRefund,
      settlement_refund: refund.refundFen,
      settlement_total: refund.totalFen,
      discount_refund: share.discountRefund,
      currency: refund.currency,
    },
    promotion_detail: [],
  }
}

/** The decrypted resource of a REFUND.* notification (wechatpay-service-provider.md §7). */
export function refundNotice(refund: RefundRecord, order: OrderRecord): RefundNotice {
  const share = payerShare(refund, order)
  return {
    ...(order.kind === 'direct' ? { mchid: order.mchid } : { sp_mchid: order.mchid, sub_mchid: order.subMchid }),
    out_trade_no: order.outTradeNo,
    transaction_id: order.transactionId ?? '',
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    ...(refund.successAt !== undefined ? { success_time: rfc3339(refund.successAt) } : {}),
    user_received_account: receivedAccount(refund),
    amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: share.payerTotal, payer_refund: share.payerRefund },
    refund_account: 'REFUND_SOURCE_UNSETTLED_FUNDS',
  }
}

/** Before a REFUND.* notification goes out: settle the refund and put its final state in the event type and plaintext. */
export function prepareRefundNotification(ctx: EmulatorContext, job: NotificationJob): void {
  if (!job.outRefundNo || job.body) return
  const refund = ctx.store.data.refunds[`${job.mchid}:${job.outRefundNo}`]
  const order = refund && ctx.store.data.orders[refund.orderKey]
  if (!refund || !order) return
  settleRefund(ctx, refund)
  if (refund.status !== 'PROCESSING') {
    job.eventType = `REFUND.${refund.status}`
    job.summary = SUMMARIES[refund.status]
  }
  job.plaintext = JSON.stringify(refundNotice(refund, order))
}

/** Queues the REFUND.* notification of a refund, due at `at`: to the refund's notify_url, else the order's. */
function notifyRefund(notifier: Notifier, refund: RefundRecord, order: OrderRecord, at: number): void {
  notifier.enqueue({
    mchid: refund.mchid,
    url: refund.notifyUrl ?? order.notifyUrl,
    eventType: `REFUND.${refund.outcome ?? 'SUCCESS'}`,
    summary: SUMMARIES[refund.outcome ?? 'SUCCESS'],
    originalType: 'refund',
    plaintext: '', // written when due (prepareRefundNotification)
    outTradeNo: order.outTradeNo,
    outRefundNo: refund.outRefundNo,
    at,
  })
}

export interface RefundDeps {
  ctx: EmulatorContext
  notifier: Notifier
  faults: Faults
}

/** POST /v3/refund/domestic/refunds after the body passed its schema. Same out_refund_no ⇒ same refund. */
export function createRefund({ ctx, notifier, faults }: RefundDeps, merchant: MerchantRecord, body: RefundBody): Refund {
  const data = ctx.store.data
  if (body.transaction_id === undefined && body.out_trade_no === undefined) throw paramError('/out_trade_no', 'transaction_id or out_trade_no is required')
  if (body.amount.currency !== 'CNY') throw paramError('/amount/currency', 'Currency code is invalid', body.amount.currency)
  if (body.notify_url !== undefined) checkNotifyUrl(body.notify_url, '/notify_url', REFUND_NOTIFY_URL_MAX_LENGTH)
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
    // A replay of the same refund is never rate-limited: it is how a client learns an unknown outcome.
    if (existing.fingerprint !== fingerprint) throw new ApiError('INVALID_REQUEST', '退款单号重复，但请求参数与原请求不一致')
    return refundView(settleRefund(ctx, existing), data.orders[existing.orderKey])
  }
  if (order.state !== 'SUCCESS' && order.state !== 'REFUND') throw new ApiError('INVALID_REQUEST', '订单未支付，不能退款')
  const now = ctx.now()
  const refundsOfOrder = Object.values(data.refunds).filter((r) => r.orderKey === order.key)
  const last = Math.max(-Infinity, ...refundsOfOrder.map((r) => r.createdAt))
  if (now - last < ctx.options.refundIntervalMs) throw new ApiError('FREQUENCY_LIMITED', '频率限制', { issue: 'refunds of one order must be at least 1 minute apart' })
  if (body.amount.total !== order.totalFen) throw paramError('/amount/total', 'does not equal the order total', body.amount.total)
  if (body.amount.refund > order.totalFen - order.refundedFen) throw new ApiError('INVALID_REQUEST', '申请退款金额超过订单可退金额')
  if (refundsOfOrder.length >= MAX_REFUNDS_PER_ORDER) throw new ApiError('INVALID_REQUEST', '部分退款次数超过限制')
  drawRefundFromSplit(ctx, order, body.amount.refund, body.funds_account) // 403 RULE_LIMIT while split money is frozen

  const armed = faults.takeRefundOutcome()
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
    ...(armed === 'PROCESSING' ? { held: true } : armed ? { outcome: armed } : {}),
  }
  data.refunds[key] = refund
  order.refundedFen += refund.refundFen
  order.state = 'REFUND'
  ctx.store.save()
  const view = refundView(refund, order) // accepted, not yet settled: the answer says PROCESSING
  if (!refund.held) notifyRefund(notifier, refund, order, refund.settleAt)
  return view
}

/** GET /v3/refund/domestic/refunds/{out_refund_no}. */
export function queryRefund(ctx: EmulatorContext, merchant: MerchantRecord, outRefundNo: string, subMchid: string | undefined): Refund {
  const refund = ctx.store.data.refunds[`${merchant.mchid}:${outRefundNo}`]
  if (!refund || refund.subMchid !== subMchid) throw new ApiError('RESOURCE_NOT_EXISTS', '退款单不存在')
  return refundView(settleRefund(ctx, refund), ctx.store.data.orders[refund.orderKey])
}

/**
 * POST /__emulator/refunds/:outRefundNo/settle: ends a PROCESSING refund now with `status` and
 * sends its notification at once. 404 REFUND_NOT_FOUND, 409 REFUND_NOT_PROCESSING or AMBIGUOUS_REFUND.
 */
export function settleRefundNow(ctx: EmulatorContext, notifier: Notifier, q: { outRefundNo: string; mchid?: string; status: FinalStatus }): Refund {
  const matches = Object.values(ctx.store.data.refunds).filter((r) => r.outRefundNo === q.outRefundNo && (q.mchid === undefined || r.mchid === q.mchid))
  if (matches.length === 0) throw new ControlError(404, 'REFUND_NOT_FOUND', `no refund ${q.outRefundNo}${q.mchid ? ` of merchant ${q.mchid}` : ''}`)
  if (matches.length > 1) throw new ControlError(409, 'AMBIGUOUS_REFUND', `several merchants have a refund ${q.outRefundNo}: name the mchid`)
  const refund = settleRefund(ctx, matches[0])
  const order = ctx.store.data.orders[refund.orderKey]
  if (refund.status !== 'PROCESSING') throw new ControlError(409, 'REFUND_NOT_PROCESSING', `refund ${q.outRefundNo} is already ${refund.status}`)
  const now = ctx.now()
  refund.outcome = q.status
  refund.settleAt = now
  finish(ctx, refund, q.status, now)
  const pending = Object.values(ctx.store.data.notifications).find((j) => !j.done && !j.body && j.mchid === refund.mchid && j.outRefundNo === refund.outRefundNo)
  if (pending) {
    pending.nextAt = now
    notifier.kick()
  } else notifyRefund(notifier, refund, order, now)
  return refundView(refund, order)
}
