import { WechatPayError, type RefundNotice } from '../../../wechatpay'
import { AppError } from '../../errors'
import type { RefundRecord } from '../../storage'
import { errorCode, mustOrder, upstream, type OrderContext } from './context'
import { checkRefundAmount, checkRefundReason } from './input'
import { decideRefundNotice, refundStatusOf, refundTotals, reservedFen } from './refund-state'
import { toOrderView, toRefundView, type OrderView, type RefundView } from './views'

/** A stray-payment refund whose outcome is unknown is resent after this long. */
export const STRAY_REFUND_RESEND_MS = 60_000

/**
 * Refunds: admin refunds (reserved in a transaction before the call, never more than paid) and
 * automatic refunds of stray payments; sending, resending with the same out_refund_no, notices.
 */
export function createRefunds(ctx: OrderContext) {
  const { storage, gateway, clock, logger, withLock } = ctx

  /** Recomputes refundedAmount and paid/refunded of an order from its refunds (inside a transaction). */
  function recompute(orderNo: string) {
    const order = storage.orders.get(orderNo)
    if (!order || (order.status !== 'paid' && order.status !== 'refunded')) return
    storage.orders.update(orderNo, refundTotals(order, storage.refunds.listByOrder(orderNo)))
  }

  /** The stored refund, re-read after a call (it cannot disappear: refunds are never deleted). */
  function stored(outRefundNo: string): RefundRecord {
    const refund = storage.refunds.get(outRefundNo)
    if (!refund) throw new AppError('INTERNAL_ERROR', `refund ${outRefundNo} vanished`)
    return refund
  }

  /** Sends (or re-sends, same out_refund_no) a stored refund and records WeChat Pay's answer. */
  async function send(refund: RefundRecord): Promise<RefundRecord> {
    try {
      const r = await gateway.refund({ outRefundNo: refund.outRefundNo, outTradeNo: refund.outTradeNo, amount: refund.amount, total: refund.total, reason: refund.reason })
      storage.transaction(() => {
        // A notification may already have settled it.
        const fresh = stored(refund.outRefundNo)
        if (fresh.status === 'pending' || fresh.status === 'processing') {
          storage.refunds.update(refund.outRefundNo, { status: refundStatusOf(r.status), refundId: r.refund_id, updatedAt: clock() })
        }
        recompute(refund.orderNo)
      })
    } catch (e) {
      if (e instanceof WechatPayError && !e.retryable && e.status !== 0) {
        storage.transaction(() => {
          storage.refunds.update(refund.outRefundNo, { status: 'failed', updatedAt: clock() })
          recompute(refund.orderNo)
        })
        logger.error({ outRefundNo: refund.outRefundNo, code: e.code }, 'WeChat Pay refused the refund')
      } else {
        logger.warn({ outRefundNo: refund.outRefundNo, code: errorCode(e) }, 'refund outcome unknown; repeat the same request to resend it')
      }
      throw upstream(e, 'refund')
    }
    return stored(refund.outRefundNo)
  }

  /** Refunds part or all of a paid order, never more than paid; same requestId = same refund. */
  async function request(orderNo: string, input: { amount: number; reason?: string; requestId?: string }): Promise<{ refund: RefundView; order: OrderView; replayed: boolean }> {
    const amount = checkRefundAmount(input.amount)
    const reason = checkRefundReason(input.reason)
    return withLock(orderNo, async () => {
      const order = mustOrder(storage, orderNo)
      if (input.requestId) {
        const existing = storage.refunds.findByRequest(orderNo, input.requestId)
        if (existing) {
          if (existing.amount !== amount) throw new AppError('BAD_REQUEST', 'requestId was already used for a different refund')
          const settled = existing.status === 'pending' ? await send(existing) : existing
          return { refund: toRefundView(settled), order: toOrderView(mustOrder(storage, orderNo)), replayed: true }
        }
      }
      if ((order.status !== 'paid' && order.status !== 'refunded') || !order.paidOutTradeNo) {
        throw new AppError('REFUND_NOT_ALLOWED', `the order is ${order.status}`)
      }
      const outTradeNo = order.paidOutTradeNo
      const refund = storage.transaction(() => {
        const refunds = storage.refunds.listByOrder(orderNo)
        const left = order.amount - reservedFen(refunds)
        if (amount > left) throw new AppError('INVALID_AMOUNT', `refund exceeds what is left to refund (${left} fen)`)
        const now = clock()
        const record: RefundRecord = {
          outRefundNo: `${orderNo}R${refunds.length + 1}`,
          orderNo,
          outTradeNo,
          amount,
          total: order.amount,
          reason,
          kind: 'admin',
          requestId: input.requestId ?? null,
          status: 'pending',
          refundId: null,
          createdAt: now,
          updatedAt: now,
        }
        storage.refunds.insert(record)
        return record
      })
      const sent = await send(refund)
      logger.info({ orderNo, outRefundNo: sent.outRefundNo, amount: sent.amount, status: sent.status }, 'refund requested')
      return { refund: toRefundView(sent), order: toOrderView(mustOrder(storage, orderNo)), replayed: false }
    })
  }

  /** Records a refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED). */
  function applyNotice(n: RefundNotice): { outcome: 'applied' | 'duplicate' | 'unknown_refund'; detail: string } {
    return storage.transaction(() => {
      const refund = storage.refunds.get(n.out_refund_no)
      const decision = decideRefundNotice(refund, n, clock())
      if (refund && decision.patch) {
        storage.refunds.update(refund.outRefundNo, decision.patch)
        recompute(refund.orderNo)
      }
      return { outcome: decision.outcome, detail: decision.detail }
    })
  }

  /** Resends stray-payment refunds whose outcome is still unknown (reconciler). */
  async function reconcilePending(limit: number): Promise<void> {
    for (const refund of storage.refunds.listPending(limit)) {
      if (refund.kind !== 'stray' || clock() - refund.updatedAt < STRAY_REFUND_RESEND_MS) continue
      await withLock(refund.orderNo, () => send(refund)).catch((e: unknown) =>
        logger.warn({ outRefundNo: refund.outRefundNo, code: errorCode(e) }, 'resending a stray-payment refund failed; next pass retries'),
      )
    }
  }

  return { send, request, applyNotice, reconcilePending }
}

export type Refunds = ReturnType<typeof createRefunds>
