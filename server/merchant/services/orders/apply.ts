import type { PartnerTransaction, Transaction } from '../../../wechatpay'
import type { AttemptRecord, OrderRecord } from '../../storage'
import { orderKeyOf, orderNoOf } from '../order-numbers'
import type { LogLine, OrderContext } from './context'
import type { createEffectRunner } from './effects'
import { decidePayment, isFinalAttempt, type PaymentDecision, type TransitionOutcome, type TransitionSource } from './transitions'

/** Attempts in a final state this process remembers (a duplicate of their notification needs no read). */
export const SETTLED_REMEMBERED = 10_000

interface Settled {
  attempt: AttemptRecord
  order: OrderRecord
}

/**
 * Applies what WeChat Pay says about one attempt (notification, query or close), once: the
 * decision (and its notification-log line, when `logLine` is given) is stored in one transaction
 * keyed by the order, logged, and its effects are scheduled.
 *
 * An attempt this process saw `paid` or `stray` is remembered with its order (bounded, oldest
 * dropped first): those states are final and an order's amount never changes, so a later
 * transaction about it (a duplicate notification, a query) is decided without storage; only its log
 * line is written. Another process's duplicate takes the full path, with the same outcome.
 */
export function createTransitionApplier(
  ctx: Pick<OrderContext, 'storage' | 'gateway' | 'clock' | 'logger'>,
  runner: ReturnType<typeof createEffectRunner>,
  afterPaid?: { record(order: OrderRecord): Promise<unknown> | void },
) {
  const { storage, gateway, clock, logger } = ctx
  const settled = new Map<string, Settled>()
  const remember = (s: Settled) => {
    settled.delete(s.attempt.outTradeNo)
    settled.set(s.attempt.outTradeNo, s)
    if (settled.size > SETTLED_REMEMBERED) settled.delete(settled.keys().next().value as string)
  }

  /** The decision about a remembered final attempt, when it changes nothing (else the full path decides). */
  async function fromMemory(t: Transaction | PartnerTransaction, source: TransitionSource, logLine?: LogLine): Promise<PaymentDecision | undefined> {
    const known = settled.get(t.out_trade_no)
    if (!known) return undefined
    const d = decidePayment({ ...known, attempts: [], refunds: [] }, t, { ownershipProblem: await gateway.ownershipProblem(t), now: clock(), source })
    if (d.attempt || d.order || d.insertRefund || d.effects.length) return undefined
    if (logLine) await storage.notifications.append(logLine(d))
    return d
  }

  /** The full path: read, decide and write in one transaction keyed by the order. */
  function inTransaction(t: Transaction | PartnerTransaction, source: TransitionSource, logLine?: LogLine) {
    const orderNo = orderNoOf(t.out_trade_no)
    return storage.transaction(async () => {
      // The out_trade_no names its order (`<orderNo>_<seq>`): the order's attempts, this one among them.
      let attempts = await storage.attempts.listByOrder(orderNo)
      let attempt = attempts.find((a) => a.outTradeNo === t.out_trade_no)
      if (!attempt) {
        attempt = await storage.attempts.get(t.out_trade_no)
        if (attempt) attempts = await storage.attempts.listByOrder(attempt.orderNo)
      }
      const order = attempt && (await storage.orders.get(attempt.orderNo))
      const state = attempt && order ? { attempt, order, attempts, refunds: await storage.refunds.listByOrder(order.orderNo) } : undefined
      const d = decidePayment(state, t, { ownershipProblem: await gateway.ownershipProblem(t), now: clock(), source })
      if (state && d.attempt) await storage.attempts.update(state.attempt.outTradeNo, d.attempt)
      if (state && d.order) await storage.orders.update(state.order.orderNo, d.order)
      if (d.insertRefund) await storage.refunds.insert(d.insertRefund)
      if (logLine) await storage.notifications.append(logLine(d))
      const after: Settled | undefined = state && { attempt: { ...state.attempt, ...d.attempt }, order: { ...state.order, ...d.order } }
      const paid = d.outcome === 'applied' && state && afterPaid ? await storage.orders.get(state.order.orderNo) : undefined
      if (paid) {
        await afterPaid?.record(paid)
        return { decision: { ...d, effects: [...d.effects, { kind: 'paid' as const, orderNo: paid.orderNo }] }, after }
      }
      return { decision: d, after }
    }, { key: orderKeyOf(t.out_trade_no) })
  }

  return async function applyTransaction(t: Transaction | PartnerTransaction, source: TransitionSource, logLine?: LogLine): Promise<{ outcome: TransitionOutcome; detail: string }> {
    let decision = await fromMemory(t, source, logLine)
    if (!decision) {
      const done = await inTransaction(t, source, logLine)
      decision = done.decision
      // Remembered only once committed: a transaction that failed or ran again left nothing behind.
      if (done.after && isFinalAttempt(done.after.attempt)) remember(done.after)
    }
    const log = { outTradeNo: t.out_trade_no, source, outcome: decision.outcome, detail: decision.detail }
    if (decision.outcome === 'mismatch') logger.error(log, 'payment does not match the stored order: NOT marked paid, investigate')
    else if (decision.outcome === 'unknown_order') logger.error(log, 'payment for an unknown out_trade_no')
    else if (decision.outcome === 'stray') logger.warn(log, 'second payment of a paid order: refunding it automatically')
    else if (decision.outcome === 'applied') logger.info(log, 'order paid')
    runner.schedule(decision.effects)
    return { outcome: decision.outcome, detail: decision.detail }
  }
}
