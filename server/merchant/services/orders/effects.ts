import type { AttemptRecord, RefundRecord } from '../../storage'
import { errorCode, type OrderContext } from './context'
import type { Effect } from './transitions'

/** How each kind of effect is performed (the attempts and refunds parts of the service). */
export interface EffectHandlers {
  close(attempt: AttemptRecord): Promise<unknown>
  refund(refund: RefundRecord): Promise<unknown>
  /** Runs after an order was paid (its profit-sharing job); not under the order's lock. */
  paid(orderNo: string): Promise<unknown>
}

/**
 * Performs the effects transitions return, after their transaction committed, each under its
 * order's lock. Effects run in the background (a caller may hold that lock); failures are logged,
 * never dropped. `idle()` resolves once nothing is running (tests, shutdown).
 */
export function createEffectRunner(ctx: Pick<OrderContext, 'logger' | 'withLock'>, handlers: EffectHandlers) {
  const { logger, withLock } = ctx
  const running = new Set<Promise<void>>()

  const perform = (effect: Effect): Promise<unknown> => {
    if (effect.kind === 'close') return withLock(effect.attempt.orderNo, () => handlers.close(effect.attempt))
    if (effect.kind === 'paid') return handlers.paid(effect.orderNo)
    return withLock(effect.refund.orderNo, () => handlers.refund(effect.refund))
  }
  const report = (effect: Effect, e: unknown) => {
    if (effect.kind === 'close') {
      logger.warn(
        { orderNo: effect.attempt.orderNo, outTradeNo: effect.attempt.outTradeNo, code: errorCode(e) },
        'closing a sibling attempt of a paid order failed; it expires at its time_expire, and a payment of it is refunded as stray',
      )
    } else if (effect.kind === 'paid') {
      logger.warn({ orderNo: effect.orderNo, code: errorCode(e) }, 'profit sharing after payment failed to run; the reconciler retries its job')
    } else {
      logger.error({ outRefundNo: effect.refund.outRefundNo, code: errorCode(e) }, 'automatic refund of a stray payment failed; the reconciler retries it')
    }
  }

  return {
    /** Starts the effects in the background. */
    schedule(effects: Effect[]): void {
      for (const effect of effects) {
        const done: Promise<void> = perform(effect).then(
          () => undefined,
          (e: unknown) => report(effect, e),
        )
        running.add(done)
        void done.finally(() => running.delete(done))
      }
    },
    /** Resolves when every scheduled effect (and any effect it scheduled) has finished. */
    async idle(): Promise<void> {
      while (running.size) await Promise.all([...running])
    },
  }
}
