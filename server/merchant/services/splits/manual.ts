import { WechatPayError } from '../../../wechatpay'
import type { Config } from '../../config'
import { AppError } from '../../errors'
import type { OrderRecord, SplitReceiverRecord, SplitRecord, Storage } from '../../storage'
import { errorCode, upstream, type Logger } from '../orders/context'
import { commissionOf, splitOutOrderNo } from './auto'
import type { SplitGateway, SplitReceiver, SplitState } from './gateway'

/** The contract's `split` (platform.md §Profit sharing). */
export interface SplitView {
  splitNo: string
  status: SplitRecord['status']
  failReason?: string
  receivers: Array<{ type: SplitReceiver['type']; account: string; amount: number; result: SplitReceiverRecord['result']; failReason?: string }>
  finish: boolean
  createdAt: string
}

export const toSplitView = (s: SplitRecord): SplitView => ({
  splitNo: s.splitNo,
  status: s.status,
  ...(s.failReason ? { failReason: s.failReason } : {}),
  receivers: s.receivers.map((r) => ({ type: r.type, account: r.account, amount: r.amount, result: r.result, ...(r.failReason ? { failReason: r.failReason } : {}) })),
  finish: s.finish,
  createdAt: new Date(s.createdAt).toISOString(),
})

export interface ManualSplitOptions {
  storage: Storage
  gateway: SplitGateway
  config: Pick<Config, 'profitSharing' | 'subMchid'>
  clock: () => number
  logger: Logger
}

/** A 4xx WeChat Pay answered with its code: the split was refused, not lost. */
const isRefusal = (e: unknown): e is WechatPayError => e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401
const isSettling = (e: unknown) => e instanceof WechatPayError && e.status === 400 && e.message.includes('订单处理中')
const isNotFound = (e: unknown) => e instanceof WechatPayError && e.status === 404
const splitStatusOf = (s: string): SplitRecord['status'] => (s === 'FINISHED' ? 'finished' : s === 'CLOSED' ? 'failed' : 'processing')
const resultOf = (s: string): SplitReceiverRecord['result'] => (s === 'SUCCESS' ? 'success' : s === 'CLOSED' ? 'closed' : 'pending')

/**
 * PROFIT_SHARING=manual: the admin API's splits. Every check comes before WeChat Pay is called
 * (ORDER_NOT_SPLITTABLE first, then the cap: 30 % e-commerce, the shop's max_ratio partner); a
 * split is stored before it is sent under an out_order_no derived from the order; the same
 * requestId is the same split (resent with the same body while its outcome is unknown).
 */
