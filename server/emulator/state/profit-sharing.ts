/**
 * Profit sharing (分账, wechatpay-service-provider.md §3–§4): an order's frozen money, split
 * requests with their rules (placed with profit_sharing, the "订单处理中" window, the cap, 50
 * requests, enough unsplit money, receiver relations), finish / unfreeze, and their views.
 * Returns and refunds are in split-returns.ts.
 */
import type { EmulatorContext } from '../context'
import { ApiError, paramError } from '../errors'
import { rfc3339 } from '../../wechatpay'
import { canonicalJson } from './orders'
import type { SplitFamily, SplitLedger, SplitReceiverRecord, SplitReceiverType, SplitRecord } from './platform-types'
import type { MerchantRecord, OrderRecord } from './types'

/** "订单处理中" for this long after payment (× retry scale): WeChat Pay settles the order first (§3.1: 30 s to 1 min). */
export const SPLIT_WINDOW_MS = 60_000
/** A split request stays PROCESSING this long (× retry scale, at most 1×): it is asynchronous. */
export const SPLIT_SETTLE_MS = 3000
/** At most 50 split requests per order (§3.1, §4). */
export const MAX_SPLITS_PER_ORDER = 50
/** E-commerce: receivers other than the sub-merchant get at most 30 % of the order (§3.1). */
export const ECOMMERCE_MAX_RATIO_BPS = 3000
/** Ordinary: a sub-merchant authorises at most this (and this by default). */
export const DEFAULT_MAX_RATIO_BPS = 3000
/** Ordinary unfreeze: how the released remainder appears among the receivers (UNCONFIRMED wording). */
export const UNFREEZE_DESCRIPTION = '解冻给分账方'

const notAuthorised = (subMchid: string) =>
  new ApiError('INVALID_REQUEST', '受理关系不存在', { field: '/sub_mchid', value: subMchid, issue: 'sub_mchid has not authorised this service provider', location: 'body' })

/** The sub-merchant record, or 400 受理关系不存在. */
export function subMerchantOf(merchant: MerchantRecord, subMchid: string) {
  const sub = merchant.subMchids[subMchid]
  if (!sub) throw notAuthorised(subMchid)
  return sub
}

/** The ratio (basis points) receivers may get of this order. */
export const capBps = (family: SplitFamily, merchant: MerchantRecord, subMchid: string): number =>
  family === 'ecommerce' ? ECOMMERCE_MAX_RATIO_BPS : (merchant.subMchids[subMchid]?.maxRatioBps ?? DEFAULT_MAX_RATIO_BPS)

/** The order's ledger; created (all frozen) the first time a paid profit-sharing order is touched. */
export function ledgerOf(ctx: EmulatorContext, order: OrderRecord): SplitLedger {
  const data = ctx.store.data
  let ledger = data.splitLedgers[order.key]
  if (!ledger) {
    ledger = { unsplitFen: order.totalFen, returnedFen: 0, splitFen: 0, finished: false }
    data.splitLedgers[order.key] = ledger
    ctx.store.save()
  }
  return ledger
}

/** The paid order of a transaction_id for this provider (and sub-merchant, when named), or 404. */
export function orderOfTransaction(ctx: EmulatorContext, merchant: MerchantRecord, transactionId: string, subMchid?: string): OrderRecord {
  const data = ctx.store.data
  const order = data.orders[data.transactions[transactionId] ?? '']
  if (!order || order.mchid !== merchant.mchid || (subMchid !== undefined && order.subMchid !== subMchid)) {
    throw new ApiError('RESOURCE_NOT_EXISTS', '订单不存在', { field: 'transaction_id', value: transactionId, issue: 'no paid order of this merchant has this transaction_id' })
  }
  return order
}

/** What every split and finish checks of the order (§3.1): profit sharing, and the settling window after payment. */
function splittableOrder(ctx: EmulatorContext, merchant: MerchantRecord, subMchid: string, transactionId: string): OrderRecord {
  subMerchantOf(merchant, subMchid)
  const order = orderOfTransaction(ctx, merchant, transactionId, subMchid)
  // UNCONFIRMED v3 code (v2: NOT_SHARE_ORDER); 400 INVALID_REQUEST as for the other business rules.
  if (!order.profitSharing) throw new ApiError('INVALID_REQUEST', '非分账订单不支持分账', { field: '/transaction_id', value: transactionId, issue: 'the order was placed without settle_info.profit_sharing=true' })
  if (ctx.now() - (order.successAt as number) < SPLIT_WINDOW_MS * ctx.options.retryScale) throw new ApiError('INVALID_REQUEST', '订单处理中,暂时无法分账,请稍后重试')
  return order
}

