import { PREPAY_VALIDITY_MS, rfc3339, WechatPayError, type PartnerTransaction, type RequestPaymentParams, type Transaction } from '../../../wechatpay'
import { AppError } from '../../errors'
import type { AttemptRecord, OrderRecord } from '../../storage'
import { outTradeNoFor } from '../order-numbers'
import { errorCode, isOrderNotFound, liveAttempts, mustOrder, upstream, type OrderContext } from './context'
import { isPaid, type TransitionSource } from './transitions'

export { PREPAY_VALIDITY_MS }
/** A prepay_id is valid 2 hours (server/wechatpay/rules.ts); we stop reusing it a little earlier. */
export const PREPAY_REUSE_MARGIN_MS = 5 * 60_000

/** Applies a transaction WeChat Pay reported and schedules its effects (the service's transition runner). */
export type ApplyTransaction = (t: Transaction | PartnerTransaction, source: TransitionSource) => Promise<unknown>

/** A 4xx that is WeChat Pay refusing the order itself (not our signature, not a transient failure). */
const isRefusal = (e: unknown): e is WechatPayError => e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401

/**
 * The payment-attempt life cycle: one attempt = one out_trade_no. Place it (identical body on every
 * repeat), reuse its prepay_id while valid, close it (which may find it paid), open the next one.
 * Callers hold the order's lock.
 */
