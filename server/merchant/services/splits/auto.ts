import { WechatPayError } from '../../../wechatpay'
import type { OrderRecord, SplitJobRecord, Storage } from '../../storage'
import { errorCode, type Logger } from '../orders/context'
import type { SplitGateway } from './gateway'

/** First back-off after a failed or too-early call; doubled per attempt up to the cap. */
export const SPLIT_BACKOFF_MS = 15_000
export const SPLIT_BACKOFF_MAX_MS = 10 * 60_000
/** Jobs one reconciler pass runs at most. */
const DUE_BATCH = 50

/** The out_order_no of each step, derived from the order: a resumed job repeats the same request. */
export const splitOutOrderNo = (orderNo: string, step: 'split' | 'finish') => `${orderNo}${step === 'split' ? 'S' : 'F'}`

/** The commission an order of `amount` fen pays at `bps` basis points, floored to the fen. */
export const commissionOf = (amount: number, bps: number) => Math.floor((amount * bps) / 10_000)

/** WeChat Pay's "订单处理中": splitting is not yet possible in the first minute after payment. */
const isSettling = (e: unknown) => e instanceof WechatPayError && e.status === 400 && e.message.includes('订单处理中')
/** Worth repeating with the same out_order_no: no answer, 5xx, 429, or an answer we could not verify. */
const isTransient = (e: unknown) =>
  !(e instanceof WechatPayError) || e.retryable || e.code === 'RESPONSE_NOT_SIGNED' || e.code === 'RESPONSE_SIGNATURE_INVALID' || e.code === 'MALFORMED_RESPONSE' || isSettling(e)

export interface AutoSplitOptions {
  storage: Storage
  gateway: SplitGateway
  clock: () => number
  logger: Logger
  commissionBps: number
  /** The sub_mchid of orders stored without one (WECHATPAY_SUB_MCHID). */
  defaultSubMchid?: string
}

/**
 * PROFIT_SHARING=auto: a durable job per paid order splits the platform commission to its own
 * merchant id and releases the rest to the shop. Stored with the payment, run right after it and
 * by every reconciler pass while due; "订单处理中" and doubtful answers back off and repeat the same
 * out_order_no, so a crash between steps resumes without splitting twice.
 */
export function createAutoSplits(o: AutoSplitOptions) {
  const { storage, gateway, clock, logger } = o
  /** Orders whose job this process is running (a second run request is dropped, not queued). */
  const running = new Set<string>()

  const backOff = async (job: SplitJobRecord, code: string) => {
    const now = clock()
    await storage.splitJobs.update(job.orderNo, { attempts: job.attempts + 1, nextAt: now + Math.min(SPLIT_BACKOFF_MS * 2 ** job.attempts, SPLIT_BACKOFF_MAX_MS), lastError: code, updatedAt: now })
  }
  const fail = async (order: OrderRecord, reason: string) => {
    await storage.transaction(async () => {
      await storage.splitJobs.update(order.orderNo, { step: 'failed', lastError: reason, updatedAt: clock() })
      await storage.orders.update(order.orderNo, { splitStatus: 'failed' })
    })
    logger.error({ orderNo: order.orderNo, failReason: reason }, 'automatic profit sharing failed; the money stays frozen for the shop until someone finishes the split')
  }

  /** One step of a job; answers true when the next step may run at once. */
  async function step(job: SplitJobRecord, order: OrderRecord): Promise<boolean> {
    const subMchid = order.subMchid ?? o.defaultSubMchid
    if (!subMchid || !order.transactionId) {
      await fail(order, 'ORDER_NOT_SPLITTABLE')
      return false
    }
    const commission = commissionOf(order.amount, o.commissionBps)
    const unfrozen = Math.max(0, order.amount - commission - order.refundedAmount)
    const now = clock()
    if (job.step === 'split') {
      const cap = commissionOf(order.amount, await gateway.maxRatioBps(subMchid))
      if (commission > cap) {
        await fail(order, 'SPLIT_OVER_LIMIT')
        return false
      }
      await gateway.splitCommission({ subMchid, transactionId: order.transactionId, outOrderNo: splitOutOrderNo(order.orderNo, 'split') }, commission)
      // Partner mode unfreezes the rest in the same request; e-commerce finishes next.
      const next = gateway.unfreezesWithSplit ? 'done' : 'finish'
      await storage.transaction(async () => {
        await storage.splitJobs.update(order.orderNo, { step: next, attempts: 0, nextAt: now, lastError: null, updatedAt: now })
        await storage.orders.update(order.orderNo, next === 'done' ? { splitStatus: 'finished', splitCommission: commission, splitUnfrozen: unfrozen } : { splitStatus: 'split', splitCommission: commission })
      })
      return next === 'finish'
    }
    await gateway.finish({ subMchid, transactionId: order.transactionId, outOrderNo: splitOutOrderNo(order.orderNo, 'finish') })
    await storage.transaction(async () => {
      await storage.splitJobs.update(order.orderNo, { step: 'done', attempts: 0, lastError: null, updatedAt: now })
      await storage.orders.update(order.orderNo, { splitStatus: 'finished', splitCommission: commission, splitUnfrozen: unfrozen })
    })
    return false
  }

  /** The job's steps while it is due, read afresh under the lock. */
  async function runLocked(orderNo: string): Promise<void> {
    for (;;) {
      const job = await storage.splitJobs.get(orderNo)
      const order = await storage.orders.get(orderNo)
      if (!job || !order || (job.step !== 'split' && job.step !== 'finish') || job.nextAt > clock()) return
      try {
        if (!(await step(job, order))) return
      } catch (e) {
        const code = errorCode(e)
        if (!isTransient(e)) {
          await fail(order, code)
          return
        }
        await backOff(job, isSettling(e) ? 'ORDER_SETTLING' : code)
        if (!isSettling(e)) logger.warn({ orderNo, step: job.step, code }, 'profit-sharing call failed; retried with the same out_order_no')
        return
      }
    }
  }

  /**
   * Runs an order's job while it is due (split, then finish); never two runs of one order at once:
   * not in this process (a second request is dropped), nor across processes (the storage's key lock,
   * so a stale step is never sent after another process moved the job on).
   */
  async function run(orderNo: string): Promise<void> {
    if (running.has(orderNo)) return
    running.add(orderNo)
    try {
      await storage.withLock(`split-job:${orderNo}`, () => runLocked(orderNo))
    } finally {
      running.delete(orderNo)
    }
  }

  return {
    /** Inside the payment's transaction: stores the order's job (zero commission: just finish); none for an order placed without profit sharing. */
    async record(order: OrderRecord): Promise<void> {
      if (!order.profitSharing) return
      const now = clock()
      await storage.splitJobs.insert({ orderNo: order.orderNo, step: commissionOf(order.amount, o.commissionBps) > 0 ? 'split' : 'finish', attempts: 0, nextAt: now, lastError: null, createdAt: now, updatedAt: now })
    },
    run,
    /** Runs every due job (a reconciler pass). */
    async runDue(): Promise<void> {
      for (const job of await storage.splitJobs.listDue(clock(), DUE_BATCH)) await run(job.orderNo)
    },
    /** The job of an order, if any. */
    job: (orderNo: string) => storage.splitJobs.get(orderNo),
  }
}

export type AutoSplits = ReturnType<typeof createAutoSplits>
