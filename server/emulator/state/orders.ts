/**
 * Orders as WeChat Pay keeps them: creation with its idempotency rules, expiry, query views,
 * close, and the payment the WeChat client makes (wechatpay-v3.md §4–§7).
 */
import { NOTIFY_URL_PROBLEMS, notifyUrlProblem, parseRfc3339, type PartnerTransaction, PREPAY_VALIDITY_MS, type PromotionDetail, rfc3339, type Transaction } from '../../wechatpay'
import { ApiError, paramError } from '../errors'
import type { EmulatorContext } from '../context'
import type { DirectOrderBody, PartnerOrderBody } from '../schemas/v3'
import { compactTime } from '../time'
import type { MerchantRecord, OrderRecord, TradeState } from './types'

/** Unpaid orders without time_expire cannot be paid after 7 days. */
export const DEFAULT_ORDER_TTL_MS = 7 * 24 * 3600 * 1000
/** time_expire below now + 1 min is raised to it; beyond 90 days it is clamped. */
export const MIN_TIME_EXPIRE_MS = 60 * 1000
export const MAX_TIME_EXPIRE_MS = 90 * 24 * 3600 * 1000

export const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
}

/** Key order does not matter to WeChat Pay; this fingerprint ignores it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** notify_url (the protocol rule of server/wechatpay/rules.ts) or 400 PARAM_ERROR naming the field. */
export function checkNotifyUrl(url: string, field: string, maxLength?: number): void {
  const problem = notifyUrlProblem(url, maxLength)
  if (problem) throw paramError(field, NOTIFY_URL_PROBLEMS[problem], url)
}

const checkCurrency = (currency: string | undefined, field: string) => {
  if (currency !== undefined && currency !== 'CNY') throw paramError(field, 'Currency code is invalid', currency)
}

const knowsOpenid = (ctx: EmulatorContext, appId: string, openid: string) => ctx.store.data.users[appId]?.[openid] !== undefined

const openidMismatch = (field: string, openid: string) =>
  new ApiError('PARAM_ERROR', 'appid和openid不匹配', { field, value: openid, issue: 'openid does not belong to this appid', location: 'body' })

const expiryOf = (ctx: EmulatorContext, timeExpire: string | undefined): number => {
  const now = ctx.now()
  if (timeExpire === undefined) return now + DEFAULT_ORDER_TTL_MS
  const t = parseRfc3339(timeExpire)
  if (Number.isNaN(t)) throw paramError('/time_expire', 'must be an RFC 3339 time such as 2018-06-08T10:34:56+08:00', timeExpire)
  return Math.min(Math.max(t, now + MIN_TIME_EXPIRE_MS), now + MAX_TIME_EXPIRE_MS)
}

const newPrepayId = (ctx: EmulatorContext) => {
  const hex = Array.from({ length: 20 }, () => '0123456789abcdef'[Math.floor(ctx.random() * 16)]).join('')
  return `wx${compactTime(ctx.now())}${hex}`
}

/** Order expiry happens lazily: an unpaid order past its time_expire is CLOSED. */
export function refresh(ctx: EmulatorContext, order: OrderRecord): OrderRecord {
  if (order.state === 'NOTPAY' && ctx.now() >= order.expiresAt) {
    order.state = 'CLOSED'
    order.closedAt = order.expiresAt
    ctx.store.save()
  }
  return order
}

interface NewOrder {
  kind: OrderRecord['kind']
  mchid: string
  appid: string
  subMchid?: string
  subAppid?: string
  body: DirectOrderBody | PartnerOrderBody
  payer: OrderRecord['payer']
  payAppId: string
  payOpenid: string
}

