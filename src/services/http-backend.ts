// Backend over HTTP, speaking the merchant backend contract exactly (architecture.md §App ↔ merchant
// backend HTTP contract). Transport only: failures become AppError, nothing here toasts or navigates.
import { ORDER_STATUSES } from '@/contract/constants'
import { AppError, ERROR_MESSAGES, isErrorCode, type ErrorCode } from '@/lib/errors'
import type { Application, Backend, FieldError, HttpRequest, HttpUpload, KeyValueStorage, Order, Payment, Shop } from './types'

/** Storage key of the session token (and its expiry), kept across launches. */
export const SESSION_STORAGE_KEY = 'wxpay.session'

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000

/** An upload may take this many times the per-request timeout (photos on a slow network). */
const UPLOAD_TIMEOUT_FACTOR = 3

/** Renew the session this long before the server says it expires. */
const EXPIRY_MARGIN_MS = 60_000

export interface HttpBackendOptions {
  /** Merchant backend root, e.g. https://api.example.com (no trailing slash needed). */
  baseUrl: string
  request: HttpRequest
  /** Multipart upload (Taro.uploadFile), for POST /api/media. */
  upload: HttpUpload
  /** A fresh login code (wx.login's `code`, or the emulator's). */
  login: () => Promise<string>
  storage: KeyValueStorage
  timeoutMs?: number
  now?: () => number
}

interface Session {
  token: string
  expiresAt: number
}

type Method = 'GET' | 'POST' | 'PUT'

/** Status → code when the body carries no known error code. */
function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'BAD_REQUEST'
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 404) return 'ORDER_NOT_FOUND'
  if (status === 409) return 'ORDER_NOT_PAYABLE'
  if (status === 429) return 'RATE_LIMITED'
  if (status === 502) return 'UPSTREAM_ERROR'
  return status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST'
}

/** Maps a non-2xx answer to an AppError: the body's contract code if known, else by status. */
export function errorFromResponse(statusCode: number, data: unknown): AppError {
  const body = (data && typeof data === 'object' ? (data as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error : undefined) ?? {}
  const serverMessage = typeof body.message === 'string' ? body.message : undefined
  const code = isErrorCode(body.code) ? body.code : codeForStatus(statusCode)
  const detail = `HTTP ${statusCode}${serverMessage ? `: ${serverMessage}` : ''}`
  return new AppError(code, ERROR_MESSAGES[code], detail, code === 'INVALID_APPLICATION' ? fieldErrors(body) : undefined)
}

/** The `details` of an INVALID_APPLICATION body: every `{ field, message }` with both strings. */
function fieldErrors(body: { details?: unknown }): FieldError[] {
  if (!Array.isArray(body.details)) return []
  return body.details.filter((d): d is FieldError => isObject(d) && typeof d.field === 'string' && typeof d.message === 'string')
    .map(({ field, message }) => ({ field, message }))
}

/** Maps a rejected request (no HTTP answer) to TIMEOUT or NETWORK_ERROR. */
function transportError(e: unknown): AppError {
  if (e instanceof AppError) return e
  const errMsg = String((e as { errMsg?: unknown; message?: unknown })?.errMsg ?? (e as Error)?.message ?? e)
  return /timeout|timed out|超时/i.test(errMsg)
    ? new AppError('TIMEOUT', ERROR_MESSAGES.TIMEOUT, errMsg)
    : new AppError('NETWORK_ERROR', ERROR_MESSAGES.NETWORK_ERROR, errMsg)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function asOrder(v: unknown): Order {
  if (isObject(v) && typeof v.orderNo === 'string' && Number.isInteger(v.amount) && (ORDER_STATUSES as readonly unknown[]).includes(v.status)) return v as unknown as Order
  throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'order missing or malformed')
}

function asApplication(v: unknown): Application {
  if (isObject(v) && typeof v.applicationNo === 'string' && typeof v.state === 'string' && isObject(v.masked)) return v as unknown as Application
  throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'application missing or malformed')
}

function asShop(v: unknown): Shop {
  if (isObject(v) && typeof v.shopId === 'string' && typeof v.name === 'string') return v as unknown as Shop
  throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'shop missing or malformed')
}

function asPayment(v: unknown): Payment {
  if (isObject(v) && typeof v.timeStamp === 'string' && typeof v.nonceStr === 'string' && typeof v.package === 'string'
    && typeof v.paySign === 'string' && typeof v.signType === 'string') return v as unknown as Payment
  throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'payment missing or malformed')
}

