import type { Refund as WechatRefund, RefundNotice } from '../../../wechatpay'
import { AppError } from '../../errors'
import { orderKeyOf } from '../order-numbers'
import type { RefundRecord } from '../../storage'
import { errorCode, MINUTE_MS, mustOrder, type LogLine, type OrderContext } from './context'
import { checkRefundAmount, checkRefundReason } from './input'
import { advance, decideRefundNotice, isDefiniteRefusal, isRefundNotFound, refundStatusOf, refundTotals, reservedFen, type NoticeDecision } from './refund-state'
import { toOrderView, toRefundView, type OrderView, type RefundView } from './views'

/** A stray-payment refund WeChat Pay refused (e.g. NOT_ENOUGH) is sent again after this long. */
export const STRAY_REFUND_RETRY_MS = MINUTE_MS

export interface RefundInput {
  amount: number
  reason?: string
  requestId: string
}

/**
 * Refunds: admin refunds (reserved in a transaction before the call, never more than paid) and
 * automatic refunds of stray payments. `failed` only on a definite refusal; any doubt leaves the
 * refund `pending` with its amount reserved, and `settle` learns the outcome by querying, resending
 * with the same out_refund_no only when WeChat Pay has no record of it.
 */
export function createRefunds(ctx: OrderContext) {
  const { storage, gateway, clock, logger, withLock } = ctx

  /** Recomputes refundedAmount and paid/refunded of an order from its refunds (inside a transaction). */
  async function recompute(orderNo: string) {
    const order = await storage.orders.get(orderNo)
    if (!order || (order.status !== 'paid' && order.status !== 'refunded')) return
    await storage.orders.update(orderNo, refundTotals(order, await storage.refunds.listByOrder(orderNo)))
  }

  /** The stored refund (refunds are never deleted, so a missing one is a bug, not a client error). */
  async function stored(outRefundNo: string): Promise<RefundRecord> {
    const refund = await storage.refunds.get(outRefundNo)
    if (!refund) throw new AppError('INTERNAL_ERROR', `refund ${outRefundNo} vanished`)
    return refund
  }

  /** Records what WeChat Pay reported (answer or query) in one transaction; never moves a refund back. */
  function record(outRefundNo: string, r: WechatRefund): Promise<RefundRecord> {
    return storage.transaction(async () => {
      const fresh = await stored(outRefundNo)
      const status = refundStatusOf(r.status)
      const patch = status ? advance(fresh, status, r.refund_id, clock()) : null
      if (patch) {
        await storage.refunds.update(outRefundNo, patch)
        await recompute(fresh.orderNo)
      }
      return stored(outRefundNo)
    })
  }

  /** Sends (or resends, same out_refund_no and body) a stored refund; only a definite refusal marks it failed. */
  async function send(refund: RefundRecord): Promise<RefundRecord> {
    return (await sendAndExplain(refund)).refund
  }

  /** `send`, also saying which WeChat Pay code refused it (null when not refused). */
  async function sendAndExplain(refund: RefundRecord): Promise<{ refund: RefundRecord; refusal: string | null }> {
    try {
      const r = await gateway.refund({ outRefundNo: refund.outRefundNo, outTradeNo: refund.outTradeNo, amount: refund.amount, total: refund.total, reason: refund.reason })
      return { refund: await record(refund.outRefundNo, r), refusal: null }
    } catch (e) {
      const log = { orderNo: refund.orderNo, outRefundNo: refund.outRefundNo, kind: refund.kind, code: errorCode(e) }
      if (!isDefiniteRefusal(e)) {
        logger.warn(log, 'refund outcome unknown: it stays pending with its amount reserved; the reconciler asks WeChat Pay')
        return { refund: await stored(refund.outRefundNo), refusal: null }
      }
      await storage.transaction(async () => {
        await storage.refunds.update(refund.outRefundNo, { status: 'failed', updatedAt: clock() })
        await recompute(refund.orderNo)
      })
      if (refund.kind === 'stray') logger.error(log, 'WeChat Pay refused the automatic refund of a stray payment: the payer is owed it; retried every minute until it succeeds')
      else logger.error(log, 'WeChat Pay refused the refund')
      return { refund: await stored(refund.outRefundNo), refusal: e.code }
    }
  }

  /**
   * Learns the outcome of a refund not yet final: asks WeChat Pay; one it has no record of is
   * resent with the same out_refund_no; a refused stray refund is sent again. Callers hold the lock.
   */
  async function settle(refund: RefundRecord): Promise<RefundRecord> {
    if (refund.status === 'failed') return refund.kind === 'stray' ? send(refund) : refund
    try {
      return await record(refund.outRefundNo, await gateway.queryRefund(refund.outRefundNo, refund.outTradeNo))
    } catch (e) {
      if (refund.status === 'pending' && isRefundNotFound(e)) return send(refund)
      logger.warn({ outRefundNo: refund.outRefundNo, code: errorCode(e) }, 'refund query failed; next pass retries')
      return refund
    }
  }

  /** Refunds part or all of a paid order, never more than paid minus what is reserved; same requestId = same refund. */
  async function request(orderNo: string, input: RefundInput): Promise<{ refund: RefundView; order: OrderView; replayed: boolean }> {
    const amount = checkRefundAmount(input.amount)
    const reason = checkRefundReason(input.reason)
    return withLock(orderNo, async () => {
      const order = await mustOrder(storage, orderNo)
      const existing = await storage.refunds.findByRequest(orderNo, input.requestId)
      if (existing) {
        if (existing.amount !== amount) throw new AppError('BAD_REQUEST', 'requestId was already used for a different refund')
        const current = existing.status === 'pending' ? await settle(existing) : existing
        return { refund: toRefundView(current), order: toOrderView(await mustOrder(storage, orderNo)), replayed: true }
      }
      if ((order.status !== 'paid' && order.status !== 'refunded') || !order.paidOutTradeNo) {
        throw new AppError('REFUND_NOT_ALLOWED', `the order is ${order.status}`)
      }
      const outTradeNo = order.paidOutTradeNo
      const refund = await storage.transaction(async () => {
        const refunds = await storage.refunds.listByOrder(orderNo)
        const left = order.amount - reservedFen(refunds)
        if (amount > left) throw new AppError('REFUND_NOT_ALLOWED', `refund exceeds what is left to refund (${left} fen: paid minus refunded and pending refunds)`)
        const now = clock()
        const record: RefundRecord = {
          outRefundNo: `${orderNo}R${refunds.length + 1}`,
          orderNo,
          outTradeNo,
          amount,
          total: order.amount,
          reason,
          kind: 'admin',
          requestId: input.requestId,
          status: 'pending',
          refundId: null,
          createdAt: now,
          updatedAt: now,
        }
        await storage.refunds.insert(record)
        return record
      })
      const { refund: sent, refusal } = await sendAndExplain(refund)
      logger.info({ orderNo, outRefundNo: sent.outRefundNo, amount: sent.amount, status: sent.status }, 'refund requested')
      // A frozen profit-sharing order refunds only what is not split yet: return the split first.
      if (refusal === 'RULE_LIMIT' && order.profitSharing) throw new AppError('REFUND_NEEDS_RETURN', 'WeChat Pay refused the refund: it exceeds what is not split yet (RULE_LIMIT); return the split first')
      if (refusal) throw new AppError('UPSTREAM_ERROR', `WeChat Pay refused the refund: ${refusal}`)
      return { refund: toRefundView(sent), order: toOrderView(await mustOrder(storage, orderNo)), replayed: false }
    })
  }

  /**
   * Records a refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED) after checking it against the
   * stored refund; its notification-log line (`logLine`) is appended in the same transaction.
   */
  async function applyNotice(n: RefundNotice, logLine?: LogLine): Promise<NoticeDecision> {
    const decision = await storage.transaction(async () => {
      const refund = await storage.refunds.get(n.out_refund_no)
      const d = decideRefundNotice(refund, n, { ownershipProblem: await gateway.refundOwnershipProblem(n), now: clock() })
      if (refund && d.patch) {
        await storage.refunds.update(refund.outRefundNo, d.patch)
        await recompute(refund.orderNo)
      }
      if (logLine) await storage.notifications.append(logLine(d))
      return d
    }, { key: orderKeyOf(n.out_trade_no) })
    const log = { outRefundNo: n.out_refund_no, outcome: decision.outcome, detail: decision.detail }
    if (decision.outcome === 'mismatch') logger.error(log, 'refund notification does not match the stored refund: ignored, investigate')
    else if (decision.outcome === 'unknown_refund') logger.error(log, 'refund notification for an unknown refund')
    else if (decision.outcome === 'applied' && decision.patch?.status === 'abnormal') {
      logger.error(log, 'refund ABNORMAL: the bank refused it (card closed or frozen); settle it in 商户平台 or via apply-abnormal-refund')
    } else if (decision.outcome === 'applied') logger.info(log, 'refund settled')
    return { outcome: decision.outcome, detail: decision.detail }
  }

  /** Settles every refund whose outcome is not final yet (reconciler); returns how many changed status. */
  async function reconcile(limit: number): Promise<number> {
    let changed = 0
    for (const refund of await storage.refunds.listUnsettled(limit)) {
      if (refund.status === 'failed' && clock() - refund.updatedAt < STRAY_REFUND_RETRY_MS) continue
      const after = await withLock(refund.orderNo, async () => settle(await stored(refund.outRefundNo)))
      if (after.status !== refund.status) changed++
    }
    return changed
  }

  return { send, settle, request, applyNotice, reconcile }
}

export type Refunds = ReturnType<typeof createRefunds>
