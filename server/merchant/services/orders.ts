import { WechatPayError, type PartnerTransaction, type RefundNotice, type RequestPaymentParams, type Transaction } from '../../wechatpay'
import { DESCRIPTION_MAX_CHARS, REFUND_REASON_MAX_CHARS } from '../../../src/contract/constants'
import { descriptionProblem, type DescriptionProblem } from '../../../src/contract/rules'
import type { Order, Refund } from '../../../src/contract/schemas'
import { AppError } from '../errors'
import type { AttemptRecord, OrderRecord, RefundRecord, RefundStatus, Storage, UserRecord } from '../storage'
import { newOrderNo, outTradeNoFor, rfc3339Beijing } from './order-numbers'
import { RateLimiter } from './rate-limiter'
import type { PaymentGateway } from './wechatpay-gateway'

/** A prepay_id is valid 2 hours (wechatpay-v3.md §4); we stop reusing it a little earlier. */
export const PREPAY_VALIDITY_MS = 2 * 3600_000
export const PREPAY_REUSE_MARGIN_MS = 5 * 60_000
/** GET of a non-final order asks WeChat Pay at most this often per order. */
export const QUERY_THROTTLE_MS = 3_000
/** The reconciler looks at unpaid orders created within this window before their expiry. */
export const RECONCILE_LOOKBACK_MS = 24 * 3600_000

/** The contract's `order` and `refund` objects (src/contract/schemas.ts). */
export type OrderView = Order
export type RefundView = Refund

export interface Logger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface OrderServiceOptions {
  storage: Storage
  gateway: PaymentGateway
  clock: () => number
  logger: Logger
  maxOrderFen: number
  orderExpireMinutes: number
  rateLimitOrdersPerMin: number
  random?: (max: number) => number
}

export type TransitionSource = 'notification' | 'query' | 'close' | 'reconciler'
export type TransitionOutcome = 'applied' | 'duplicate' | 'mismatch' | 'unknown_order' | 'stray' | 'ignored'

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))
const CONTROL_CHARS = /\p{Cc}/u
const FINAL_REFUND_STATUSES: ReadonlySet<RefundStatus> = new Set(['succeeded', 'closed', 'failed'])

/** The contract's view of an order record. */
export const toOrderView = (o: OrderRecord): OrderView => ({
  orderNo: o.orderNo,
  amount: o.amount,
  currency: 'CNY',
  description: o.description,
  status: o.status,
  createdAt: iso(o.createdAt),
  paidAt: isoOrNull(o.paidAt),
  transactionId: o.transactionId,
  refundedAmount: o.refundedAmount,
})

export const toRefundView = (r: RefundRecord): RefundView => ({
  refundNo: r.outRefundNo,
  orderNo: r.orderNo,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  createdAt: iso(r.createdAt),
  settledAt: FINAL_REFUND_STATUSES.has(r.status) ? iso(r.updatedAt) : null,
})

const DESCRIPTION_MESSAGES: Record<DescriptionProblem, string> = {
  EMPTY: 'description is empty',
  TOO_LONG: `description is longer than ${DESCRIPTION_MAX_CHARS} characters`,
  CONTROL_CHARS: 'description contains control characters',
  UNSUPPORTED_CHARS: 'description contains characters WeChat Pay does not accept (emoji or other 4-byte UTF-8)',
}

/** Trimmed description, or INVALID_DESCRIPTION (src/contract/rules.ts: 1–127 characters, no control characters, no 4-byte UTF-8). */
export function checkDescription(raw: string): string {
  const problem = descriptionProblem(raw)
  if (problem) throw new AppError('INVALID_DESCRIPTION', DESCRIPTION_MESSAGES[problem])
  return raw.trim()
}

