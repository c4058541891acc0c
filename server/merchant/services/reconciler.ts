import type { Logger, OrderService, ReconcileResult } from './orders'

export interface Reconciler {
  /** One pass now (tests call this after moving the clock). */
  runOnce(): Promise<ReconcileResult>
  stop(): Promise<void>
}

/**
 * Runs `orders.reconcile()` every `intervalMs` (0 = never on its own): lost notifications are
 * found through queries, expired orders closed and unsettled refunds settled; then each of
 * `morePasses` (e.g. onboarding applications followed until final). Passes never overlap; stop() waits for one.
 */
export function startReconciler(orders: OrderService, intervalMs: number, logger: Logger, morePasses: Array<() => Promise<unknown>> = []): Reconciler {
  let running: Promise<ReconcileResult> | null = null
  let stopped = false
  const pass = async () => {
    const result = await orders.reconcile()
    for (const more of morePasses) await more().catch((e) => logger.error({ err: (e as Error).message }, 'reconciliation pass failed'))
    return result
  }
  const runOnce = () => {
    running ??= pass().finally(() => {
      running = null
    })
    return running
  }
  const timer = intervalMs > 0
    ? setInterval(() => {
        if (stopped || running) return
        runOnce()
          .then((r) => (r.paid || r.closed || r.refunds ? logger.info(r, 'reconciliation pass') : undefined))
          .catch((e: unknown) => logger.error({ err: e instanceof Error ? e.message : String(e) }, 'reconciliation pass failed'))
      }, intervalMs)
    : null
  timer?.unref()
  return {
    runOnce,
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      await running?.catch(() => undefined)
    },
  }
}
