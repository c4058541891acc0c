import type { RefundNotice, RequestPaymentParams } from '../../../wechatpay'
import { AppError } from '../../errors'
import type { AttemptRecord, OrderRecord, Storage, UserRecord } from '../../storage'
import { newOrderNo } from '../order-numbers'
import type { PaymentGateway } from '../wechatpay-gateway'
import { createTransitionApplier } from './apply'
import { createAttempts } from './attempts'
import { MINUTE_MS, mustOrder, type Logger, type LogLine, type OrderContext } from './context'
import { createEffectRunner } from './effects'
import { checkDescription, checkOrderAmount } from './input'
import { createReconcile } from './reconcile'
import { createRefunds } from './refunds'
import { toOrderView, type OrderView } from './views'

export type { Logger, LogLine } from './context'
export type { TransitionOutcome, TransitionSource } from './transitions'
export type { OrderView, RefundView } from './views'
export { toOrderView, toRefundView } from './views'
export { checkDescription } from './input'
export { PREPAY_REUSE_MARGIN_MS, PREPAY_VALIDITY_MS } from './attempts'
export { RECONCILE_LOOKBACK_MS, type ReconcileResult } from './reconcile'

/** GET of a non-final order asks WeChat Pay at most this often per order. */
export const QUERY_THROTTLE_MS = 3_000

/** The sub-merchant an order is paid to (partner / ecommerce); resolved from shopId by the shops service. */
export interface OrderShop {
  shopId: string | null
  subMchid: string
  subAppId: string | null
}
/** Orders a user's list shows by default. */
export const ORDER_LIST_LIMIT = 50

export interface OrderServiceOptions {
  storage: Storage
  gateway: PaymentGateway
  clock: () => number
  logger: Logger
  maxOrderFen: number
  orderExpireMinutes: number
  rateLimitOrdersPerMin: number
  random?: (max: number) => number
  /** Place every order with settle_info.profit_sharing (PROFIT_SHARING manual / auto, partner / ecommerce). */
  profitSharing?: boolean
  /** Profit sharing after payment: `record` runs inside the payment's transaction (a durable job), `run` after it committed. */
  afterPaid?: { record(order: OrderRecord): Promise<unknown> | void; run(orderNo: string): Promise<unknown> }
}

/**
 * Orders, payment attempts, transitions and refunds, composed. Every state change happens in one
 * storage transaction; WeChat Pay calls for one order are serialised by the storage's key lock; the
 * effects a transition returns run after it committed.
 */