const isPaidState = (s: string) => s === 'SUCCESS' || s === 'REFUND'
const parseTime = (s: string | undefined, fallback: number) => {
  const t = s ? Date.parse(s) : NaN
  return Number.isFinite(t) ? t : fallback
}
const upstream = (e: unknown, what: string): AppError => {
  if (e instanceof AppError) return e
  if (e instanceof WechatPayError) return new AppError('UPSTREAM_ERROR', `WeChat Pay ${what} failed: ${e.code}`)
  return new AppError('UPSTREAM_ERROR', `WeChat Pay ${what} failed`)
}
const refundStatusOf = (s: string): RefundStatus => (s === 'SUCCESS' ? 'succeeded' : s === 'PROCESSING' ? 'processing' : 'failed')

/**
 * Orders, payment attempts, transitions and refunds. Every state change happens in one storage
 * transaction; WeChat Pay calls for one order are serialised by an in-process lock.
 */
export function createOrderService(o: OrderServiceOptions) {
  const { storage, gateway, clock, logger } = o
  const limiter = new RateLimiter(o.rateLimitOrdersPerMin, 60_000, clock)
  const locks = new Map<string, Promise<unknown>>()

  /** Serialises work on one order (double taps, concurrent retries, reconciler vs. user). */
  function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(key) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => undefined)
    locks.set(key, tail)
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key)
    })
    return run
  }

  const mustOrder = (orderNo: string) => {
    const order = storage.orders.get(orderNo)
    if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    return order
  }
  const ownOrder = (user: UserRecord, orderNo: string) => {
    const order = storage.orders.get(orderNo)
    // Another user's order is indistinguishable from a missing one.
    if (!order || order.userId !== user.id) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    return order
  }
  const liveAttempts = (orderNo: string) => storage.attempts.listByOrder(orderNo).filter((a) => a.status === 'open' || a.status === 'creating')
  const currentAttempt = (orderNo: string) => storage.attempts.listByOrder(orderNo).at(-1)

  // ------------------------------------------------------------------ transitions

  /** Recomputes refundedAmount and paid/refunded from the order's own (non-stray) refunds. */
  function recomputeRefunds(orderNo: string) {
    const order = storage.orders.get(orderNo)
    if (!order || (order.status !== 'paid' && order.status !== 'refunded')) return
    const refunded = storage.refunds
      .listByOrder(orderNo)
      .filter((r) => r.kind === 'admin' && (r.status === 'processing' || r.status === 'succeeded'))
      .reduce((sum, r) => sum + r.amount, 0)
    storage.orders.update(orderNo, { refundedAmount: refunded, status: refunded >= order.amount ? 'refunded' : 'paid' })
  }

  /**
   * Applies what WeChat Pay says about one attempt (notification, query or close), once: checks
   * mchid/appid/amount/out_trade_no against the stored order, then marks it paid in one transaction.
   */
  function applyTransaction(t: Transaction | PartnerTransaction, source: TransitionSource): { outcome: TransitionOutcome; detail: string; refund?: RefundRecord } {
    const result = storage.transaction(() => {
      const attempt = storage.attempts.get(t.out_trade_no)
      if (!attempt) return { outcome: 'unknown_order' as const, detail: `no attempt ${t.out_trade_no}` }
      const order = storage.orders.get(attempt.orderNo) as OrderRecord
      const problem = gateway.ownershipProblem(t) ?? (t.amount?.total !== order.amount ? `amount ${t.amount?.total} is not the order's ${order.amount}` : null)
      if (!isPaidState(t.trade_state)) {
        if (t.trade_state === 'CLOSED' && (attempt.status === 'open' || attempt.status === 'creating')) {
          storage.attempts.update(attempt.outTradeNo, { status: 'closed' })
        }
        return { outcome: 'ignored' as const, detail: `trade_state ${t.trade_state}` }
      }
      if (problem) return { outcome: 'mismatch' as const, detail: problem }
      if (attempt.status === 'paid' || attempt.status === 'stray') return { outcome: 'duplicate' as const, detail: `already ${attempt.status}` }
      const paidAt = parseTime(t.success_time, clock())
      const transactionId = t.transaction_id ?? null
      if (order.paidOutTradeNo && order.paidOutTradeNo !== attempt.outTradeNo) {
        // A second attempt of an already paid order was paid too: refund it, never keep it.
        storage.attempts.update(attempt.outTradeNo, { status: 'stray', transactionId, paidAt })
        const now = clock()
        const refund: RefundRecord = {
          outRefundNo: `${attempt.outTradeNo}_STRAY`,
          orderNo: order.orderNo,
          outTradeNo: attempt.outTradeNo,
          amount: t.amount?.total ?? order.amount,
          total: t.amount?.total ?? order.amount,
          reason: '重复支付自动退款',
          kind: 'stray',
          requestId: null,
          status: 'pending',
          refundId: null,
          createdAt: now,
          updatedAt: now,
        }
        storage.refunds.insert(refund)
        return { outcome: 'stray' as const, detail: `order already paid by ${order.paidOutTradeNo}`, refund }
      }
      storage.attempts.update(attempt.outTradeNo, { status: 'paid', transactionId, paidAt })
      storage.orders.update(order.orderNo, { status: 'paid', paidAt, transactionId, paidOutTradeNo: attempt.outTradeNo })
      recomputeRefunds(order.orderNo)
      return { outcome: 'applied' as const, detail: `${order.status} → paid (${source})` }
    })
    const log = { outTradeNo: t.out_trade_no, source, outcome: result.outcome, detail: result.detail }
    if (result.outcome === 'mismatch') logger.error(log, 'payment does not match the stored order: NOT marked paid, investigate')
    else if (result.outcome === 'unknown_order') logger.error(log, 'payment for an unknown out_trade_no')
    else if (result.outcome === 'stray') logger.warn(log, 'second payment of a paid order: refunding it automatically')
    else if (result.outcome === 'applied') logger.info(log, 'order paid')
    if (result.outcome === 'stray' && 'refund' in result && result.refund) {
      const refund = result.refund
      void sendRefund(refund).catch((e) => logger.error({ outRefundNo: refund.outRefundNo, err: (e as Error).message }, 'automatic refund of a stray payment failed; the reconciler retries it'))
    }
    if (result.outcome === 'applied') {
      const attempt = storage.attempts.get(t.out_trade_no) as AttemptRecord
      const others = liveAttempts(attempt.orderNo)
      if (others.length) void withLock(attempt.orderNo, async () => {
        for (const other of others) await closeAttempt(other).catch(() => undefined)
      })
    }
    return result
  }

  /** Records a refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED). */
  function applyRefundNotice(n: RefundNotice): { outcome: 'applied' | 'duplicate' | 'unknown_refund'; detail: string } {
    return storage.transaction(() => {
      const refund = storage.refunds.get(n.out_refund_no)
      if (!refund) return { outcome: 'unknown_refund' as const, detail: `no refund ${n.out_refund_no}` }
      const status = refundStatusOf(n.refund_status)
      if (refund.status === status && refund.refundId === n.refund_id) return { outcome: 'duplicate' as const, detail: status }
      storage.refunds.update(refund.outRefundNo, { status, refundId: n.refund_id, updatedAt: clock() })
      recomputeRefunds(refund.orderNo)
      return { outcome: 'applied' as const, detail: `${refund.status} → ${status}` }
    })
  }

  // ------------------------------------------------------------------ WeChat Pay calls per attempt

  /** Closes one attempt at WeChat Pay; when closing finds it paid, the order is paid. */
  async function closeAttempt(attempt: AttemptRecord): Promise<'closed' | 'paid'> {
    try {
      await gateway.close(attempt.outTradeNo)
      storage.attempts.update(attempt.outTradeNo, { status: 'closed' })
      return 'closed'
    } catch (e) {
      if (e instanceof WechatPayError && (e.code === 'ORDER_NOT_EXIST' || e.code === 'ORDERNOTEXIST')) {
        storage.attempts.update(attempt.outTradeNo, { status: 'closed' }) // never reached WeChat Pay
        return 'closed'
      }
      // Paid, already closed, or unknown: ask what it is rather than guess.
      let t: Transaction | PartnerTransaction
      try {
        t = await gateway.query(attempt.outTradeNo)
      } catch (qe) {
        throw upstream(qe, 'close')
      }
      if (isPaidState(t.trade_state)) {
        applyTransaction(t, 'close')
        return storage.attempts.get(attempt.outTradeNo)?.status === 'paid' || storage.attempts.get(attempt.outTradeNo)?.status === 'stray' ? 'paid' : 'closed'
      }
      if (t.trade_state === 'CLOSED') {
        storage.attempts.update(attempt.outTradeNo, { status: 'closed' })
        return 'closed'
      }
      throw upstream(e, 'close')
    }
  }

  /** Sends the JSAPI order of an attempt (identical body on every repeat) and stores its prepay_id. */
  async function placeAttempt(order: OrderRecord, attempt: AttemptRecord): Promise<string> {
    let prepayId: string
    try {
      ;({ prepayId } = await gateway.createOrder({
        outTradeNo: attempt.outTradeNo,
        description: order.description,
        amount: order.amount,
        openid: attempt.openid,
        timeExpire: attempt.timeExpire,
      }))
    } catch (e) {
      if (e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401) {
        logger.error({ orderNo: order.orderNo, outTradeNo: attempt.outTradeNo, code: e.code, status: e.status }, 'WeChat Pay refused the order')
        storage.transaction(() => {
          storage.attempts.update(attempt.outTradeNo, { status: 'failed' })
          const fresh = storage.orders.get(order.orderNo)
          if (fresh?.status === 'unpaid' && !liveAttempts(order.orderNo).length) storage.orders.update(order.orderNo, { status: 'failed' })
        })
      } else {
        logger.warn({ orderNo: order.orderNo, outTradeNo: attempt.outTradeNo, code: (e as WechatPayError).code }, 'WeChat Pay order call failed; the same attempt is retried on the next request')
      }
      throw upstream(e, 'order')
    }
    const expiresAt = Math.min(attempt.createdAt + PREPAY_VALIDITY_MS, Date.parse(attempt.timeExpire))
    storage.attempts.update(attempt.outTradeNo, { prepayId, prepayExpiresAt: expiresAt, status: 'open' })
    return prepayId
  }

  function newAttempt(order: OrderRecord, openid: string, seq: number): AttemptRecord {
    const now = clock()
    const attempt: AttemptRecord = {
      outTradeNo: outTradeNoFor(order.orderNo, seq),
      orderNo: order.orderNo,
      seq,
      openid,
      timeExpire: rfc3339Beijing(Math.min(order.expiresAt, now + PREPAY_VALIDITY_MS)),
      prepayId: null,
      prepayExpiresAt: null,
      status: 'creating',
      createdAt: now,
      transactionId: null,
      paidAt: null,
    }
    storage.attempts.insert(attempt)
    return attempt
  }

  /**
   * Fresh payment parameters for an unpaid order: the current attempt's prepay_id while it is
   * valid, else the old attempt is closed (which may find it paid) and a new out_trade_no opened.
   */
  async function paymentFor(order: OrderRecord, openid: string): Promise<RequestPaymentParams> {
    const now = clock()
    if (now >= order.expiresAt) {
      await expireOrder(order)
      throw new AppError('ORDER_NOT_PAYABLE', 'the order has expired')
    }
    const current = currentAttempt(order.orderNo)
    if (current?.status === 'open' && current.prepayId && (current.prepayExpiresAt ?? 0) - now > PREPAY_REUSE_MARGIN_MS) {
      return gateway.payment(current.prepayId)
    }
    if (current?.status === 'creating' && Date.parse(current.timeExpire) - now > PREPAY_REUSE_MARGIN_MS) {
      return gateway.payment(await placeAttempt(order, current))
    }
    for (const live of liveAttempts(order.orderNo)) {
      if ((await closeAttempt(live)) === 'paid') throw new AppError('ORDER_NOT_PAYABLE', 'the order is already paid')
    }
    const attempt = newAttempt(order, openid, (current?.seq ?? 0) + 1)
    return gateway.payment(await placeAttempt(order, attempt))
  }

  /** Closes every live attempt and the order, unless one of them turns out paid. */
  async function expireOrder(order: OrderRecord): Promise<OrderRecord> {
    for (const live of liveAttempts(order.orderNo)) await closeAttempt(live)
    storage.transaction(() => {
      const fresh = storage.orders.get(order.orderNo)
      if (fresh && (fresh.status === 'unpaid' || fresh.status === 'failed')) storage.orders.update(order.orderNo, { status: 'closed' })
    })
    return mustOrder(order.orderNo)
  }

  /** Asks WeChat Pay about the live attempts of an unpaid order (throttled unless forced). */
  async function syncOrder(order: OrderRecord, minIntervalMs: number): Promise<OrderRecord> {
    if (order.status !== 'unpaid') return order
    const now = clock()
    if (order.lastQueriedAt !== null && now - order.lastQueriedAt < minIntervalMs) return order
    storage.orders.update(order.orderNo, { lastQueriedAt: now })
    for (const attempt of liveAttempts(order.orderNo)) {
      try {
        applyTransaction(await gateway.query(attempt.outTradeNo), 'query')
      } catch (e) {
        if (e instanceof WechatPayError && (e.code === 'ORDER_NOT_EXIST' || e.code === 'ORDERNOTEXIST')) continue
        logger.warn({ orderNo: order.orderNo, outTradeNo: attempt.outTradeNo, code: (e as WechatPayError).code }, 'order query failed')
      }
    }
    return mustOrder(order.orderNo)
  }

  /** Sends (or re-sends, same out_refund_no) a stored refund and records WeChat Pay's answer. */
  async function sendRefund(refund: RefundRecord): Promise<RefundRecord> {
    try {
      const r = await gateway.refund({ outRefundNo: refund.outRefundNo, outTradeNo: refund.outTradeNo, amount: refund.amount, total: refund.total, reason: refund.reason })
      storage.transaction(() => {
        const fresh = storage.refunds.get(refund.outRefundNo) as RefundRecord
        // A notification may already have settled it.
        if (fresh.status === 'pending' || fresh.status === 'processing') {
          storage.refunds.update(refund.outRefundNo, { status: refundStatusOf(r.status), refundId: r.refund_id, updatedAt: clock() })
        }
        recomputeRefunds(refund.orderNo)
      })
    } catch (e) {
      if (e instanceof WechatPayError && !e.retryable && e.status !== 0) {
        storage.transaction(() => {
          storage.refunds.update(refund.outRefundNo, { status: 'failed', updatedAt: clock() })
          recomputeRefunds(refund.orderNo)
        })
        logger.error({ outRefundNo: refund.outRefundNo, code: e.code }, 'WeChat Pay refused the refund')
      } else {
        logger.warn({ outRefundNo: refund.outRefundNo }, 'refund outcome unknown; repeat the same request to resend it')
      }
      throw upstream(e, 'refund')
    }
    return storage.refunds.get(refund.outRefundNo) as RefundRecord
  }

  return {
    applyTransaction,
    applyRefundNotice,

    /** Creates an order (stored before WeChat Pay is called) and its payment; same requestId = same order. */
    async create(user: UserRecord, input: { amount: number; description: string; requestId: string }) {
      const description = checkDescription(input.description)
      if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > o.maxOrderFen) {
        throw new AppError('INVALID_AMOUNT', `amount must be an integer number of fen from 1 to ${o.maxOrderFen}`)
      }
      const replay = async (existing: OrderRecord) => {
        if (existing.amount !== input.amount || existing.description !== description) {
          throw new AppError('BAD_REQUEST', 'requestId was already used for a different order')
        }
        return withLock(existing.orderNo, async () => {
          const fresh = mustOrder(existing.orderNo)
          const payment = fresh.status === 'unpaid' ? await paymentFor(fresh, user.openid) : null
          return { order: toOrderView(mustOrder(existing.orderNo)), payment, replayed: true }
        })
      }
      const existing = storage.orders.findByRequest(user.id, input.requestId)
      if (existing) return replay(existing)
      if (!limiter.take(user.id)) throw new AppError('RATE_LIMITED', 'too many orders, try again in a minute')

      const now = clock()
      const order: OrderRecord = {
        orderNo: newOrderNo(now, o.random),
        userId: user.id,
        requestId: input.requestId,
        amount: input.amount,
        description,
        status: 'unpaid',
        createdAt: now,
        expiresAt: now + o.orderExpireMinutes * 60_000,
        paidAt: null,
        transactionId: null,
        paidOutTradeNo: null,
        refundedAmount: 0,
        lastQueriedAt: null,
      }
      let attempt: AttemptRecord
      try {
        attempt = storage.transaction(() => {
          storage.orders.insert(order)
          return newAttempt(order, user.openid, 1)
        })
      } catch (e) {
        const raced = storage.orders.findByRequest(user.id, input.requestId)
        if (raced) return replay(raced) // the same requestId arrived twice at once
        throw e
      }
      return withLock(order.orderNo, async () => {
        const prepayId = await placeAttempt(order, attempt)
        return { order: toOrderView(mustOrder(order.orderNo)), payment: gateway.payment(prepayId) as RequestPaymentParams | null, replayed: false }
      })
    },

    /** The caller's orders, newest first. */
    list(user: UserRecord, limit = 50): OrderView[] {
      return storage.orders.listByUser(user.id, limit).map(toOrderView)
    },

    /** One of the caller's orders; a non-final one is first checked with WeChat Pay (throttled). */
    async get(user: UserRecord, orderNo: string): Promise<OrderView> {
      const order = ownOrder(user, orderNo)
      if (order.status !== 'unpaid') return toOrderView(order)
      return withLock(orderNo, async () => toOrderView(await syncOrder(mustOrder(orderNo), QUERY_THROTTLE_MS)))
    },

    /** Fresh payment parameters for the caller's unpaid order; ORDER_NOT_PAYABLE otherwise. */
    async renewPayment(user: UserRecord, orderNo: string): Promise<RequestPaymentParams> {
      ownOrder(user, orderNo)
      return withLock(orderNo, async () => {
        const order = mustOrder(orderNo)
        if (order.status !== 'unpaid') throw new AppError('ORDER_NOT_PAYABLE', `the order is ${order.status}`)
        return paymentFor(order, user.openid)
      })
    },

    /** Closes the caller's unpaid order (idempotent); a paid one is ORDER_NOT_PAYABLE. */
    async close(user: UserRecord, orderNo: string): Promise<OrderView> {
      ownOrder(user, orderNo)
      return withLock(orderNo, async () => {
        let order = mustOrder(orderNo)
        if (order.status === 'unpaid' || order.status === 'failed') order = await expireOrder(order)
        if (order.status === 'paid' || order.status === 'refunded') throw new AppError('ORDER_NOT_PAYABLE', `the order is ${order.status} and cannot be closed`)
        return toOrderView(order)
      })
    },

    /** Refunds part or all of a paid order, never more than paid; same requestId = same refund. */
    async refund(orderNo: string, input: { amount: number; reason?: string; requestId?: string }): Promise<{ refund: RefundView; order: OrderView; replayed: boolean }> {
      if (!Number.isInteger(input.amount) || input.amount < 1) throw new AppError('INVALID_AMOUNT', 'refund amount must be a positive integer number of fen')
      const reason = (input.reason ?? '').trim()
      if ([...reason].length > REFUND_REASON_MAX_CHARS || CONTROL_CHARS.test(reason)) throw new AppError('BAD_REQUEST', `reason must be at most ${REFUND_REASON_MAX_CHARS} characters without control characters`)
      return withLock(orderNo, async () => {
        const order = mustOrder(orderNo)
        if (input.requestId) {
          const existing = storage.refunds.findByRequest(orderNo, input.requestId)
          if (existing) {
            if (existing.amount !== input.amount) throw new AppError('BAD_REQUEST', 'requestId was already used for a different refund')
            const settled = existing.status === 'pending' ? await sendRefund(existing) : existing
            return { refund: toRefundView(settled), order: toOrderView(mustOrder(orderNo)), replayed: true }
          }
        }
        if (order.status !== 'paid' && order.status !== 'refunded') throw new AppError('REFUND_NOT_ALLOWED', `the order is ${order.status}`)
        const refund = storage.transaction(() => {
          const refunds = storage.refunds.listByOrder(orderNo)
          const reserved = refunds.filter((r) => r.kind === 'admin' && r.status !== 'failed').reduce((s, r) => s + r.amount, 0)
          const left = order.amount - reserved
          if (input.amount > left) throw new AppError('INVALID_AMOUNT', `refund exceeds what is left to refund (${left} fen)`)
          const now = clock()
          const record: RefundRecord = {
            outRefundNo: `${orderNo}R${refunds.length + 1}`,
            orderNo,
            outTradeNo: order.paidOutTradeNo as string,
            amount: input.amount,
            total: order.amount,
            reason,
            kind: 'admin',
            requestId: input.requestId ?? null,
            status: 'pending',
            refundId: null,
            createdAt: now,
            updatedAt: now,
          }
          storage.refunds.insert(record)
          return record
        })
        const sent = await sendRefund(refund)
        logger.info({ orderNo, outRefundNo: sent.outRefundNo, amount: sent.amount, status: sent.status }, 'refund requested')
        return { refund: toRefundView(sent), order: toOrderView(mustOrder(orderNo)), replayed: false }
      })
    },

    /**
     * One reconciliation pass: queries recent unpaid orders (lost notifications), closes expired
     * ones, and resends stray refunds whose outcome is unknown.
     */
    async reconcile(limit = 100): Promise<{ checked: number; paid: number; closed: number }> {
      const now = clock()
      const since = now - o.orderExpireMinutes * 60_000 - RECONCILE_LOOKBACK_MS
      let paid = 0
      let closed = 0
      const orders = storage.orders.listUnpaid(since, limit)
      for (const candidate of orders) {
        await withLock(candidate.orderNo, async () => {
          try {
            let order = await syncOrder(mustOrder(candidate.orderNo), 0)
            if (order.status === 'unpaid' && clock() >= order.expiresAt) order = await expireOrder(order)
            if (order.status === 'paid') paid++
            if (order.status === 'closed') closed++
          } catch (e) {
            logger.warn({ orderNo: candidate.orderNo, err: (e as Error).message }, 'reconciliation of an order failed; next pass retries')
          }
        })
      }
      for (const refund of storage.refunds.listPending(limit)) {
        if (refund.kind !== 'stray' || clock() - refund.updatedAt < 60_000) continue
        await withLock(refund.orderNo, () => sendRefund(refund)).catch(() => undefined)
      }
      return { checked: orders.length, paid, closed }
    },

    /** Internal: orders by number without the owner check (admin, tests). */
    find: (orderNo: string) => storage.orders.get(orderNo),
    resendRefund: sendRefund,
  }
}

export type OrderService = ReturnType<typeof createOrderService>
