/**
 * Around the splits (wechatpay-service-provider.md §3.3, §4, §5): returns (分账回退) from merchant
 * receivers, receiver relations, unsplit amounts, the refund rule for split orders, and the
 * control view of an order's profit sharing.
 */
import type { EmulatorContext } from '../context'
import { ApiError } from '../errors'
import { rfc3339 } from '../../wechatpay'
import { canonicalJson } from './orders'
import type { SplitFamily, SplitReturnRecord } from './platform-types'
import { ecommerceSplitView, findSplit, ledgerOf, ordinarySplitView, relationKey, settleSplit, subMerchantOf } from './profit-sharing'
import type { MerchantRecord, OrderRecord } from './types'

/** At most 50 returns per split request, within 180 days of it (§3.3). */
export const MAX_RETURNS_PER_SPLIT = 50
export const RETURN_WINDOW_MS = 180 * 24 * 3600 * 1000

export interface ReturnInput {
  family: SplitFamily
  subMchid: string
  orderId?: string
  outOrderNo?: string
  outReturnNo: string
  returnMchid: string
  amount: number
  description: string
  body: unknown
}

/** Returns are synchronous: SUCCESS at once, or refused. Same out_return_no ⇒ the same return. */
export function createReturn(ctx: EmulatorContext, merchant: MerchantRecord, input: ReturnInput): SplitReturnRecord {
  const data = ctx.store.data
  const key = `${merchant.mchid}:${input.outReturnNo}`
  const fingerprint = canonicalJson(input.body)
  const existing = data.splitReturns[key]
  if (existing) {
    if (existing.fingerprint !== fingerprint) throw new ApiError('INVALID_REQUEST', '商户回退单号重复，但请求参数与原请求不一致', { field: '/out_return_no', value: input.outReturnNo, location: 'body' })
    return existing
  }
  subMerchantOf(merchant, input.subMchid)
  if (input.orderId === undefined && input.outOrderNo === undefined) throw new ApiError('PARAM_ERROR', '参数错误：order_id 与 out_order_no 必填其一', { field: '/out_order_no', issue: 'order_id or out_order_no is required', location: 'body' })
  const split = findSplit(ctx, merchant, { subMchid: input.subMchid, outOrderNo: input.outOrderNo, orderId: input.orderId })
  // Only a merchant receiver of that split can give money back; never a personal one (§3.3). Messages UNCONFIRMED.
  const receiver = split.receivers.find((r) => r.type === 'MERCHANT_ID' && r.account === input.returnMchid)
  if (!receiver) throw new ApiError('INVALID_REQUEST', '回退方不是该分账单的商户接收方', { field: '/return_mchid', value: input.returnMchid, location: 'body' })
  if (receiver.result !== 'SUCCESS') throw new ApiError('INVALID_REQUEST', '分账处理中,暂时无法回退,请稍后重试')
  if (ctx.now() - split.createdAt > RETURN_WINDOW_MS) throw new ApiError('INVALID_REQUEST', '分账已超过180天，不能回退')
  if (Object.values(data.splitReturns).filter((r) => r.splitKey === split.key).length >= MAX_RETURNS_PER_SPLIT) throw new ApiError('INVALID_REQUEST', '该分账单的回退次数已达上限')
  if (input.amount > receiver.amount - receiver.returnedFen) throw new ApiError('INVALID_REQUEST', '剩余可回退的金额不足')

  receiver.returnedFen += input.amount
  ledgerOf(ctx, data.orders[split.orderKey]).returnedFen += input.amount
  const ret: SplitReturnRecord = {
    key,
    family: input.family,
    mchid: merchant.mchid,
    subMchid: input.subMchid,
    splitKey: split.key,
    outReturnNo: input.outReturnNo,
    returnId: ctx.newId('3008', 24),
    returnMchid: input.returnMchid,
    amount: input.amount,
    description: input.description,
    result: 'SUCCESS',
    fingerprint,
    createdAt: ctx.now(),
  }
  data.splitReturns[key] = ret
  ctx.store.save()
  return ret
}

/** The return an out_return_no names (for this sub-merchant and split), or 404. */
export function findReturn(ctx: EmulatorContext, merchant: MerchantRecord, q: { subMchid: string; outReturnNo: string; orderId?: string; outOrderNo?: string }): SplitReturnRecord {
  const data = ctx.store.data
  const ret = data.splitReturns[`${merchant.mchid}:${q.outReturnNo}`]
  const split = ret && data.splits[ret.splitKey]
  if (!ret || !split || ret.subMchid !== q.subMchid || (q.orderId !== undefined && split.orderId !== q.orderId) || (q.outOrderNo !== undefined && split.outOrderNo !== q.outOrderNo)) {
    throw new ApiError('RESOURCE_NOT_EXISTS', '记录不存在')
  }
  return ret
}

