// Interfaces of the service layer and the wire types of the merchant backend contract
// (architecture.md §App ↔ merchant backend HTTP contract). Implementations live beside this file.
export { ERROR_CODES, AppError, type ErrorCode } from '@/lib/errors'

// The wire shapes come from the contract; `import type` keeps TypeBox out of the bundle.
export type { Order, Payment, CreateOrderInput, OrderWithPayment } from '@/contract/schemas'
export type { OrderStatus } from '@/contract/constants'
import type { CreateOrderInput, Order, OrderWithPayment, Payment } from '@/contract/schemas'

/** The merchant backend as the app sees it. Every method rejects with an AppError only. */
export interface Backend {
  /** Logs in (wx.login code → POST /api/session) unless a valid session is kept already. */
  createSession(): Promise<void>
  /** `payment` is null when a replayed requestId names an order that is no longer payable. */
  createOrder(input: CreateOrderInput): Promise<OrderWithPayment>
  getOrder(orderNo: string): Promise<Order>
  listOrders(): Promise<Order[]>
  /** Fresh payment parameters for an unpaid order (POST /api/orders/:orderNo/payment). */
  renewPayment(orderNo: string): Promise<Payment>
}

/** What the WeChat client said about one payment sheet. Never trusted alone: the server decides. */
export type PayOutcome = 'ok' | 'cancel' | { fail: string }

/** Shows the payment sheet for `payment`; resolves with the outcome and never rejects. */
export type PaymentDriver = (payment: Payment) => Promise<PayOutcome>

/** Synchronous key-value storage (Taro.getStorageSync and friends, or a Map in tests). */
export interface KeyValueStorage {
  get(key: string): string | null
  set(key: string, value: string): void
  remove(key: string): void
}

/** The part of Taro.request the HTTP backend needs; resolves for every HTTP status. */
export type HttpRequest = (options: {
  url: string
  method: 'GET' | 'POST'
  data?: unknown
  header: Record<string, string>
  timeout: number
}) => Promise<{ statusCode: number; data: unknown }>

/** Resolves after `ms` milliseconds; injected so tests never really wait. */
export type Sleep = (ms: number) => Promise<void>

/** In-memory KeyValueStorage (tests, and H5 fallbacks). */
export function createMemoryStorage(initial: Record<string, string> = {}): KeyValueStorage {
  const map = new Map(Object.entries(initial))
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  }
}