/** Creates the HTTP Backend: lazy login, Bearer token in storage, exactly one re-login on 401. */
export function createHttpBackend({
  baseUrl,
  request,
  upload,
  login,
  storage,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  now = Date.now,
}: HttpBackendOptions): Backend {
  const root = baseUrl.replace(/\/+$/, '')
  let loggingIn: Promise<Session> | null = null

  /** Runs `exchange` with our own deadline on top of the platform's `timeout`. */
  async function withDeadline<T>(what: string, limitMs: number, exchange: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('TIMEOUT', ERROR_MESSAGES.TIMEOUT, `${what} took over ${limitMs} ms`)), limitMs)
    })
    try {
      return await Promise.race([exchange(), deadline])
    } catch (e) {
      throw transportError(e)
    } finally {
      clearTimeout(timer)
    }
  }

  /** One JSON exchange. */
  function send(method: Method, path: string, data: unknown, token: string | null) {
    const header: Record<string, string> = { Accept: 'application/json' }
    if (data !== undefined) header['Content-Type'] = 'application/json'
    if (token) header.Authorization = `Bearer ${token}`
    return withDeadline(`${method} ${path}`, timeoutMs, () => request({ url: `${root}${path}`, method, data, header, timeout: timeoutMs }))
  }

  /** One multipart upload of `filePath` as the `file` part; its JSON answer parsed (a non-JSON body stays as text). */
  async function sendFile(filePath: string, token: string, onProgress?: (percent: number) => void) {
    const header: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` }
    const limitMs = timeoutMs * UPLOAD_TIMEOUT_FACTOR
    const res = await withDeadline('POST /api/media', limitMs, () =>
      upload({ url: `${root}/api/media`, filePath, name: 'file', header, timeout: limitMs, onProgress }))
    let data: unknown = res.data
    try {
      data = JSON.parse(res.data)
    } catch {
      // left as text: errorFromResponse falls back to the status
    }
    // A proxy in front of the backend (nginx's client_max_body_size) answers 413 with an HTML page.
    if (res.statusCode === 413 && !isObject(data)) data = { error: { code: 'IMAGE_TOO_LARGE', message: 'HTTP 413 from a proxy' } }
    return { statusCode: res.statusCode, data }
  }

  function readSession(): Session | null {
    const raw = storage.get(SESSION_STORAGE_KEY)
    if (!raw) return null
    try {
      const s = JSON.parse(raw) as Session
      if (typeof s.token === 'string' && typeof s.expiresAt === 'number' && s.expiresAt - EXPIRY_MARGIN_MS > now()) return s
    } catch {
      // a corrupt entry is as good as none
    }
    storage.remove(SESSION_STORAGE_KEY)
    return null
  }

  async function doLogin(): Promise<Session> {
    let code: string
    try {
      code = await login()
    } catch (e) {
      if (e instanceof AppError) throw e
      throw new AppError('LOGIN_FAILED', ERROR_MESSAGES.LOGIN_FAILED, String((e as Error)?.message ?? e))
    }
    const res = await send('POST', '/api/session', { code }, null)
    if (res.statusCode !== 200) throw errorFromResponse(res.statusCode, res.data)
    const body = res.data as { token?: unknown; expiresIn?: unknown }
    if (!isObject(body) || typeof body.token !== 'string' || typeof body.expiresIn !== 'number') {
      throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'session answer without token')
    }
    const session = { token: body.token, expiresAt: now() + body.expiresIn * 1000 }
    storage.set(SESSION_STORAGE_KEY, JSON.stringify(session))
    return session
  }

  /** Concurrent callers share one login. */
  function freshSession(): Promise<Session> {
    if (!loggingIn) loggingIn = doLogin().finally(() => { loggingIn = null })
    return loggingIn
  }

  /** An authenticated exchange; on 401 logs in again once and repeats it once. */
  async function authenticated(what: string, exchange: (token: string) => Promise<{ statusCode: number; data: unknown }>): Promise<Record<string, unknown>> {
    const session = readSession() ?? (await freshSession())
    let res = await exchange(session.token)
    if (res.statusCode === 401) {
      storage.remove(SESSION_STORAGE_KEY)
      const renewed = await freshSession()
      res = await exchange(renewed.token)
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromResponse(res.statusCode, res.data)
    if (!isObject(res.data)) throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, `${what}: body is not JSON`)
    return res.data
  }

  const call = (method: Method, path: string, data?: unknown) =>
    authenticated(`${method} ${path}`, (token) => send(method, path, data, token))

  const path = (orderNo: string) => `/api/orders/${encodeURIComponent(orderNo)}`
  const applicationPath = (applicationNo: string) => `/api/applications/${encodeURIComponent(applicationNo)}`

  return {
    async createSession() {
      if (!readSession()) await freshSession()
    },
    async createOrder(input) {
      const body = (await call('POST', '/api/orders', input)) as { order?: unknown; payment?: unknown }
      // null: a replayed requestId whose order is no longer payable (the contract's OrderWithPayment).
      return { order: asOrder(body.order), payment: body.payment === null ? null : asPayment(body.payment) }
    },
    async getOrder(orderNo) {
      return asOrder(((await call('GET', path(orderNo))) as { order?: unknown }).order)
    },
    async listOrders() {
      const { orders } = (await call('GET', '/api/orders')) as { orders?: unknown }
      if (!Array.isArray(orders)) throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'orders is not a list')
      return orders.map(asOrder)
    },
    async renewPayment(orderNo) {
      // `{}` rather than no body: wx.request always sends Content-Type: application/json on POST.
      return asPayment(((await call('POST', `${path(orderNo)}/payment`, {})) as { payment?: unknown }).payment)
    },
    async uploadMedia(filePath, onProgress) {
      const { mediaId } = await authenticated('POST /api/media', (token) => sendFile(filePath, token, onProgress))
      if (typeof mediaId !== 'string' || mediaId === '') throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'upload answer without mediaId')
      return mediaId
    },
    async createApplication(request) {
      return asApplication((await call('POST', '/api/applications', request)).application)
    },
    async listApplications() {
      const { applications } = await call('GET', '/api/applications')
      if (!Array.isArray(applications)) throw new AppError('BAD_RESPONSE', ERROR_MESSAGES.BAD_RESPONSE, 'applications is not a list')
      return applications.map(asApplication)
    },
    async getApplication(applicationNo) {
      return asApplication((await call('GET', applicationPath(applicationNo))).application)
    },
    async resubmitApplication(applicationNo, request) {
      return asApplication((await call('PUT', applicationPath(applicationNo), request)).application)
    },
    async getShop(shopId) {
      return asShop((await call('GET', `/api/shops/${encodeURIComponent(shopId)}`)).shop)
    },
    async closeOrder(orderNo) {
      return asOrder(((await call('POST', `${path(orderNo)}/close`, {})) as { order?: unknown }).order)
    },
  }
}
