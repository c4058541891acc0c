import { errorCode, MINUTE_MS, mustOrder, type OrderContext } from './context'
import type { Attempts } from './attempts'
import type { Refunds } from './refunds'

/** The reconciler looks at unpaid orders created within this window before their expiry. */
export const RECONCILE_LOOKBACK_MS = 24 * 3600_000
/** Orders (and refunds) one pass looks at, at most. */
export const RECONCILE_BATCH = 100

export interface ReconcileResult {
  checked: number
  paid: number
  closed: number
  /** Refunds whose status changed (settled, resent, refused). */
  refunds: number
}

/**
 * One reconciliation pass: queries recent unpaid orders (lost notifications), closes expired ones,
 * and settles refunds whose outcome is not final (pending, processing, abnormal, refused strays).
 */
export function createReconcile(ctx: OrderContext, attempts: Attempts, refunds: Refunds, orderExpireMinutes: number) {
  const { storage, clock, logger, withLock } = ctx
  return async function reconcile(limit = RECONCILE_BATCH): Promise<ReconcileResult> {
    const since = clock() - orderExpireMinutes * MINUTE_MS - RECONCILE_LOOKBACK_MS
    let paid = 0
    let closed = 0
    const orders = await storage.orders.listUnpaid(since, limit)
    for (const candidate of orders) {
      await withLock(candidate.orderNo, async () => {
        try {
          let order = await attempts.sync(await mustOrder(storage, candidate.orderNo), 0)
          if (order.status === 'unpaid' && clock() >= order.expiresAt) order = await attempts.expire(order)
          if (order.status === 'paid') paid++
          if (order.status === 'closed') closed++
        } catch (e) {
          logger.warn({ orderNo: candidate.orderNo, code: errorCode(e) }, 'reconciliation of an order failed; next pass retries')
        }
      })
    }
    return { checked: orders.length, paid, closed, refunds: await refunds.reconcile(limit) }
  }
}
