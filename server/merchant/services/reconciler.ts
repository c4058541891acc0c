import type { Storage } from '../storage'
import type { Logger, OrderService, ReconcileResult } from './orders'

export interface Reconciler {
  /** One pass now (tests call this after moving the clock); nothing (all zero) while another process leads. */
  runOnce(): Promise<ReconcileResult>
  stop(): Promise<void>
}

/**
 * Runs `orders.reconcile()` every `intervalMs` (0 = never on its own): lost notifications are
 * found through queries, expired orders closed and unsettled refunds settled; then each of
 * `morePasses` (e.g. onboarding applications followed until final). Passes never overlap; stop() waits for one.
 * A pass runs only in the process that holds the storage's 'reconciler' lease (SQLite: always):
 * other processes are hot standbys that take over when the holder dies.
 */
export function startReconciler(
  storage: Pick<Storage, 'lead'>,
  orders: OrderService,
  intervalMs: number,
  logger: Logger,
  morePasses: Array<() => Promise<unknown>> = [],
): Reconciler {
  let running: Promise<ReconcileResult> | null = null
  let stopped = false
  const pass = async (): Promise<ReconcileResult> => {
    if (!(await storage.lead('reconciler'))) return { checked: 0, paid: 0, closed: 0, refunds: 0 }
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