const settleDelay = (ctx: EmulatorContext) => Math.round(SPLIT_SETTLE_MS * Math.min(1, ctx.options.retryScale))

/** A split becomes FINISHED (its receivers SUCCESS) once its settle time has come (checked lazily). */
export function settleSplit(ctx: EmulatorContext, split: SplitRecord): SplitRecord {
  if (ctx.now() >= split.settleAt && split.receivers.some((r) => r.result === 'PENDING')) {
    for (const r of split.receivers) if (r.result === 'PENDING') r.result = 'SUCCESS'
    ctx.store.save()
  }
  return split
}

const requestsOf = (ctx: EmulatorContext, orderKey: string) => Object.values(ctx.store.data.splits).filter((s) => s.orderKey === orderKey).length

/** Same out_order_no: the same request answers the same split; other parameters are refused. */
function existingSplit(ctx: EmulatorContext, key: string, fingerprint: string): SplitRecord | undefined {
  const existing = ctx.store.data.splits[key]
  if (existing && existing.fingerprint !== fingerprint) throw new ApiError('INVALID_REQUEST', '商户分账单号重复，但请求参数与原请求不一致', { field: '/out_order_no', value: existing.outOrderNo, location: 'body' })
  return existing && settleSplit(ctx, existing)
}

export interface SplitInput {
  family: SplitFamily
  subMchid: string
  transactionId: string
  outOrderNo: string
  appid?: string
  subAppid?: string
  receivers: Array<{ type: SplitReceiverType; account: string; amount: number; description: string }>
  finish: boolean
  /** The body as received (idempotency). */
  body: unknown
}

/** The relation key of a receiver (receivers/add), per family. */
export const relationKey = (family: SplitFamily, mchid: string, subMchid: string, type: string, account: string) =>
  family === 'ecommerce' ? `ecommerce:${mchid}:${type}:${account}` : `ordinary:${mchid}:${subMchid}:${type}:${account}`

function checkReceiver(ctx: EmulatorContext, merchant: MerchantRecord, input: SplitInput, r: SplitInput['receivers'][number], i: number): void {
  const data = ctx.store.data
  const field = `/receivers/${i}`
  if (r.type === 'MERCHANT_ID' && r.account === input.subMchid) throw new ApiError('INVALID_REQUEST', '分账接收方不能是分账出资方', { field: `${field}/account`, value: r.account, location: 'body' })
  if (r.type !== 'MERCHANT_ID') {
    const appid = r.type === 'PERSONAL_OPENID' ? input.appid : input.subAppid
    const appField = r.type === 'PERSONAL_OPENID' ? '/appid' : '/sub_appid'
    if (!appid) throw paramError(appField, `is required for a ${r.type} receiver`)
    const bound = r.type === 'PERSONAL_OPENID' ? merchant.appIds.includes(appid) : merchant.subMchids[input.subMchid]?.appIds.includes(appid)
    if (!bound) throw new ApiError('APPID_MCHID_NOT_MATCH', `${appField.slice(1)}和mch_id不匹配`)
    if (data.users[appid]?.[r.account] === undefined) throw new ApiError('PARAM_ERROR', 'appid和openid不匹配', { field: `${field}/account`, value: r.account, location: 'body' })
  }
  // The platform itself, and (e-commerce) its own sub-merchants, receive without being added (§3.1).
  const implicit = r.type === 'MERCHANT_ID' && (r.account === merchant.mchid || (input.family === 'ecommerce' && merchant.subMchids[r.account] !== undefined))
  if (!implicit && !data.splitReceivers[relationKey(input.family, merchant.mchid, input.subMchid, r.type, r.account)]) {
    throw new ApiError('INVALID_REQUEST', '分账接收方关系不存在，请检查参数中每个接收方的关系', { field: `${field}/account`, value: r.account, location: 'body' })
  }
}

