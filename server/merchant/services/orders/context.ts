import { WechatPayError } from '../../../wechatpay'
import { AppError } from '../../errors'
import type { AttemptRecord, KeyLock, NotificationLogEntry, OrderRecord, Storage } from '../../storage'
import type { PaymentGateway } from '../wechatpay-gateway'

/** The slice of pino the order services log through. */
export interface Logger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** What every part of the order service shares: storage, gateway, clock, logger and the per-order lock (the storage's). */
export interface OrderContext {
  storage: Storage
  gateway: PaymentGateway
  clock: () => number
  logger: Logger
  withLock: KeyLock
}

export const MINUTE_MS = 60_000

/**
 * The notification-log line of a decision, built by the notification handler: appended inside the
 * transaction that stores the decision, so one commit holds both (or neither).
 */
export type LogLine = (result: { outcome: string; detail: string }) => NotificationLogEntry

/** The stored order, or ORDER_NOT_FOUND. */
export async function mustOrder(storage: Storage, orderNo: string): Promise<OrderRecord> {
  const order = await storage.orders.get(orderNo)
  if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
  return order
}

/** Attempts that may still be paid at WeChat Pay (`creating` or `open`), oldest first. */
export const liveAttempts = async (storage: Storage, orderNo: string): Promise<AttemptRecord[]> =>
  (await storage.attempts.listByOrder(orderNo)).filter((a) => a.status === 'open' || a.status === 'creating')

/** The stable code of a failure (WeChat Pay's or ours), else the error's name: safe to log. */
export const errorCode = (e: unknown): string =>
  e instanceof WechatPayError || e instanceof AppError ? e.code : e instanceof Error ? e.name : 'UNKNOWN'

/** True when WeChat Pay says it has no such order (both spellings of the code exist). */
export const isOrderNotFound = (e: unknown): boolean =>
  e instanceof WechatPayError && (e.code === 'ORDER_NOT_EXIST' || e.code === 'ORDERNOTEXIST')

/** A failed WeChat Pay call as the 502 the client sees (an AppError passes through). */
export function upstream(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e
  if (e instanceof WechatPayError) return new AppError('UPSTREAM_ERROR', `WeChat Pay ${what} failed: ${e.code}`)
  return new AppError('UPSTREAM_ERROR', `WeChat Pay ${what} failed`)
}
