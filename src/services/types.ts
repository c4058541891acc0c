// Interfaces of the service layer and the wire types of the merchant backend contract
// (architecture.md §App ↔ merchant backend HTTP contract). Implementations live beside this file.
export { ERROR_CODES, AppError, type ErrorCode } from '@/lib/errors'

// The wire shapes come from the contract; `import type` keeps TypeBox out of the bundle.
export type { Order, Payment, CreateOrderInput, OrderWithPayment } from '@/contract/schemas'
export type { OrderStatus } from '@/contract/constants'
import type { CreateOrderInput, Order, OrderWithPayment, Payment } from '@/contract/schemas'
export type { Application, ApplicationRequest, FieldError, Shop } from '@/contract/schemas'
import type { Application, ApplicationRequest, Shop } from '@/contract/schemas'

/** Upload progress, 0–100. */
export type UploadProgress = (percent: number) => void

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
  /** Closes an unpaid order (idempotent); a paid one is ORDER_NOT_PAYABLE (POST /api/orders/:orderNo/close). */
  closeOrder(orderNo: string): Promise<Order>
  /** Uploads one image for onboarding (POST /api/media, multipart `file`); resolves with its mediaId. */
  uploadMedia(filePath: string, onProgress?: UploadProgress): Promise<string>
  /** POST /api/applications; the same requestId answers the same application. */
  createApplication(request: ApplicationRequest): Promise<Application>
  /** The caller's applications, newest first. */
  listApplications(): Promise<Application[]>
  /** One application; the backend refreshes a non-final one from WeChat Pay first. */
  getApplication(applicationNo: string): Promise<Application>
  /** PUT /api/applications/:applicationNo: resubmits a rejected application. */
  resubmitApplication(applicationNo: string, request: ApplicationRequest): Promise<Application>
  /** GET /api/shops/:shopId */
  getShop(shopId: string): Promise<Shop>
}

/** Moves an application to `to` (with rejection reasons for `rejected`); the in-app mock backend's review stand-in. */
export type ReviewSimulator = (applicationNo: string, to: Application['state'], rejections?: Array<{ field: string; reason: string }>) => Promise<void>

/** An image the user picked: a local temporary path and its size in bytes; null when they cancelled. */
export type ChooseImage = () => Promise<{ path: string; sizeBytes: number } | null>

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
  method: 'GET' | 'POST' | 'PUT'
  data?: unknown
  header: Record<string, string>
  timeout: number
}) => Promise<{ statusCode: number; data: unknown }>

/** The part of Taro.uploadFile the HTTP backend needs: one multipart file part; resolves for every HTTP status. */
export type HttpUpload = (options: {
  url: string
  filePath: string
  name: string
  header: Record<string, string>
  timeout: number
  onProgress?: UploadProgress
}) => Promise<{ statusCode: number; data: string }>

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