/**
 * The checks a split and a finish request share: the same out_order_no with the same body answers
 * the stored request; else the order must be splittable and under its request limit.
 */
function openRequest(
  ctx: EmulatorContext,
  merchant: MerchantRecord,
  input: { subMchid: string; transactionId: string; outOrderNo: string; body: unknown },
  o: { refuseFinished?: boolean } = {},
): { existing: SplitRecord } | { existing?: undefined; key: string; fingerprint: string; order: ReturnType<typeof splittableOrder>; ledger: ReturnType<typeof ledgerOf> } {
  const key = `${merchant.mchid}:${input.outOrderNo}`
  const fingerprint = canonicalJson(input.body)
  const existing = existingSplit(ctx, key, fingerprint)
  if (existing) return { existing }
  const order = splittableOrder(ctx, merchant, input.subMchid, input.transactionId)
  const ledger = ledgerOf(ctx, order)
  if (o.refuseFinished && ledger.finished) throw new ApiError('INVALID_REQUEST', '分账已完结，无需再次请求')
  if (requestsOf(ctx, order.key) >= MAX_SPLITS_PER_ORDER) throw new ApiError('INVALID_REQUEST', '该笔订单的分账请求次数已达上限')
  return { key, fingerprint, order, ledger }
}

/** POST /v3/ecommerce/profitsharing/orders and /v3/profitsharing/orders: accepted as PROCESSING, settled later. */
export function createSplit(ctx: EmulatorContext, merchant: MerchantRecord, input: SplitInput): SplitRecord {
  const opened = openRequest(ctx, merchant, input)
  if (opened.existing) return opened.existing
  const { key, fingerprint, order, ledger } = opened
  input.receivers.forEach((r, i) => checkReceiver(ctx, merchant, input, r, i))
  const sum = input.receivers.reduce((s, r) => s + r.amount, 0)
  const cap = Math.floor((order.totalFen * capBps(input.family, merchant, input.subMchid)) / 10000)
  // UNCONFIRMED codes for both (§3.1): INVALID_REQUEST for the ratio, NOT_ENOUGH for the money.
  if (ledger.splitFen + sum > cap) throw new ApiError('INVALID_REQUEST', '分账金额超出最大分账比例', { issue: `receivers may get at most ${cap} fen of this order; ${ledger.splitFen} already split` })
  if (sum > ledger.unsplitFen) throw new ApiError('NOT_ENOUGH', '分账金额不足', { issue: `${ledger.unsplitFen} fen left unsplit` })

  ledger.unsplitFen -= sum
  ledger.splitFen += sum
  const unfrozenFen = input.finish ? ledger.unsplitFen : 0
  if (input.finish) Object.assign(ledger, { unsplitFen: 0, finished: true })
  const receivers: SplitReceiverRecord[] = input.receivers.map((r) => ({ ...r, detailId: ctx.newId('3600', 24), result: 'PENDING', returnedFen: 0 }))
  return storeSplit(ctx, merchant, input, { key, fingerprint, orderKey: order.key }, { kind: 'split', receivers, finish: input.finish, unfrozenFen })
}

/** Stores a new split or finish request, accepted now and settled after the emulated delay. */
function storeSplit(
  ctx: EmulatorContext,
  merchant: MerchantRecord,
  input: { family: SplitFamily; subMchid: string; transactionId: string; outOrderNo: string },
  ids: { key: string; fingerprint: string; orderKey: string },
  what: Pick<SplitRecord, 'kind' | 'receivers' | 'finish' | 'unfrozenFen'> & { description?: string },
): SplitRecord {
  const now = ctx.now()
  const split: SplitRecord = {
    key: ids.key,
    family: input.family,
    mchid: merchant.mchid,
    subMchid: input.subMchid,
    orderKey: ids.orderKey,
    transactionId: input.transactionId,
    outOrderNo: input.outOrderNo,
    orderId: ctx.newId('3008', 24),
    ...what,
    fingerprint: ids.fingerprint,
    createdAt: now,
    settleAt: now + settleDelay(ctx),
  }
  ctx.store.data.splits[ids.key] = split
  ctx.store.save()
  return split
}