function placeOrder(ctx: EmulatorContext, n: NewOrder): { prepay_id: string } {
  const data = ctx.store.data
  const { body } = n
  checkNotifyUrl(body.notify_url, '/notify_url')
  checkCurrency(body.amount.currency, '/amount/currency')
  const key = `${n.mchid}:${body.out_trade_no}`
  const fingerprint = canonicalJson(body)
  const existing = data.orders[key]
  const now = ctx.now()
  if (existing) {
    refresh(ctx, existing)
    if (existing.state === 'CLOSED') throw new ApiError('ORDER_CLOSED', '订单已关闭')
    if (existing.state !== 'NOTPAY') throw new ApiError('OUT_TRADE_NO_USED', '商户订单号重复', { issue: 'order already paid' })
    if (existing.fingerprint !== fingerprint || existing.kind !== n.kind) throw new ApiError('OUT_TRADE_NO_USED', '商户订单号重复')
    if (now - existing.prepayCreatedAt >= PREPAY_VALIDITY_MS) {
      existing.prepayId = newPrepayId(ctx)
      existing.prepayCreatedAt = now
      data.prepay[existing.prepayId] = key
      ctx.store.save()
    }
    return { prepay_id: existing.prepayId }
  }
  const expiresAt = expiryOf(ctx, body.time_expire)
  const order: OrderRecord = {
    key,
    kind: n.kind,
    mchid: n.mchid,
    appid: n.appid,
    ...(n.subMchid ? { subMchid: n.subMchid } : {}),
    ...(n.subAppid ? { subAppid: n.subAppid } : {}),
    outTradeNo: body.out_trade_no,
    description: body.description,
    ...(body.attach !== undefined ? { attach: body.attach } : {}),
    notifyUrl: body.notify_url,
    totalFen: body.amount.total,
    currency: body.amount.currency ?? 'CNY',
    payer: n.payer,
    payAppId: n.payAppId,
    payOpenid: n.payOpenid,
    ...(body.scene_info?.device_id ? { deviceId: body.scene_info.device_id } : {}),
    fingerprint,
    createdAt: now,
    expiresAt,
    prepayId: newPrepayId(ctx),
    prepayCreatedAt: now,
    state: 'NOTPAY',
    refundedFen: 0,
    ...(body.settle_info?.profit_sharing ? { profitSharing: true } : {}),
  }
  data.orders[key] = order
  data.prepay[order.prepayId] = key
  ctx.store.save()
  return { prepay_id: order.prepayId }
}

const sameMchid = (authMchid: string, bodyMchid: string, field: string) => {
  if (authMchid !== bodyMchid) {
    throw new ApiError('INVALID_REQUEST', '请求中的商户号与Authorization中的商户号不一致', { field, value: bodyMchid, issue: 'must equal the mchid of the Authorization header', location: 'body' })
  }
}