export function createManualSplits(o: ManualSplitOptions) {
  const { storage, gateway, clock, logger } = o
  /**
   * New splits of one order, one at a time (across processes too): the cap check, the next
   * out_order_no and the insert see every earlier split. Returns take the same lock.
   */
  const withOrderSplits = <T>(orderNo: string, fn: () => Promise<T>) => storage.withLock(`split:${orderNo}`, fn)

  async function splittable(orderNo: string): Promise<OrderRecord & { transactionId: string }> {
    const order = await storage.orders.get(orderNo)
    if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    if (o.config.profitSharing !== 'manual') throw new AppError('ORDER_NOT_SPLITTABLE', `profit sharing is ${o.config.profitSharing}: splits are not made through the admin API`)
    if (!order.profitSharing) throw new AppError('ORDER_NOT_SPLITTABLE', 'the order was placed without profit sharing')
    if (order.status !== 'paid' || !order.transactionId) throw new AppError('ORDER_NOT_SPLITTABLE', `the order is ${order.status}`)
    if (order.splitStatus === 'finished') throw new AppError('ORDER_NOT_SPLITTABLE', 'the order’s split is finished')
    return order as OrderRecord & { transactionId: string }
  }
  const subOf = (order: OrderRecord) => order.subMchid ?? (o.config.subMchid as string)
  const target = (order: OrderRecord & { transactionId: string }, splitNo: string) => ({ subMchid: subOf(order), transactionId: order.transactionId, outOrderNo: splitNo })

  /** Records what WeChat Pay reported of a split, and the order's summary. */
  async function record(order: OrderRecord, split: SplitRecord, state: SplitState | null, failure: string | null): Promise<SplitRecord> {
    const now = clock()
    return storage.transaction(async () => {
      if (failure) {
        await storage.splits.update(split.splitNo, { status: 'failed', failReason: failure, updatedAt: now })
      } else if (state) {
        const receivers = split.receivers.map((r) => {
          const reported = state.receivers.find((w) => w.account === r.account && w.amount === r.amount)
          return reported ? { ...r, result: resultOf(reported.result), ...(reported.failReason ? { failReason: reported.failReason } : {}) } : r
        })
        await storage.splits.update(split.splitNo, { status: splitStatusOf(state.status), receivers, updatedAt: now })
      }
      const live = (await storage.splits.listByOrder(order.orderNo)).filter((s) => s.status !== 'failed')
      const returned = (await storage.splitReturns.listByOrder(order.orderNo)).filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0)
      const commission = live.reduce((sum, s) => sum + s.receivers.reduce((a, r) => a + r.amount, 0), 0) - returned
      const finished = live.some((s) => s.finish)
      await storage.orders.update(order.orderNo, {
        splitStatus: finished ? 'finished' : live.length ? 'split' : (order.splitStatus ?? null),
        splitCommission: commission,
        splitUnfrozen: finished ? Math.max(0, order.amount - commission - order.refundedAmount) : 0,
      })
      return (await storage.splits.get(split.splitNo)) as SplitRecord
    })
  }

  /** Sends a stored split (same out_order_no and body on every resend); a refusal marks it failed. */
  async function send(order: OrderRecord & { transactionId: string }, split: SplitRecord): Promise<SplitRecord> {
    const t = target(order, split.splitNo)
    try {
      if (split.receivers.length) await gateway.split(t, split.receivers.map(({ type, account, amount, description }) => ({ type, account, amount, description })), split.finish)
      else await gateway.finish(t)
    } catch (e) {
      if (isSettling(e)) {
        // "订单处理中" (the first minute after payment): not a failure; listing the splits sends it again.
        logger.info({ orderNo: order.orderNo, splitNo: split.splitNo }, 'WeChat Pay is still settling the payment; the split is sent again when the splits are listed')
        return split
      }
      if (isRefusal(e)) {
        logger.error({ orderNo: order.orderNo, splitNo: split.splitNo, code: e.code }, 'WeChat Pay refused the split')
        await record(order, split, null, e.code)
        throw upstream(e, 'profit sharing')
      }
      logger.warn({ orderNo: order.orderNo, splitNo: split.splitNo, code: errorCode(e) }, 'split outcome unknown; the same requestId resends it')
      throw upstream(e, 'profit sharing')
    }
    // A split settles later (asked again by list); a release alone is done once accepted.
    return record(order, split, { status: split.receivers.length ? 'PROCESSING' : 'FINISHED', receivers: [] }, null)
  }

  /** Sends a stored split again (same out_order_no, same body: WeChat Pay answers the same split). */
  async function resend(orderNo: string, split: SplitRecord): Promise<SplitRecord> {
    const order = await storage.orders.get(orderNo)
    if (!order?.transactionId) return split
    return send(order as OrderRecord & { transactionId: string }, split)
  }

  /** Stores a new split of the order under the next out_order_no, or answers the one of this requestId (the caller holds the order's split lock). */
  async function store(order: OrderRecord, requestId: string, receivers: SplitReceiverRecord[], finish: boolean, splitNo: string): Promise<SplitRecord> {
    const existing = await storage.splits.findByRequest(order.orderNo, requestId)
    if (existing) return existing
    const now = clock()
    const split: SplitRecord = { splitNo, orderNo: order.orderNo, requestId, receivers, finish, status: 'processing', failReason: null, createdAt: now, updatedAt: now }
    await storage.splits.insert(split)
    return split
  }

  return {
    /** The order's splits (non-final ones asked again) and what is still frozen. */
    async list(orderNo: string): Promise<{ splits: SplitView[]; unsplitAmount: number }> {
      const order = await storage.orders.get(orderNo)
      if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
      if (!order.profitSharing || !order.transactionId) return { splits: [], unsplitAmount: 0 }
      const paid = order as OrderRecord & { transactionId: string }
      for (const s of await storage.splits.listByOrder(orderNo)) {
        if (s.status !== 'processing' || !s.receivers.length) continue
        try {
          await record(order, s, await gateway.query(target(paid, s.splitNo)), null)
        } catch (e) {
          // Never reached WeChat Pay (settling, or the answer was lost before it was stored): send it again.
          if (isNotFound(e)) await send(paid, s).catch(() => undefined)
          else logger.warn({ orderNo, splitNo: s.splitNo, code: errorCode(e) }, 'split query failed; shown as last known')
        }
      }
      let unsplitAmount: number
      try {
        unsplitAmount = await gateway.unsplitAmount(paid.transactionId)
      } catch (e) {
        throw upstream(e, 'profit-sharing amounts')
      }
      return { splits: (await storage.splits.listByOrder(orderNo)).map(toSplitView), unsplitAmount }
    },

    /** A split to receivers (optionally finishing): ORDER_NOT_SPLITTABLE first, then SPLIT_OVER_LIMIT, before anything is sent. */
    create(orderNo: string, input: { requestId: string; receivers: Array<Omit<SplitReceiverRecord, 'result' | 'failReason'>>; finish: boolean }): Promise<{ split: SplitView; replayed: boolean }> {
      return withOrderSplits(orderNo, async () => {
        const replay = await storage.splits.findByRequest(orderNo, input.requestId)
        if (replay) return { split: toSplitView(replay.status === 'processing' ? await resend(orderNo, replay) : replay), replayed: true }
        const order = await splittable(orderNo)
        const asked = input.receivers.reduce((sum, r) => sum + r.amount, 0)
        const earlier = await storage.splits.listByOrder(orderNo)
        const before = earlier.filter((s) => s.status !== 'failed').reduce((sum, s) => sum + s.receivers.reduce((a, r) => a + r.amount, 0), 0)
        let ratio: number
        try {
          ratio = await gateway.maxRatioBps(subOf(order))
        } catch (e) {
          throw upstream(e, 'profit-sharing configuration')
        }
        const cap = commissionOf(order.amount, ratio)
        if (before + asked > cap) throw new AppError('SPLIT_OVER_LIMIT', `splits of this order may total at most ${cap} fen (${ratio / 100} %); ${before} fen already split`)
        const receivers = input.receivers.map((r) => ({ ...r, result: 'pending' as const }))
        const split = await store(order, input.requestId, receivers, input.finish, `${orderNo}M${earlier.length + 1}`)
        return { split: toSplitView(await send(order, split)), replayed: false }
      })
    },

    /** Releases everything still frozen to the shop (same requestId = same finish). */
    finish(orderNo: string, requestId: string): Promise<{ split: SplitView; replayed: boolean }> {
      const finishNo = splitOutOrderNo(orderNo, 'finish')
      return withOrderSplits(orderNo, async () => {
        // One release per order: asked again (any requestId) while its outcome is unknown, it is resent.
        const existing = await storage.splits.get(finishNo)
        if (existing) return { split: toSplitView(existing.status === 'processing' ? await resend(orderNo, existing) : existing), replayed: true }
        const order = await splittable(orderNo)
        const split = await store(order, requestId, [], true, finishNo)
        return { split: toSplitView(await send(order, split)), replayed: false }
      })
    },
  }
}

export type ManualSplits = ReturnType<typeof createManualSplits>
