// The contract test (issue 10): one table of scenarios run through the app's `Backend` interface
// against the in-app mock backend AND the real backend (with the emulator over real HTTP). Both
// must give the same answers: statuses, error codes, shapes, replay rules, order-number format.
import { createHttpBackend } from '../../src/services/http-backend'
import { createMockBackend, type MockBackend } from '../../src/services/mock-backend'
import { createMemoryStorage, type Backend, type HttpRequest, type Order, type Payment } from '../../src/services/types'
import { registerMerchant, startEmulator, type EmulatorHandle } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'

/** A backend under test plus what the WeChat client would do with a payment. */
interface Subject {
  backend: Backend
  pay(payment: Payment): Promise<void>
}

const ORDER_NO = /^\d{14}[0-9A-HJ-NP-Z]{8}$/

let emulator: EmulatorHandle
let real: BackendHandle
let appId: string
const fetchRequest: HttpRequest = async ({ url, method, data, header }) => {
  const res = await fetch(url, { method, headers: header, body: data === undefined ? undefined : JSON.stringify(data) })
  const text = await res.text()
  return { statusCode: res.status, data: text ? JSON.parse(text) : null }
}

beforeAll(async () => {
  emulator = await startEmulator()
  const merchant = await registerMerchant(emulator)
  real = await startBackend({ emulator, merchant })
  appId = real.config.miniProgramAppId
})
afterAll(async () => {
  await real?.close()
  await emulator?.close()
})

const subjects: Array<[string, () => Subject]> = [
  ['mock backend', () => {
    const backend: MockBackend = createMockBackend({ storage: createMemoryStorage(), latencyMs: 0 })
    return {
      backend,
      async pay(payment) {
        expect(backend.completePayment(payment, 'success')).toBe('ok')
      },
    }
  }],
  ['real backend + emulator', () => {
    const openid = `o_contract_${Math.random().toString(36).slice(2, 10)}`
    const backend = createHttpBackend({
      baseUrl: real.url, request: fetchRequest, login: () => emulator.login(appId, openid), storage: createMemoryStorage(),
      upload: async () => { throw new Error('the payment contract cases upload nothing') },
    })
    return {
      backend,
      async pay(payment) {
        expect(await emulator.pay(payment, { appId, outcome: 'success' })).toBe('requestPayment:ok')
      },
    }
  }],
]

let seq = 0
const requestId = () => `contract-${Date.now().toString(36)}-${++seq}`
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code)
const shape = (o: Order) => ({ currency: o.currency, status: o.status, amount: o.amount, refundedAmount: o.refundedAmount, paid: o.paidAt !== null, hasTransaction: o.transactionId !== null })

describe.each(subjects)('contract: %s', (_name, make) => {
  let s: Subject
  beforeEach(() => {
    s = make()
  })

  test('create: an unpaid order in the contract shape, with the requestPayment object', async () => {
    const { order, payment } = await s.backend.createOrder({ amount: 1230, description: ' 拿铁 ', requestId: requestId() })
    expect(order.orderNo).toMatch(ORDER_NO)
    expect(order.description).toBe('拿铁')
    expect(shape(order)).toEqual({ currency: 'CNY', status: 'unpaid', amount: 1230, refundedAmount: 0, paid: false, hasTransaction: false })
    expect(Object.keys(payment ?? {}).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp'])
    expect(payment).toMatchObject({ signType: 'RSA', package: expect.stringMatching(/^prepay_id=wx/), timeStamp: expect.stringMatching(/^\d{10}$/) })
  })

  test('replay: the same requestId gives the same order; another body is BAD_REQUEST', async () => {
    const id = requestId()
    const first = await s.backend.createOrder({ amount: 100, description: '咖啡', requestId: id })
    const again = await s.backend.createOrder({ amount: 100, description: '咖啡', requestId: id })
    expect(again.order.orderNo).toBe(first.order.orderNo)
    expect(again.payment).not.toBeNull()
    expect(await codeOf(s.backend.createOrder({ amount: 101, description: '咖啡', requestId: id }))).toBe('BAD_REQUEST')
    expect(await codeOf(s.backend.createOrder({ amount: 100, description: '茶', requestId: id }))).toBe('BAD_REQUEST')
  })

  test('pay: paid, then a replay answers payment null, a new payment and a close are ORDER_NOT_PAYABLE', async () => {
    const id = requestId()
    const { order, payment } = await s.backend.createOrder({ amount: 250, description: '蛋糕', requestId: id })
    await s.pay(payment as Payment)
    const paid = await s.backend.getOrder(order.orderNo)
    expect(shape(paid)).toEqual({ currency: 'CNY', status: 'paid', amount: 250, refundedAmount: 0, paid: true, hasTransaction: true })
    const replay = await s.backend.createOrder({ amount: 250, description: '蛋糕', requestId: id })
    expect(replay.payment).toBeNull()
    expect(replay.order).toMatchObject({ orderNo: order.orderNo, status: 'paid' })
    expect(await codeOf(s.backend.renewPayment(order.orderNo))).toBe('ORDER_NOT_PAYABLE')
    expect(await codeOf(s.backend.closeOrder(order.orderNo))).toBe('ORDER_NOT_PAYABLE')
  })

  test('close: an unpaid order closes (twice is fine) and can no longer be paid', async () => {
    const { order } = await s.backend.createOrder({ amount: 300, description: '面包', requestId: requestId() })
    expect((await s.backend.closeOrder(order.orderNo)).status).toBe('closed')
    expect((await s.backend.closeOrder(order.orderNo)).status).toBe('closed')
    expect(await codeOf(s.backend.renewPayment(order.orderNo))).toBe('ORDER_NOT_PAYABLE')
  })

  test('list: the caller\'s orders, newest first', async () => {
    const a = await s.backend.createOrder({ amount: 1, description: '第一', requestId: requestId() })
    const b = await s.backend.createOrder({ amount: 2, description: '第二', requestId: requestId() })
    const list = await s.backend.listOrders()
    expect(list.map((o) => o.orderNo)).toEqual([b.order.orderNo, a.order.orderNo])
  })

  test.each([
    ['amount 0', 'INVALID_AMOUNT', { amount: 0, description: 'x' }],
    ['a fractional amount', 'INVALID_AMOUNT', { amount: 1.5, description: 'x' }],
    ['an amount over the maximum', 'INVALID_AMOUNT', { amount: 5_000_001, description: 'x' }],
    ['an empty description', 'INVALID_DESCRIPTION', { amount: 1, description: '  ' }],
    ['a description with an emoji', 'INVALID_DESCRIPTION', { amount: 1, description: '咖啡😀' }],
    ['a description of 128 characters', 'INVALID_DESCRIPTION', { amount: 1, description: '好'.repeat(128) }],
  ])('errors: %s → %s', async (_n, code, body) => {
    expect(await codeOf(s.backend.createOrder({ ...body, requestId: requestId() }))).toBe(code)
  })

  test('errors: a malformed requestId is BAD_REQUEST; an unknown order is ORDER_NOT_FOUND', async () => {
    expect(await codeOf(s.backend.createOrder({ amount: 1, description: 'x', requestId: 'short' }))).toBe('BAD_REQUEST')
    expect(await codeOf(s.backend.getOrder('20260101000000ABCDEFGH'))).toBe('ORDER_NOT_FOUND')
    expect(await codeOf(s.backend.renewPayment('20260101000000ABCDEFGH'))).toBe('ORDER_NOT_FOUND')
  })
})