export function createOrderService(o: OrderServiceOptions) {
  const { storage, gateway, clock, logger } = o
  const ctx: OrderContext = { storage, gateway, clock, logger, withLock: storage.withLock }
  const { withLock } = ctx
  const limiter = storage.limiter('orders', o.rateLimitOrdersPerMin, MINUTE_MS, clock)
  const ownOrder = async (user: UserRecord, orderNo: string) => {
    const order = await storage.orders.get(orderNo)
    // Another user's order is indistinguishable from a missing one.
    if (!order || order.userId !== user.id) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    return order
  }

  // The parts, wired once: transitions hand their effects to the runner, which performs them through
  // the attempts and refunds parts later (the handlers are looked up when an effect runs).
  const runner = createEffectRunner(ctx, {
    close: (attempt) => attempts.close(attempt),
    refund: (refund) => refunds.send(refund),
    paid: (orderNo) => o.afterPaid?.run(orderNo) ?? Promise.resolve(),
  })

  const applyTransaction = createTransitionApplier(ctx, runner, o.afterPaid)

  const attempts = createAttempts(ctx, applyTransaction)
  const refunds = createRefunds(ctx)
  const reconcile = createReconcile(ctx, attempts, refunds, o.orderExpireMinutes)

  /** Same user + requestId again: the same order, with fresh payment parameters while it is unpaid. */
  async function replay(user: UserRecord, existing: OrderRecord, input: { amount: number; description: string; shopId: string | null }) {
    if (existing.amount !== input.amount || existing.description !== input.description || (existing.shopId ?? null) !== input.shopId) {
      throw new AppError('BAD_REQUEST', 'requestId was already used for a different order')
    }
    return withLock(existing.orderNo, async () => {
      const fresh = await mustOrder(storage, existing.orderNo)
      const payment = fresh.status === 'unpaid' ? await attempts.paymentFor(fresh, user.openid) : null
      return { order: toOrderView(await mustOrder(storage, existing.orderNo)), payment, replayed: true }
    })
  }

  return {
    applyTransaction,
    applyRefundNotice: (n: RefundNotice, logLine?: LogLine) => refunds.applyNotice(n, logLine),
    reconcile,
    refund: refunds.request,
    /** Resolves once the effects of earlier transitions (closes, stray refunds) have run. */
    idle: runner.idle,

    /** Creates an order (stored before WeChat Pay is called) and its payment; same requestId = same order. */
    async create(user: UserRecord, input: { amount: number; description: string; requestId: string; shop?: OrderShop }): Promise<{ order: OrderView; payment: RequestPaymentParams | null; replayed: boolean }> {
      const description = checkDescription(input.description)
      const amount = checkOrderAmount(input.amount, o.maxOrderFen)
      const existing = await storage.orders.findByRequest(user.id, input.requestId)
      if (existing) return replay(user, existing, { amount, description, shopId: input.shop?.shopId ?? null })
      if (!(await limiter.take(user.id))) throw new AppError('RATE_LIMITED', 'too many orders, try again in a minute')

      const now = clock()
      const order: OrderRecord = {
        orderNo: newOrderNo(now, o.random),
        userId: user.id,
        requestId: input.requestId,
        amount,
        description,
        status: 'unpaid',
        createdAt: now,
        expiresAt: now + o.orderExpireMinutes * MINUTE_MS,
        paidAt: null,
        transactionId: null,
        paidOutTradeNo: null,
        refundedAmount: 0,
        lastQueriedAt: null,
        ...(input.shop ? { shopId: input.shop.shopId, subMchid: input.shop.subMchid, subAppId: input.shop.subAppId } : {}),
        ...(o.profitSharing ? { profitSharing: 1 } : {}),
      }
      // Locked before it is stored: a replay of the requestId waits until the first attempt is placed.
      type Made = { raced: OrderRecord } | { raced?: undefined; created: { order: OrderView; payment: RequestPaymentParams | null; replayed: boolean } }
      const made = await withLock(order.orderNo, async (): Promise<Made> => {
        let attempt: AttemptRecord
        try {
          attempt = await storage.transaction(async () => {
            await storage.orders.insert(order)
            return attempts.open(order, user.openid, 1)
          })
        } catch (e) {
          // The same requestId arrived twice at once and the other one stored its order: answered as a
          // replay once this lock is released (never two locks held at once: on PostgreSQL each is a connection).
          const raced = await storage.orders.findByRequest(user.id, input.requestId)
          if (raced) return { raced }
          throw e
        }
        const prepayId = await attempts.place(order, attempt)
        return { created: { order: toOrderView(await mustOrder(storage, order.orderNo)), payment: gateway.payment(prepayId), replayed: false } }
      })
      if (made.raced) return replay(user, made.raced, { amount, description, shopId: input.shop?.shopId ?? null })
      return made.created
    },

    /** The caller's orders, newest first. */
    async list(user: UserRecord, limit = ORDER_LIST_LIMIT): Promise<OrderView[]> {
      return (await storage.orders.listByUser(user.id, limit)).map(toOrderView)
    },

    /** One of the caller's orders; a non-final one is first checked with WeChat Pay (throttled). */
    async get(user: UserRecord, orderNo: string): Promise<OrderView> {
      const order = await ownOrder(user, orderNo)
      if (order.status !== 'unpaid') return toOrderView(order)
      return withLock(orderNo, async () => toOrderView(await attempts.sync(await mustOrder(storage, orderNo), QUERY_THROTTLE_MS)))
    },

    /** Fresh payment parameters for the caller's unpaid order; ORDER_NOT_PAYABLE otherwise. */
    async renewPayment(user: UserRecord, orderNo: string): Promise<RequestPaymentParams> {
      await ownOrder(user, orderNo)
      return withLock(orderNo, async () => {
        const order = await mustOrder(storage, orderNo)
        if (order.status !== 'unpaid') throw new AppError('ORDER_NOT_PAYABLE', `the order is ${order.status}`)
        return attempts.paymentFor(order, user.openid)
      })
    },

    /** Closes the caller's unpaid order (idempotent); a paid one is ORDER_NOT_PAYABLE. */
    async close(user: UserRecord, orderNo: string): Promise<OrderView> {
      await ownOrder(user, orderNo)
      return withLock(orderNo, async () => {
        let order = await mustOrder(storage, orderNo)
        if (order.status === 'unpaid' || order.status === 'failed') order = await attempts.expire(order)
        if (order.status === 'paid' || order.status === 'refunded') throw new AppError('ORDER_NOT_PAYABLE', `the order is ${order.status} and cannot be closed`)
        return toOrderView(order)
      })
    },

    /** Internal: orders by number without the owner check (admin, tests). */
    find: (orderNo: string) => storage.orders.get(orderNo),
  }
}

export type OrderService = ReturnType<typeof createOrderService>
