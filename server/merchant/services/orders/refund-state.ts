import { CLIENT_ERROR_CODES, WechatPayError, type RefundNotice } from '../../../wechatpay'
import type { OrderRecord, RefundRecord, RefundStatus } from '../../storage'

/**
 * Pure refund rules (issue 11, style.md §4 "a unit of uncertainty is a state"): what counts as
 * refunded or reserved, which failures are definite, and what an answer or notice changes.
 */

/** Refunds WeChat Pay accepted: they count in the order's refundedAmount. */
const COUNTED: ReadonlySet<RefundStatus> = new Set(['processing', 'succeeded'])
/** Refunds whose amount is not free to refund again: unknown, accepted, done, or stuck at the bank. */
const RESERVING: ReadonlySet<RefundStatus> = new Set(['pending', 'processing', 'succeeded', 'abnormal'])
/**
 * How far a refund has got. A report never moves it back (a late PROCESSING after SUCCESS);
 * `failed` is our own record of a refusal, so anything WeChat Pay reports later wins over it.
 */
const PROGRESS: Record<RefundStatus, number> = { failed: 0, pending: 0, processing: 1, abnormal: 2, succeeded: 3, closed: 3 }

/** The order's refundedAmount and status (paid or refunded) from its own, non-stray refunds. */
export function refundTotals(order: Pick<OrderRecord, 'amount' | 'status'>, refunds: RefundRecord[]): Pick<OrderRecord, 'refundedAmount' | 'status'> {
  const refundedAmount = refunds.filter((r) => r.kind === 'admin' && COUNTED.has(r.status)).reduce((sum, r) => sum + r.amount, 0)
  const paidOrRefunded = order.status === 'paid' || order.status === 'refunded'
  return { refundedAmount, status: paidOrRefunded ? (refundedAmount >= order.amount ? 'refunded' : 'paid') : order.status }
}

/** Fen of an order already promised to admin refunds (a new one may use the rest). */
export const reservedFen = (refunds: RefundRecord[]): number =>
  refunds.filter((r) => r.kind === 'admin' && RESERVING.has(r.status)).reduce((sum, r) => sum + r.amount, 0)

/** Our status for WeChat Pay's refund status (SUCCESS, PROCESSING, ABNORMAL, CLOSED). */
export function refundStatusOf(s: string): RefundStatus | null {
  if (s === 'SUCCESS') return 'succeeded'
  if (s === 'PROCESSING') return 'processing'
  if (s === 'ABNORMAL') return 'abnormal'
  if (s === 'CLOSED') return 'closed'
  return null
}

/**
 * True only for a definite refusal: a 4xx answer carrying a WeChat Pay code. A timeout, a lost
 * connection, 429 (FREQUENCY_LIMITED: acceptance uncertain), 5xx, or an answer that cannot be
 * verified leaves the outcome unknown (wechatpay-service-provider.md §7).
 */
export function isDefiniteRefusal(e: unknown): e is WechatPayError {
  return (
    e instanceof WechatPayError &&
    e.status >= 400 &&
    e.status < 500 &&
    e.status !== 429 &&
    !(CLIENT_ERROR_CODES as readonly string[]).includes(e.code)
  )
}

/** True when WeChat Pay says it has no such refund (a query before a resend). */
export const isRefundNotFound = (e: unknown): boolean => e instanceof WechatPayError && e.status === 404 && (e.code === 'RESOURCE_NOT_EXISTS' || e.code === 'ORDER_NOT_EXIST')

/** What a report of WeChat Pay (answer, query or notice) changes, or null when it changes nothing. */
export function advance(refund: RefundRecord, reported: RefundStatus, refundId: string | null, now: number): Partial<RefundRecord> | null {
  const moves = PROGRESS[reported] > PROGRESS[refund.status] || (refund.status === 'failed' && reported !== 'failed')
  if (!moves) return refund.refundId === null && refundId ? { refundId } : null
  return { status: reported, refundId: refundId ?? refund.refundId, updatedAt: now }
}

export interface NoticeDecision {
  outcome: 'applied' | 'duplicate' | 'unknown_refund' | 'mismatch' | 'ignored'
  detail: string
  patch?: Partial<RefundRecord>
}

/**
 * What a refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED) changes on the stored refund,
 * after checking it against it: the merchant (ownershipProblem), out_trade_no and amounts.
 */
export function decideRefundNotice(refund: RefundRecord | undefined, n: RefundNotice, facts: { ownershipProblem: string | null; now: number }): NoticeDecision {
  if (!refund) return { outcome: 'unknown_refund', detail: `no refund ${n.out_refund_no}` }
  const problem =
    facts.ownershipProblem ??
    (n.out_trade_no !== refund.outTradeNo ? `out_trade_no ${n.out_trade_no} is not the refund's ${refund.outTradeNo}` : null) ??
    (n.amount?.refund !== refund.amount ? `amount.refund ${n.amount?.refund} is not the refund's ${refund.amount}` : null) ??
    (n.amount?.total !== refund.total ? `amount.total ${n.amount?.total} is not the refund's ${refund.total}` : null)
  if (problem) return { outcome: 'mismatch', detail: problem }
  const status = refundStatusOf(n.refund_status)
  if (!status) return { outcome: 'ignored', detail: `refund_status ${n.refund_status}` }
  const patch = advance(refund, status, n.refund_id, facts.now)
  if (!patch?.status) return { outcome: 'duplicate', detail: `already ${refund.status}`, ...(patch ? { patch } : {}) }
  return { outcome: 'applied', detail: `${refund.status} → ${status}`, patch }
}