export function createAttempts(ctx: OrderContext, applyTransaction: ApplyTransaction) {
  const { storage, gateway, clock, logger } = ctx

  /** Closes one attempt at WeChat Pay; when closing finds it paid, the order is paid. */
  async function close(attempt: AttemptRecord): Promise<'closed' | 'paid'> {
    const markClosed = () => storage.attempts.update(attempt.outTradeNo, { status: 'closed' })
    try {
      await gateway.close(attempt.outTradeNo)
      await markClosed()
      return 'closed'
    } catch (e) {
      if (isOrderNotFound(e)) {
        await markClosed() // never reached WeChat Pay
        return 'closed'
      }
      // Paid, already closed, or unknown: ask what it is rather than guess.
      let t: Transaction | PartnerTransaction
      try {
        t = await gateway.query(attempt.outTradeNo)
      } catch (qe) {
        throw upstream(qe, 'close')
      }
      if (isPaid(t)) {
        await applyTransaction(t, 'close')
        const status = (await storage.attempts.get(attempt.outTradeNo))?.status
        return status === 'paid' || status === 'stray' ? 'paid' : 'closed'
      }
      if (t.trade_state === 'CLOSED') {
        await markClosed()
        return 'closed'
      }
      throw upstream(e, 'close')
    }
  }

  /** Sends the JSAPI order of an attempt (identical body on every repeat) and stores its prepay_id. */
  async function place(order: OrderRecord, attempt: AttemptRecord): Promise<string> {
    let prepayId: string
    try {
      const answer = await gateway.createOrder({
        outTradeNo: attempt.outTradeNo,
        description: order.description,
        amount: order.amount,
        openid: attempt.openid,
        timeExpire: attempt.timeExpire,
        ...(order.profitSharing ? { profitSharing: true } : {}),
      })
      prepayId = answer.prepayId
    } catch (e) {
      const log = { orderNo: order.orderNo, outTradeNo: attempt.outTradeNo, code: errorCode(e) }
      if (isRefusal(e)) {
        logger.error({ ...log, status: e.status }, 'WeChat Pay refused the order')
        await storage.transaction(async () => {
          await storage.attempts.update(attempt.outTradeNo, { status: 'failed' })
          const fresh = await storage.orders.get(order.orderNo)
          if (fresh?.status === 'unpaid' && !(await liveAttempts(storage, order.orderNo)).length) await storage.orders.update(order.orderNo, { status: 'failed' })
        })
      } else {
        logger.warn(log, 'WeChat Pay order call failed; the same attempt is retried on the next request')
      }
      throw upstream(e, 'order')
    }
    const expiresAt = Math.min(attempt.createdAt + PREPAY_VALIDITY_MS, Date.parse(attempt.timeExpire))
    // A notification (not under the lock) may have marked it paid meanwhile: never move it back to open.
    // Not durable (types.ts TransactionOptions): lost in a power cut, the attempt stays `creating` and
    // the next request places the same out_trade_no, byte-identical, for the same prepay_id.
    await storage.transaction(async () => {
      const status = (await storage.attempts.get(attempt.outTradeNo))?.status
      if (status === 'creating' || status === 'open') await storage.attempts.update(attempt.outTradeNo, { prepayId, prepayExpiresAt: expiresAt, status: 'open' })
    }, { durable: false })
    return prepayId
  }

  /** Stores attempt `seq` of an order (status `creating`); the caller sends it with `place`. */
  async function open(order: OrderRecord, openid: string, seq: number): Promise<AttemptRecord> {
    const now = clock()
    const attempt: AttemptRecord = {
      outTradeNo: outTradeNoFor(order.orderNo, seq),
      orderNo: order.orderNo,
      seq,
      openid,
      timeExpire: rfc3339(Math.min(order.expiresAt, now + PREPAY_VALIDITY_MS)),
      prepayId: null,
      prepayExpiresAt: null,
      status: 'creating',
      createdAt: now,
      transactionId: null,
      paidAt: null,
    }
    await storage.attempts.insert(attempt)
    return attempt
  }

  /** Closes every live attempt and the order, unless one of them turns out paid. */
  async function expire(order: OrderRecord): Promise<OrderRecord> {
    for (const live of await liveAttempts(storage, order.orderNo)) await close(live)
    await storage.transaction(async () => {
      const fresh = await storage.orders.get(order.orderNo)
      if (fresh && (fresh.status === 'unpaid' || fresh.status === 'failed')) await storage.orders.update(order.orderNo, { status: 'closed' })
    })
    return mustOrder(storage, order.orderNo)
  }

  /**
   * Fresh payment parameters for an unpaid order: the current attempt's prepay_id while it is
   * valid, else the old attempt is closed (which may find it paid) and a new out_trade_no opened.
   */
  async function paymentFor(order: OrderRecord, openid: string): Promise<RequestPaymentParams> {
    const now = clock()
    if (now >= order.expiresAt) {
      await expire(order)
      throw new AppError('ORDER_NOT_PAYABLE', 'the order has expired')
    }
    const current = (await storage.attempts.listByOrder(order.orderNo)).at(-1)
    if (current?.status === 'open' && current.prepayId && (current.prepayExpiresAt ?? 0) - now > PREPAY_REUSE_MARGIN_MS) {
      return gateway.payment(current.prepayId)
    }
    if (current?.status === 'creating' && Date.parse(current.timeExpire) - now > PREPAY_REUSE_MARGIN_MS) {
      return gateway.payment(await place(order, current))
    }
    for (const live of await liveAttempts(storage, order.orderNo)) {
      if ((await close(live)) === 'paid') throw new AppError('ORDER_NOT_PAYABLE', 'the order is already paid')
    }
    const attempt = await open(order, openid, (current?.seq ?? 0) + 1)
    return gateway.payment(await place(order, attempt))
  }

  /** Asks WeChat Pay about the live attempts of an unpaid order (at most every minIntervalMs). */
  async function sync(order: OrderRecord, minIntervalMs: number): Promise<OrderRecord> {
    if (order.status !== 'unpaid') return order
    const now = clock()
    if (order.lastQueriedAt !== null && now - order.lastQueriedAt < minIntervalMs) return order
    // A throttle only: losing it in a power cut costs one early query (not durable, types.ts).
    await storage.transaction(() => storage.orders.update(order.orderNo, { lastQueriedAt: now }), { durable: false })
    for (const attempt of await liveAttempts(storage, order.orderNo)) {
      try {
        await applyTransaction(await gateway.query(attempt.outTradeNo), 'query')
      } catch (e) {
        if (isOrderNotFound(e)) continue
        logger.warn({ orderNo: order.orderNo, outTradeNo: attempt.outTradeNo, code: errorCode(e) }, 'order query failed')
      }
    }
    return mustOrder(storage, order.orderNo)
  }

  return { close, place, open, expire, paymentFor, sync }
}

export type Attempts = ReturnType<typeof createAttempts>
