/**
 * The backend's storage, as repositories. Services use only these interfaces; two engines
 * implement them (`sqlite.ts`, the embedded default, and `postgres.ts`); routes never see storage.
 * Every call is asynchronous. `transaction(fn)` is atomic: repository calls made while fn runs
 * (found through AsyncLocalStorage, so the same repository objects are used) join it. A
 * transaction body only reads and writes storage: it never waits on the network.
 * The guards that must hold across processes (the per-key lock, rate limits, the one reconciler)
 * are the storage's too, so they hold wherever the data is shared.
 */

import type { OrderStatus, RefundStatus } from '../../../src/contract/constants'
import type { ApplicationRepository, ShopRepository } from './onboarding'
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
  upsertByOpenid(openid: string, unionid: string | null, now: number, newId: () => string): Promise<UserRecord>
  get(id: string): Promise<UserRecord | undefined>
}

export interface OrderRepository {
  insert(order: OrderRecord): Promise<void>
  get(orderNo: string): Promise<OrderRecord | undefined>
  findByRequest(userId: string, requestId: string): Promise<OrderRecord | undefined>
  /** Newest first. */
  listByUser(userId: string, limit: number): Promise<OrderRecord[]>
  update(orderNo: string, patch: Partial<Omit<OrderRecord, 'orderNo'>>): Promise<void>
  /** Unpaid orders created at or after `since`, oldest query first. */
  listUnpaid(since: number, limit: number): Promise<OrderRecord[]>
}

export interface AttemptRepository {
  insert(attempt: AttemptRecord): Promise<void>
  get(outTradeNo: string): Promise<AttemptRecord | undefined>
  /** Oldest first. */
  listByOrder(orderNo: string): Promise<AttemptRecord[]>
  update(outTradeNo: string, patch: Partial<Omit<AttemptRecord, 'outTradeNo'>>): Promise<void>
}

export interface RefundRepository {
  insert(refund: RefundRecord): Promise<void>
  get(outRefundNo: string): Promise<RefundRecord | undefined>
  findByRequest(orderNo: string, requestId: string): Promise<RefundRecord | undefined>
  listByOrder(orderNo: string): Promise<RefundRecord[]>
  /**
   * Refunds the reconciler settles: pending, processing or abnormal ones, and stray-payment refunds
   * WeChat Pay refused (retried until they succeed). Unknown outcomes first (pending, then refused
   * strays, processing, abnormal), least recently updated first within each, so a backlog of
   * abnormal refunds never starves a pending one.
   */
  listUnsettled(limit: number): Promise<RefundRecord[]>
  update(outRefundNo: string, patch: Partial<Omit<RefundRecord, 'outRefundNo'>>): Promise<void>
}

export interface NotificationLog {
  append(entry: NotificationLogEntry): Promise<void>
  /** Newest first. */
  list(limit: number): Promise<NotificationLogEntry[]>
}

/** The component verify ticket (thirdparty scenario), one row that survives restarts. */
export interface ComponentTicketStore {
  /** The latest ticket the admin handed over, or null. */
  latest(): Promise<string | null>
  save(ticket: string, at: number): Promise<void>
}

/** Runs `fn` after every earlier task for the same key has settled, in every process sharing the storage. */
export type KeyLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>

/** A per-key limit of `limit` hits per window; shared by every process using the storage. */
export interface Limiter {
  /** Counts one hit for key; false when the key is over its limit (the hit is then not counted). */
  take(key: string): Promise<boolean>
}

export type StorageEngine = 'sqlite' | 'postgres'

/**
 * How a transaction commits. By default it is durable: the commit returns once the disk has it
 * (SQLite: the gate's WAL sync that covers it, sqlite-gate.ts; PostgreSQL synchronous_commit=on).
 * `durable: false` skips that wait (SQLite: answered at COMMIT, the next sync covers it too, WAL
 * being sequential; PostgreSQL: synchronous_commit=off). A
 * power cut (not a crash of the process) may then lose that commit, never corrupt anything.
 *
 * Only for a write whose loss is harmless because it is learned again: the prepay_id of an attempt
 * after WeChat Pay answered the order call (lost, the attempt stays `creating` and the next request
 * places the same out_trade_no with a byte-identical body, which WeChat Pay answers with the same
 * prepay_id), and `lastQueriedAt` (a query throttle: lost, the next GET queries once more).
 * NEVER for a paid transition, a refund, a notification's outcome (WeChat Pay stops delivering once
 * answered 204), an order or attempt that WeChat Pay may charge, or anything money depends on.
 * A non-durable transaction must not contain a durable one (that call fails); a non-durable call
 * inside a durable transaction joins it and is durable.
 */
export interface TransactionOptions {
  /** false: commit without waiting for the disk (default true). */
  durable?: boolean
  /**
   * Transactions naming the same key run one after another (PostgreSQL: an advisory lock on the key,
   * apart from withLock's keys, held from before BEGIN to after COMMIT; SQLite runs every transaction
   * alone anyway). For a hot row many callers write at once, e.g. copies of one notification, which
   * would otherwise fail to serialize again and again. Never held across the network.
   */
  key?: string
}

/** The error of a durable transaction started inside a non-durable one (a programming error). */
export const NESTED_DURABLE_MESSAGE = 'a durable transaction cannot join a non-durable one'

export interface Storage {
  engine: StorageEngine
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
  /**
   * Runs fn atomically (nested calls join the outer transaction); rolled back when fn throws.
   * `{ durable: false }` commits without waiting for the disk (see TransactionOptions).
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>
  /**
   * The per-key lock (order numbers, application numbers, split jobs): held while fn runs, which
   * may call WeChat Pay. SQLite: in process (one process only). PostgreSQL: a session advisory lock
   * on a connection held for fn, freed by the server if the process dies.
   */
  withLock: KeyLock
  /** A limiter named `name` (its keys do not collide with other limiters'), counted with `clock`. */
  limiter(name: string, limit: number, windowMs: number, clock: () => number): Limiter
  /**
   * True while this process holds the named lease (e.g. 'reconciler'): at most one process at a time,
   * and another takes over when the holder dies. SQLite: always true. PostgreSQL: pg_try_advisory_lock
   * on a dedicated connection, asked again on each call.
   */
  lead(name: string): Promise<boolean>
  /** Closes pools and files; pending calls may fail. */
  close(): Promise<void>
}