/** E-commerce returns answer `return_no`; ordinary ones `return_id` (§3.3, §4). */
export function returnView(ctx: EmulatorContext, r: SplitReturnRecord): Record<string, unknown> {
  const split = ctx.store.data.splits[r.splitKey]
  const common = { sub_mchid: r.subMchid, order_id: split.orderId, out_order_no: split.outOrderNo, out_return_no: r.outReturnNo, return_mchid: r.returnMchid, amount: r.amount, result: r.result }
  return r.family === 'ecommerce'
    ? { ...common, return_no: r.returnId, fail_reason: '', finish_time: rfc3339(r.createdAt) }
    : { ...common, return_id: r.returnId, description: r.description, fail_reason: '', create_time: rfc3339(r.createdAt), finish_time: rfc3339(r.createdAt) }
}

/** receivers/add: a relation splits may use. Adding the e-commerce platform itself is refused as WeChat Pay does. */
export function addReceiver(ctx: EmulatorContext, merchant: MerchantRecord, family: SplitFamily, b: { subMchid: string; appid: string; subAppid?: string; type: string; account: string; name?: string; relationType?: string }) {
  const data = ctx.store.data
  if (family === 'ordinary') subMerchantOf(merchant, b.subMchid)
  if (!merchant.appIds.includes(b.appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配')
  if (b.subAppid !== undefined && !subMerchantOf(merchant, b.subMchid).appIds.includes(b.subAppid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'sub_appid和sub_mchid不匹配')
  if (family === 'ecommerce' && b.type === 'MERCHANT_ID' && b.account === merchant.mchid) throw new ApiError('INVALID_REQUEST', '操作已完成，无需二次请求')
  if (b.type !== 'MERCHANT_ID') {
    const appid = b.type === 'PERSONAL_SUB_OPENID' ? b.subAppid : b.appid
    if (!appid || data.users[appid]?.[b.account] === undefined) throw new ApiError('PARAM_ERROR', 'appid和openid不匹配', { field: '/account', value: b.account, location: 'body' })
  }
  data.splitReceivers[relationKey(family, merchant.mchid, b.subMchid, b.type, b.account)] = { addedAt: ctx.now(), ...(b.name ? { name: b.name } : {}), ...(b.relationType ? { relationType: b.relationType } : {}) }
  ctx.store.save()
  return { ...(family === 'ordinary' ? { sub_mchid: b.subMchid } : {}), type: b.type, account: b.account }
}

/** receivers/delete: the relation is gone (deleting one that does not exist is harmless). */
export function deleteReceiver(ctx: EmulatorContext, merchant: MerchantRecord, family: SplitFamily, b: { subMchid: string; appid: string; type: string; account: string }) {
  if (!merchant.appIds.includes(b.appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配')
  delete ctx.store.data.splitReceivers[relationKey(family, merchant.mchid, b.subMchid, b.type, b.account)]
  ctx.store.save()
  return { ...(family === 'ordinary' ? { sub_mchid: b.subMchid } : {}), type: b.type, account: b.account }
}

/** What is still frozen for splits (0 for an order placed without profit sharing). */
export const unsplitAmount = (ctx: EmulatorContext, order: OrderRecord): number => (order.profitSharing && order.transactionId ? ledgerOf(ctx, order).unsplitFen : 0)

/**
 * Before a refund of a profit-sharing order while it still awaits splitting (§5): the refund draws
 * on the frozen money plus what receivers returned; more is 403 RULE_LIMIT. `AVAILABLE` draws on
 * the available balance instead; after finish nothing is frozen and the available balance (not
 * modelled) pays.
 */
export function drawRefundFromSplit(ctx: EmulatorContext, order: OrderRecord, refundFen: number, fundsAccount?: string): void {
  if (!order.profitSharing || !order.transactionId || fundsAccount === 'AVAILABLE') return
  const ledger = ledgerOf(ctx, order)
  if (ledger.finished) return
  if (refundFen > ledger.unsplitFen + ledger.returnedFen) throw new ApiError('RULE_LIMIT', '申请退款金额大于剩余未分账金额,请等待分账完成后再试')
  const fromFrozen = Math.min(refundFen, ledger.unsplitFen)
  ledger.unsplitFen -= fromFrozen
  ledger.returnedFen -= refundFen - fromFrozen
  ctx.store.save()
}

/** GET /__emulator/orders/:outTradeNo's `profitSharing`. */
export function profitSharingView(ctx: EmulatorContext, order: OrderRecord): Record<string, unknown> {
  const data = ctx.store.data
  const splits = Object.values(data.splits).filter((s) => s.orderKey === order.key)
  const splitKeys = new Set(splits.map((s) => s.key))
  const ledger = data.splitLedgers[order.key]
  return {
    enabled: order.profitSharing === true,
    unsplitAmount: unsplitAmount(ctx, order),
    splitAmount: ledger?.splitFen ?? 0,
    finished: ledger?.finished ?? false,
    splits: splits.map((s) => ({ kind: s.kind, ...(s.family === 'ecommerce' ? ecommerceSplitView(ctx, settleSplit(ctx, s)) : ordinarySplitView(ctx, settleSplit(ctx, s))), createdAt: new Date(s.createdAt).toISOString() })),
    returns: Object.values(data.splitReturns)
      .filter((r) => splitKeys.has(r.splitKey))
      .map((r) => ({ ...returnView(ctx, r), createdAt: new Date(r.createdAt).toISOString() })),
  }
}
