import type { RefundNotice } from '../../../wechatpay'
import type { OrderRecord, RefundRecord, RefundStatus } from '../../storage'

/** Pure refund rules: what counts as refunded or reserved, and what an answer or notice changes. */

/** Refunds WeChat Pay accepted: they count in the order's refundedAmount. */
const COUNTED: ReadonlySet<RefundStatus> = new Set(['processing', 'succeeded'])
/** Refunds whose amount is not free to refund again. */
const RESERVING: ReadonlySet<RefundStatus> = new Set(['pending', 'processing', 'succeeded'])

/** The order's refundedAmount and status (paid or refunded) from its own, non-stray refunds. */
export function refundTotals(order: Pick<OrderRecord, 'amount' | 'status'>, refunds: RefundRecord[]): Pick<OrderRecord, 'refundedAmount' | 'status'> {
  const refundedAmount = refunds.filter((r) => r.kind === 'admin' && COUNTED.has(r.status)).reduce((sum, r) => sum + r.amount, 0)
  const paidOrRefunded = order.status === 'paid' || order.status === 'refunded'
  return { refundedAmount, status: paidOrRefunded ? (refundedAmount >= order.amount ? 'refunded' : 'paid') : order.status }
}

/** Fen of an order already promised to admin refunds (a new one may use the rest). */
export const reservedFen = (refunds: RefundRecord[]): number =>
  refunds.filter((r) => r.kind === 'admin' && RESERVING.has(r.status)).reduce((sum, r) => sum + r.amount, 0)

/** Our status for WeChat Pay's refund status. */
export const refundStatusOf = (s: string): RefundStatus => (s === 'SUCCESS' ? 'succeeded' : s === 'PROCESSING' ? 'processing' : 'failed')

export interface NoticeDecision {
  outcome: 'applied' | 'duplicate' | 'unknown_refund'
  detail: string
  patch?: Partial<RefundRecord>
}

/** What a refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED) changes on the stored refund. */
export function decideRefundNotice(refund: RefundRecord | undefined, n: RefundNotice, now: number): NoticeDecision {
  if (!refund) return { outcome: 'unknown_refund', detail: `no refund ${n.out_refund_no}` }
  const status = refundStatusOf(n.refund_status)
  if (refund.status === status && refund.refundId === n.refund_id) return { outcome: 'duplicate', detail: status }
  return { outcome: 'applied', detail: `${refund.status} → ${status}`, patch: { status, refundId: n.refund_id, updatedAt: now } }
}
