import type { PartnerTransaction, Transaction } from '../../../wechatpay'
import type { AttemptRecord, OrderRecord, RefundRecord } from '../../storage'
import { refundTotals } from './refund-state'

/**
 * Pure decisions about payments: stored state + what WeChat Pay says → the changes to store and
 * the effects to run. The service stores the changes in one transaction, then runs the effects;
 * nothing here calls WeChat Pay or storage.
 */

export type TransitionSource = 'notification' | 'query' | 'close' | 'reconciler'
export type TransitionOutcome = 'applied' | 'duplicate' | 'mismatch' | 'unknown_order' | 'stray' | 'ignored'

/** Work a decision leaves for the runner, performed after its transaction has committed. */
export type Effect =
  /** Close a sibling attempt of an order that another attempt paid. */
  | { kind: 'close'; attempt: AttemptRecord }
  /** Send a stored refund (the same out_refund_no on every resend). */
  | { kind: 'refund'; refund: RefundRecord }
  /** The order was paid: start its profit sharing (PROFIT_SHARING=auto; the job was stored with the payment). */
  | { kind: 'paid'; orderNo: string }

/** What is stored about the attempt a transaction names. */
export interface PaymentState {
  attempt: AttemptRecord
  order: OrderRecord
  /** Every attempt of the order, oldest first. */
  attempts: AttemptRecord[]
  refunds: RefundRecord[]
}

export interface PaymentDecision {
  outcome: TransitionOutcome
  detail: string
  attempt?: Partial<AttemptRecord>
  order?: Partial<OrderRecord>
  insertRefund?: RefundRecord
  effects: Effect[]
}

/** The reason shown to the payer on an automatic refund of a second payment. */
export const STRAY_REFUND_REASON = '重复支付自动退款'

const isPaidState = (s: string) => s === 'SUCCESS' || s === 'REFUND'
const isLive = (a: AttemptRecord) => a.status === 'open' || a.status === 'creating'
/** True for an attempt WeChat Pay charged (`paid`, or `stray` on an order another attempt paid): final, it never changes again. */
export const isFinalAttempt = (a: AttemptRecord): boolean => a.status === 'paid' || a.status === 'stray'
const parseTime = (s: string | undefined, fallback: number) => {
  const t = s ? Date.parse(s) : NaN
  return Number.isFinite(t) ? t : fallback
}

/** True when a trade state means the attempt was paid (a refunded payment was paid first). */
export const isPaid = (t: Transaction | PartnerTransaction): boolean => isPaidState(t.trade_state)

/**
 * What a transaction (notification, query or close) does to the stored attempt and order, once:
 * ownership and amount must match, a second paid attempt of a paid order is refunded, and the
 * attempt that pays the order closes its live siblings.
 */
export function decidePayment(
  state: PaymentState | undefined,
  t: Transaction | PartnerTransaction,
  facts: { ownershipProblem: string | null; now: number; source: TransitionSource },
): PaymentDecision {
  if (!state) return { outcome: 'unknown_order', detail: `no attempt ${t.out_trade_no}`, effects: [] }
  const { attempt, order } = state
  if (!isPaidState(t.trade_state)) {
    const closed = t.trade_state === 'CLOSED' && isLive(attempt)
    return { outcome: 'ignored', detail: `trade_state ${t.trade_state}`, ...(closed ? { attempt: { status: 'closed' } } : {}), effects: [] }
  }
  const problem = facts.ownershipProblem ?? (t.amount?.total !== order.amount ? `amount ${t.amount?.total} is not the order's ${order.amount}` : null)
  if (problem) return { outcome: 'mismatch', detail: problem, effects: [] }
  if (isFinalAttempt(attempt)) return { outcome: 'duplicate', detail: `already ${attempt.status}`, effects: [] }
  const paidAt = parseTime(t.success_time, facts.now)
  const transactionId = t.transaction_id ?? null
  if (order.paidOutTradeNo && order.paidOutTradeNo !== attempt.outTradeNo) {
    // A second attempt of an already paid order was paid too: refund it, never keep it.
    const refund: RefundRecord = {
      outRefundNo: `${attempt.outTradeNo}_STRAY`,
      orderNo: order.orderNo,
      outTradeNo: attempt.outTradeNo,
      amount: order.amount,
      total: order.amount,
      reason: STRAY_REFUND_REASON,
      kind: 'stray',
      requestId: null,
      status: 'pending',
      refundId: null,
      createdAt: facts.now,
      updatedAt: facts.now,
    }
    return {
      outcome: 'stray',
      detail: `order already paid by ${order.paidOutTradeNo}`,
      attempt: { status: 'stray', transactionId, paidAt },
      insertRefund: refund,
      effects: [{ kind: 'refund', refund }],
    }
  }
  const siblings = state.attempts.filter((a) => a.outTradeNo !== attempt.outTradeNo && isLive(a))
  return {
    outcome: 'applied',
    detail: `${order.status} → paid (${facts.source})`,
    attempt: { status: 'paid', transactionId, paidAt },
    order: { paidAt, transactionId, paidOutTradeNo: attempt.outTradeNo, ...refundTotals({ ...order, status: 'paid' }, state.refunds) },
    effects: siblings.map((s) => ({ kind: 'close' as const, attempt: s })),
  }
}
