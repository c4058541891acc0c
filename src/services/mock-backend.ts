// In-app mock of the merchant backend for development and tests: same interface, same rules and
// error codes, realistic order numbers and payment objects, orders remembered in storage.
// Never part of a production build: only src/services/index.ts requires it, in a branch that
// webpack drops when TARO_APP_API_BASE is set.
import { AppError, ERROR_MESSAGES } from '@/lib/errors'
import { REQUEST_ID_PATTERN } from '@/contract/constants'
import { formatOrderNo } from '@/contract/rules'
import { MAX_ORDER_FEN } from '@/lib/money'
import { randomBytes, randomString, toBase64 } from '@/lib/random'
import { validateDescription } from '@/lib/validation'
import { createMockOnboarding } from './mock-onboarding'
import type { SheetAnswer } from './pay-sheet-store'
import type { Backend, KeyValueStorage, Order, Payment, PayOutcome, ReviewSimulator, Sleep } from './types'

/** Storage key of the mock's orders. Also a marker the production-build check greps for. */
export const MOCK_STORAGE_KEY = 'wxpay.mock-backend.v1'

/** Default simulated network latency. */
export const MOCK_LATENCY_MS = 300

type Method = keyof Backend

export interface MockBackend extends Backend {
  /** What the WeChat client would do for this payment: `success` marks the order paid. */
  completePayment(payment: Payment, answer: SheetAnswer): PayOutcome
  /** Makes the next call of `method` reject with `error` (tests, demos of error states). */
  failNext(method: Method, error: AppError): void
  /** Moves an application along its review (the status page's dev buttons in `npm run dev`; tests). */
  advanceApplication: ReviewSimulator
}

export interface MockBackendOptions {
  storage: KeyValueStorage
  latencyMs?: number
  sleep?: Sleep
  now?: () => number
  maxOrderFen?: number
}

interface MockData {
  orders: Order[]
  /** prepay_id → orderNo */
  prepays: Record<string, string>
  /** requestId → orderNo */
  requests: Record<string, string>
}

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const digits = (n: number): string => randomString(n, '0123456789')
const hex = (n: number): string => randomString(n, '0123456789abcdef')

/** yyyyMMddHHmmss in China time, as WeChat Pay's identifiers use. */
function chinaStamp(ms: number): string {
  const d = new Date(ms + 8 * 3600_000)
  const p = (v: number) => String(v).padStart(2, '0')
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
}

