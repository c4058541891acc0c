/**
 * The backend's storage, as repositories. Services use only these interfaces, so another
 * database is one more implementation beside `sqlite.ts`; routes never see storage at all.
 * Calls are synchronous and `transaction(fn)` is atomic (better-sqlite3's model).
 */

import type { OrderStatus, RefundStatus } from '../../../src/contract/constants'
import type { ApplicationRepository, ShopRepository } from './onboarding'
import type { ComponentTicketStore } from './sqlite-component'
import type { SplitJobRepository, SplitRepository, SplitReturnRepository } from './splits'
import type { SplitSummaryStatus } from '../../../src/contract/constants'

export { ORDER_STATUSES, type OrderStatus, type RefundStatus } from '../../../src/contract/constants'
export * from './onboarding'
export * from './splits'

/** The business order the user sees. Times are milliseconds since the epoch. */
export interface OrderRecord {
  orderNo: string
  userId: string
  requestId: string
  amount: number
  description: string
  status: OrderStatus
  createdAt: number
  /** After this the order is no longer payable and is closed. */
  expiresAt: number
  paidAt: number | null
  transactionId: string | null
  /** The attempt that paid it. */
  paidOutTradeNo: string | null
  refundedAmount: number
  /** Last time WeChat Pay was asked about it (query throttle). */
  lastQueriedAt: number | null
  /** partner / ecommerce: the shop paid (null = the default WECHATPAY_SUB_MCHID). */
  shopId?: string | null
  /** partner / ecommerce: the sub_mchid the order went to (null on orders stored before shops existed). */
  subMchid?: string | null
  /** The shop's sub_appid, carried for the outsourced / third-party scenarios. */
  subAppId?: string | null
  /** 1 when placed with settle_info.profit_sharing (its money stays frozen until split), else 0. */
  profitSharing?: number
  /** The split summary (`order.split`); null until a split happened or failed. */
  splitStatus?: SplitSummaryStatus | null
  splitCommission?: number | null
  splitUnfrozen?: number | null
}

/**
 * One payment attempt = one out_trade_no at WeChat Pay. `creating`: stored, order call not yet
 * answered; `open`: has a prepay_id; `paid`: the attempt that paid the order; `stray`: paid
 * after another attempt had paid (refunded automatically); `closed`, `failed`: final.
 */
export type AttemptStatus = 'creating' | 'open' | 'closed' | 'paid' | 'stray' | 'failed'

export interface AttemptRecord {
  outTradeNo: string
  orderNo: string
  seq: number
  /** The payer's openid under the mini-program appid. */
  openid: string
  /** RFC 3339 time_expire sent with the order (kept so a repeated call is byte-identical). */
  timeExpire: string
  prepayId: string | null
  prepayExpiresAt: number | null
  status: AttemptStatus
  createdAt: number
  transactionId: string | null
  paidAt: number | null
}

export type RefundKind = 'admin' | 'stray'

export interface RefundRecord {
  outRefundNo: string
  orderNo: string
  outTradeNo: string
  amount: number
  /** The paid total of the attempt it refunds. */
  total: number
  reason: string
  kind: RefundKind
  requestId: string | null
  status: RefundStatus
  refundId: string | null
  createdAt: number
  updatedAt: number
}

export interface NotificationLogEntry {
  id?: number
  receivedAt: number
  eventId: string | null
  eventType: string | null
  outTradeNo: string | null
  /** applied | duplicate | rejected | mismatch | unknown_order | stray | ignored */
  outcome: string
  detail: string
}

export interface UserRecord {
  id: string
  openid: string
  unionid: string | null
  createdAt: number
  lastLoginAt: number
}

export interface UserRepository {
  upsertByOpenid(openid: string, unionid: string | null, now: number, newId: () => string): UserRecord
  get(id: string): UserRecord | undefined
}

export interface OrderRepository {
  insert(order: OrderRecord): void
  get(orderNo: string): OrderRecord | undefined
  findByRequest(userId: string, requestId: string): OrderRecord | undefined
  /** Newest first. */
  listByUser(userId: string, limit: number): OrderRecord[]
  update(orderNo: string, patch: Partial<Omit<OrderRecord, 'orderNo'>>): void
  /** Unpaid orders created at or after `since`, oldest query first. */
  listUnpaid(since: number, limit: number): OrderRecord[]
}

export interface AttemptRepository {
  insert(attempt: AttemptRecord): void
  get(outTradeNo: string): AttemptRecord | undefined
  /** Oldest first. */
  listByOrder(orderNo: string): AttemptRecord[]
  update(outTradeNo: string, patch: Partial<Omit<AttemptRecord, 'outTradeNo'>>): void
}

export interface RefundRepository {
  insert(refund: RefundRecord): void
  get(outRefundNo: string): RefundRecord | undefined
  findByRequest(orderNo: string, requestId: string): RefundRecord | undefined
  listByOrder(orderNo: string): RefundRecord[]
  /**
   * Refunds the reconciler settles: pending, processing or abnormal ones, and stray-payment refunds
   * WeChat Pay refused (retried until they succeed). Unknown outcomes first (pending, then refused
   * strays, processing, abnormal), least recently updated first within each, so a backlog of
   * abnormal refunds never starves a pending one.
   */
  listUnsettled(limit: number): RefundRecord[]
  update(outRefundNo: string, patch: Partial<Omit<RefundRecord, 'outRefundNo'>>): void
}

export interface NotificationLog {
  append(entry: NotificationLogEntry): void
  /** Newest first. */
  list(limit: number): NotificationLogEntry[]
}

export interface Storage {
  users: UserRepository
  orders: OrderRepository
  attempts: AttemptRepository
  refunds: RefundRepository
  notifications: NotificationLog
  applications: ApplicationRepository
  shops: ShopRepository
  /** Automatic profit-sharing jobs (PROFIT_SHARING=auto). */
  splitJobs: SplitJobRepository
  /** Splits requested through the admin API (PROFIT_SHARING=manual). */
  splits: SplitRepository
  /** Returns (回退) of admin splits. */
  splitReturns: SplitReturnRepository
  /** The component verify ticket (thirdparty scenario). */
  componentTickets: ComponentTicketStore
  /** Runs fn atomically (nested calls join the outer transaction). */
  transaction<T>(fn: () => T): T
  close(): void
}