/** E-commerce finish-order and ordinary orders/unfreeze: everything still frozen goes to the sub-merchant. */
export function finishSplit(ctx: EmulatorContext, merchant: MerchantRecord, input: { family: SplitFamily; subMchid: string; transactionId: string; outOrderNo: string; description: string; body: unknown }): SplitRecord {
  const opened = openRequest(ctx, merchant, input, { refuseFinished: true })
  if (opened.existing) return opened.existing
  const { key, fingerprint, order, ledger } = opened
  const split = storeSplit(ctx, merchant, input, { key, fingerprint, orderKey: order.key }, { kind: 'finish', receivers: [], finish: true, unfrozenFen: ledger.unsplitFen, description: input.description })
  Object.assign(ledger, { unsplitFen: 0, finished: true })
  ctx.store.save()
  return split
}

/** The split an out_order_no names for this provider and sub-merchant (and transaction, when given), or 404. */
export function findSplit(ctx: EmulatorContext, merchant: MerchantRecord, q: { subMchid: string; outOrderNo?: string; orderId?: string; transactionId?: string }): SplitRecord {
  const data = ctx.store.data
  const split = q.outOrderNo !== undefined ? data.splits[`${merchant.mchid}:${q.outOrderNo}`] : Object.values(data.splits).find((s) => s.mchid === merchant.mchid && s.orderId === q.orderId)
  if (!split || split.subMchid !== q.subMchid || (q.transactionId !== undefined && split.transactionId !== q.transactionId) || (q.orderId !== undefined && split.orderId !== q.orderId)) {
    throw new ApiError('RESOURCE_NOT_EXISTS', '记录不存在')
  }
  return settleSplit(ctx, split)
}

const done = (ctx: EmulatorContext, s: SplitRecord) => ctx.now() >= s.settleAt

/** The e-commerce answer and query view (§3.2): `status`, `receiver_account` (+ `receiver_mchid` for merchants); a finish shows `finish_amount`. */
export function ecommerceSplitView(ctx: EmulatorContext, s: SplitRecord): Record<string, unknown> {
  const base = { sub_mchid: s.subMchid, transaction_id: s.transactionId, out_order_no: s.outOrderNo, order_id: s.orderId, status: done(ctx, s) ? 'FINISHED' : 'PROCESSING' }
  if (s.kind === 'finish') return { ...base, finish_amount: s.unfrozenFen, finish_description: s.description }
  return {
    ...base,
    receivers: s.receivers.map((r) => ({
      type: r.type,
      receiver_account: r.account,
      ...(r.type === 'MERCHANT_ID' ? { receiver_mchid: r.account } : {}),
      amount: r.amount,
      description: r.description,
      result: r.result,
      ...(r.failReason ? { fail_reason: r.failReason } : {}),
      detail_id: r.detailId,
      ...(r.result !== 'PENDING' ? { finish_time: rfc3339(s.settleAt) } : {}),
    })),
  }
}

/** The ordinary answer and query view (§4): `state`; the released remainder appears as a receiver (the sub-merchant). */
export function ordinarySplitView(ctx: EmulatorContext, s: SplitRecord): Record<string, unknown> {
  const finished = done(ctx, s)
  const receiver = (r: Pick<SplitReceiverRecord, 'type' | 'account' | 'amount' | 'description' | 'detailId' | 'result' | 'failReason'>) => ({
    amount: r.amount,
    description: r.description,
    type: r.type,
    account: r.account,
    result: r.result,
    fail_reason: r.failReason ?? '',
    detail_id: r.detailId,
    create_time: rfc3339(s.createdAt),
    finish_time: r.result !== 'PENDING' ? rfc3339(s.settleAt) : '',
  })
  const unfrozen = s.unfrozenFen > 0 ? [receiver({ type: 'MERCHANT_ID', account: s.subMchid, amount: s.unfrozenFen, description: UNFREEZE_DESCRIPTION, detailId: `${s.orderId}U`, result: finished ? 'SUCCESS' : 'PENDING' })] : []
  return { sub_mchid: s.subMchid, transaction_id: s.transactionId, out_order_no: s.outOrderNo, order_id: s.orderId, state: finished ? 'FINISHED' : 'PROCESSING', receivers: [...s.receivers.map(receiver), ...unfrozen] }
}