/** Creates the in-app mock backend. */
export function createMockBackend({
  storage,
  latencyMs = MOCK_LATENCY_MS,
  sleep = realSleep,
  now = Date.now,
  maxOrderFen = MAX_ORDER_FEN,
}: MockBackendOptions): MockBackend {
  const failures = new Map<Method, AppError>()

  function load(): MockData {
    try {
      const raw = storage.get(MOCK_STORAGE_KEY)
      if (raw) return JSON.parse(raw) as MockData
    } catch {
      // start over on a corrupt entry
    }
    return { orders: [], prepays: {}, requests: {} }
  }
  const save = (data: MockData) => storage.set(MOCK_STORAGE_KEY, JSON.stringify(data))

  /** Latency, then a scripted failure if one is queued for this method. */
  async function enter(method: string) {
    if (latencyMs > 0) await sleep(latencyMs)
    const failure = failures.get(method as Method)
    if (failure) {
      failures.delete(method as Method)
      throw failure
    }
  }

  function newPayment(data: MockData, orderNo: string): Payment {
    const prepayId = `wx${chinaStamp(now())}${hex(20)}`
    data.prepays[prepayId] = orderNo
    return {
      timeStamp: String(Math.floor(now() / 1000)),
      nonceStr: randomString(32),
      package: `prepay_id=${prepayId}`,
      signType: 'RSA',
      // Shaped like a real SHA256-with-RSA 2048 signature (256 bytes, 344 base64 chars); nothing verifies it.
      paySign: toBase64(randomBytes(256)),
    }
  }

  function find(data: MockData, orderNo: string): Order {
    const order = data.orders.find((o) => o.orderNo === orderNo)
    if (!order) throw new AppError('ORDER_NOT_FOUND', ERROR_MESSAGES.ORDER_NOT_FOUND, orderNo)
    return order
  }

  const onboarding = createMockOnboarding({ storage, now, enter })

  return {
    ...onboarding,

    async createSession() {
      await enter('createSession')
    },

    async createOrder({ amount, description, requestId, shopId }) {
      await enter('createOrder')
      if (shopId !== undefined && !onboarding.hasShop(shopId)) throw new AppError('SHOP_NOT_FOUND', ERROR_MESSAGES.SHOP_NOT_FOUND, shopId)
      if (!Number.isInteger(amount) || amount < 1 || amount > maxOrderFen) {
        throw new AppError('INVALID_AMOUNT', ERROR_MESSAGES.INVALID_AMOUNT, `amount ${amount}`)
      }
      const checked = validateDescription(description)
      if (!checked.ok) throw new AppError('INVALID_DESCRIPTION', checked.message)
      if (!new RegExp(REQUEST_ID_PATTERN).test(requestId)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.BAD_REQUEST, 'requestId')
      const data = load()
      const known = data.requests[requestId]
      if (known) {
        // The backend's replay rules: same body → same order (payment only while unpaid), another body → 400.
        const order = find(data, known)
        if (order.amount !== amount || order.description !== checked.value) {
          throw new AppError('BAD_REQUEST', ERROR_MESSAGES.BAD_REQUEST, 'requestId was already used for a different order')
        }
        const payment = order.status === 'unpaid' ? newPayment(data, order.orderNo) : null
        save(data)
        return { order: { ...order }, payment }
      }
      const order: Order = {
        orderNo: formatOrderNo(now(), (max) => randomBytes(1)[0] % max),
        amount,
        currency: 'CNY',
        description: checked.value,
        status: 'unpaid',
        createdAt: new Date(now()).toISOString(),
        paidAt: null,
        transactionId: null,
        refundedAmount: 0,
        ...(shopId !== undefined ? { shopId } : {}),
      }
      data.orders.push(order)
      data.requests[requestId] = order.orderNo
      const payment = newPayment(data, order.orderNo)
      save(data)
      return { order: { ...order }, payment }
    },

    async getOrder(orderNo) {
      await enter('getOrder')
      return { ...find(load(), orderNo) }
    },

    async listOrders() {
      await enter('listOrders')
      return load().orders.slice().reverse().map((o) => ({ ...o }))
    },

    async renewPayment(orderNo) {
      await enter('renewPayment')
      const data = load()
      const order = find(data, orderNo)
      if (order.status !== 'unpaid') throw new AppError('ORDER_NOT_PAYABLE', ERROR_MESSAGES.ORDER_NOT_PAYABLE, order.status)
      const payment = newPayment(data, orderNo)
      save(data)
      return payment
    },

    async closeOrder(orderNo) {
      await enter('closeOrder')
      const data = load()
      const order = find(data, orderNo)
      if (order.status === 'paid' || order.status === 'refunded') {
        throw new AppError('ORDER_NOT_PAYABLE', ERROR_MESSAGES.ORDER_NOT_PAYABLE, `the order is ${order.status} and cannot be closed`)
      }
      if (order.status === 'unpaid' || order.status === 'failed') order.status = 'closed'
      save(data)
      return { ...order }
    },

    completePayment(payment, answer) {
      if (answer === 'cancel') return 'cancel'
      if (answer === 'fail') return { fail: '模拟的支付失败' }
      const data = load()
      const orderNo = data.prepays[payment.package.replace(/^prepay_id=/, '')]
      if (!orderNo) return { fail: 'prepay_id 无效' }
      const order = find(data, orderNo)
      if (order.status !== 'unpaid') return { fail: '订单已支付或已关闭' }
      order.status = 'paid'
      order.paidAt = new Date(now()).toISOString()
      order.transactionId = `4200${chinaStamp(now()).slice(0, 8)}${digits(16)}`
      save(data)
      return 'ok'
    },

    failNext(method, error) {
      failures.set(method, error)
    },
  }
}