/** POST /v3/pay/transactions/jsapi after the body passed its schema. */
export function createDirectOrder(ctx: EmulatorContext, merchant: MerchantRecord, body: DirectOrderBody) {
  sameMchid(merchant.mchid, body.mchid, '/mchid')
  if (!merchant.appIds.includes(body.appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配')
  if (!knowsOpenid(ctx, body.appid, body.payer.openid)) throw openidMismatch('/payer/openid', body.payer.openid)
  return placeOrder(ctx, { kind: 'direct', mchid: merchant.mchid, appid: body.appid, body, payer: { openid: body.payer.openid }, payAppId: body.appid, payOpenid: body.payer.openid })
}

/** POST /v3/pay/partner/transactions/jsapi after the body passed its schema. */
export function createPartnerOrder(ctx: EmulatorContext, merchant: MerchantRecord, body: PartnerOrderBody) {
  sameMchid(merchant.mchid, body.sp_mchid, '/sp_mchid')
  if (!merchant.appIds.includes(body.sp_appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'sp_appid和sp_mchid不匹配')
  const sub = merchant.subMchids[body.sub_mchid]
  if (!sub) throw new ApiError('INVALID_REQUEST', '受理关系不存在', { field: '/sub_mchid', value: body.sub_mchid, issue: 'sub_mchid has not authorised this service provider', location: 'body' })
  if (body.sub_appid !== undefined && !sub.appIds.includes(body.sub_appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'sub_appid和sub_mchid不匹配')
  const { sp_openid, sub_openid } = body.payer
  if (!sp_openid && !sub_openid) throw paramError('/payer', 'sp_openid or sub_openid is required')
  if (sub_openid && body.sub_appid === undefined) throw paramError('/sub_appid', 'is required when payer.sub_openid is sent')
  if (sp_openid && !knowsOpenid(ctx, body.sp_appid, sp_openid)) throw openidMismatch('/payer/sp_openid', sp_openid)
  if (sub_openid && !knowsOpenid(ctx, body.sub_appid as string, sub_openid)) throw openidMismatch('/payer/sub_openid', sub_openid)
  const payer = { ...(sp_openid ? { sp_openid } : {}), ...(sub_openid ? { sub_openid } : {}) }
  // The WeChat client runs as sp_appid for an sp_openid payer, as sub_appid for a sub_openid payer (§5).
  const payAppId = sp_openid ? body.sp_appid : (body.sub_appid as string)
  return placeOrder(ctx, {
    kind: 'partner',
    mchid: merchant.mchid,
    appid: body.sp_appid,
    subMchid: body.sub_mchid,
    ...(body.sub_appid ? { subAppid: body.sub_appid } : {}),
    body,
    payer,
    payAppId,
    payOpenid: (sp_openid ?? sub_openid) as string,
  })
}

/** The order a query names, or 404 ORDER_NOT_EXIST. */
export function findOrder(ctx: EmulatorContext, q: { mchid: string; outTradeNo?: string; transactionId?: string; subMchid?: string }): OrderRecord {
  const data = ctx.store.data
  const key = q.outTradeNo !== undefined ? `${q.mchid}:${q.outTradeNo}` : data.transactions[q.transactionId ?? '']
  const order = key ? data.orders[key] : undefined
  const partner = q.subMchid !== undefined
  if (!order || order.mchid !== q.mchid || (order.kind === 'partner') !== partner || (partner && order.subMchid !== q.subMchid)) {
    throw new ApiError('ORDER_NOT_EXIST', '订单不存在')
  }
  return refresh(ctx, order)
}

/** The Transaction object of a query answer and of TRANSACTION.SUCCESS (wechatpay-v3.md §7.1). */
export function transactionView(order: OrderRecord): Transaction | PartnerTransaction {
  const paid = order.successAt !== undefined
  const coupon = paid ? (order.couponFen ?? 0) : 0
  const common = {
    out_trade_no: order.outTradeNo,
    ...(paid ? { transaction_id: order.transactionId } : {}),
    trade_type: 'JSAPI',
    trade_state: order.state,
    trade_state_desc: TRADE_STATE_DESC[order.state],
    ...(paid ? { bank_type: 'OTHERS' } : {}),
    attach: order.attach ?? '',
    ...(paid ? { success_time: rfc3339(order.successAt as number) } : {}),
    amount: paid
      ? { total: order.totalFen, payer_total: order.totalFen - coupon, currency: order.currency, payer_currency: order.currency }
      : { total: order.totalFen, currency: order.currency, payer_currency: order.currency },
    ...(order.deviceId ? { scene_info: { device_id: order.deviceId } } : {}),
    ...(coupon > 0 ? { promotion_detail: [couponDetail(order, coupon)] } : {}),
  }
  if (order.kind === 'direct') return { appid: order.appid, mchid: order.mchid, ...common, payer: { openid: order.payer.openid ?? '' } }
  return { sp_appid: order.appid, sp_mchid: order.mchid, ...(order.subAppid ? { sub_appid: order.subAppid } : {}), sub_mchid: order.subMchid ?? '', ...common, payer: order.payer }
}

/** The promotion_detail entry of a coupon the merchant funded (/__emulator/pay couponFen). */
const couponDetail = (order: OrderRecord, amount: number): PromotionDetail => ({
  coupon_id: `C${order.transactionId?.slice(-10) ?? ''}`,
  name: '模拟器代金券',
  scope: 'GLOBAL',
  type: 'CASH',
  amount,
  stock_id: '9800000001',
  wechatpay_contribute: 0,
  merchant_contribute: amount,
  other_contribute: 0,
  currency: order.currency,
})

/** Close: unpaid → CLOSED (idempotent), not before the order is minCloseAgeMs old; a paid order cannot be closed. */
export function closeOrder(ctx: EmulatorContext, order: OrderRecord): void {
  if (order.state === 'SUCCESS' || order.state === 'REFUND') throw new ApiError('ORDERPAID', '订单已支付')
  if (order.state === 'NOTPAY') {
    // The code WeChat Pay answers here is undocumented (wechatpay-v3.md §7.2, §15): INVALID_REQUEST with the rule's text.
    if (ctx.now() - order.createdAt < ctx.options.minCloseAgeMs) {
      throw new ApiError('INVALID_REQUEST', '订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟', { issue: `the order may be closed ${ctx.options.minCloseAgeMs} ms after it was created`, location: 'body' })
    }
    order.state = 'CLOSED'
    order.closedAt = ctx.now()
    ctx.store.save()
  }
}

/** 28 digits, like 4200001234202311230123456789. */
export const newTransactionId = (ctx: EmulatorContext) => ctx.newId(`4200${compactTime(ctx.now()).slice(0, 8)}`, 16)
