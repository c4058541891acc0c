import { verifyRequestPayment } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, requestId, waitFor } from './helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
let backend: BackendHandle
let token: string

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.01 })
  merchant = await registerMerchant(emu)
  backend = await startBackend({ emulator: emu, merchant, overrides: { rateLimitOrdersPerMin: 1000 } })
  token = await backend.loginToken('o-orders-user-1')
})
afterAll(async () => {
  await backend?.close()
  await emu?.close()
})

const create = (payload: object, t = token) => call(backend, 'POST', '/api/orders', { token: t, payload })
const getOrder = (orderNo: string, t = token) => call(backend, 'GET', `/api/orders/${orderNo}`, { token: t })

describe('POST /api/orders', () => {
  test('creates an unpaid order and a signed payment the WeChat client accepts; the notification makes it paid', async () => {
    const res = await create({ amount: 1234, description: '  一杯咖啡  ', requestId: requestId() })
    expect(res.status).toBe(201)
    const { order, payment } = res.body
    expect(order).toEqual({
      orderNo: expect.stringMatching(/^\d{14}[0-9A-Z]{8}$/),
      amount: 1234,
      currency: 'CNY',
      description: '一杯咖啡',
      status: 'unpaid',
      createdAt: expect.any(String),
      paidAt: null,
      transactionId: null,
      refundedAmount: 0,
    })
    expect(payment).toEqual({ timeStamp: expect.stringMatching(/^\d{10}$/), nonceStr: expect.any(String), package: expect.stringMatching(/^prepay_id=/), signType: 'RSA', paySign: expect.any(String) })
    expect(verifyRequestPayment(merchant.appId, payment, merchant.privateKey)).toBe(true)

    expect(await emu.pay(payment, { appId: merchant.appId, openid: 'o-orders-user-1' })).toBe('requestPayment:ok')
    const paid = await waitFor(async () => {
      const r = await getOrder(order.orderNo)
      return r.body.order.status === 'paid' && r.body.order
    }, 'order paid')
    expect(paid.transactionId).toEqual(expect.any(String))
    expect(paid.paidAt).toEqual(expect.any(String))
  })

  test.each([
    ['zero', 0],
    ['negative', -1],
    ['fractional fen', 1.5],
    ['a numeric string', '100'],
    ['over MAX_ORDER_FEN', 5_000_001],
    ['null', null],
  ])('amount %s is 400 INVALID_AMOUNT', async (_n, amount) => {
    const res = await create({ amount, description: 'x', requestId: requestId() })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('INVALID_AMOUNT')
  })

  test('a missing amount is 400 INVALID_AMOUNT', async () => {
    const res = await create({ description: 'x', requestId: requestId() })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('INVALID_AMOUNT')
  })

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['128 characters', '好'.repeat(128)],
    ['a control character', 'tea\u0007'],
    // Issue 11: WeChat Pay refuses 4-byte UTF-8; it used to pass here and leave the order failed with a 502.
    ['an emoji', '咖啡😀'],
    ['a lone surrogate', 'tea\ud800'],
    ['a number', 42],
  ])('description %s is 400 INVALID_DESCRIPTION', async (_n, description) => {
    const res = await create({ amount: 100, description, requestId: requestId() })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('INVALID_DESCRIPTION')
  })

  test('127 characters after trimming is a valid description', async () => {
    const res = await create({ amount: 100, description: ` ${'好'.repeat(127)} `, requestId: requestId() })
    expect(res.status).toBe(201)
  })

  test.each([
    ['missing requestId', { amount: 100, description: 'x' }],
    ['short requestId', { amount: 100, description: 'x', requestId: 'abc' }],
    ['requestId with spaces', { amount: 100, description: 'x', requestId: 'abc def ghi' }],
  ])('%s is 400 BAD_REQUEST', async (_n, payload) => {
    const res = await create(payload)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
  })

  test('malformed JSON, a wrong content type and an oversized body are 4xx with the error body', async () => {
    const bad = await call(backend, 'POST', '/api/orders', { token, payload: '{"amount":', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('BAD_REQUEST')
    const text = await call(backend, 'POST', '/api/orders', { token, payload: 'amount=1', headers: { 'content-type': 'text/plain' } })
    expect([400, 415]).toContain(text.status)
    expect(text.body.error.code).toBe('BAD_REQUEST')
    const big = await create({ amount: 100, description: 'x'.repeat(20_000), requestId: requestId() })
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  test('without a token it is 401 UNAUTHENTICATED', async () => {
    const res = await call(backend, 'POST', '/api/orders', { payload: { amount: 100, description: 'x', requestId: requestId() } })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  test('the same requestId gives the same order (200) with fresh payment parameters; a different body is 400', async () => {
    const rid = requestId()
    const first = await create({ amount: 300, description: '面包', requestId: rid })
    expect(first.status).toBe(201)
    const again = await create({ amount: 300, description: '面包', requestId: rid })
    expect(again.status).toBe(200)
    expect(again.body.order.orderNo).toBe(first.body.order.orderNo)
    expect(again.body.payment.package).toBe(first.body.payment.package)
    expect(again.body.payment.nonceStr).not.toBe(first.body.payment.nonceStr)
    const list = await call(backend, 'GET', '/api/orders', { token })
    expect(list.body.orders.filter((o: { orderNo: string }) => o.orderNo === first.body.order.orderNo)).toHaveLength(1)
    const changed = await create({ amount: 301, description: '面包', requestId: rid })
    expect(changed.status).toBe(400)
    expect(changed.body.error.code).toBe('BAD_REQUEST')
  })

  test('concurrent double submit with one requestId makes one order', async () => {
    const rid = requestId()
    const results = await Promise.all([1, 2, 3].map(() => create({ amount: 400, description: '双击', requestId: rid })))
    expect(new Set(results.map((r) => r.body.order.orderNo)).size).toBe(1)
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201])
  })

  test('the order is stored before WeChat Pay is called: an upstream failure is 502 and the same requestId later succeeds', async () => {
    await emu.faults({ 'POST /v3/pay/transactions/jsapi': { status: 500, times: 3 } })
    const rid = requestId()
    const failed = await create({ amount: 500, description: '上游故障', requestId: rid })
    expect(failed.status).toBe(502)
    expect(failed.body.error.code).toBe('UPSTREAM_ERROR')
    expect(failed.body.error.message).toMatch(/SYSTEM_ERROR|500/)
    const list = await call(backend, 'GET', '/api/orders', { token })
    const stored = list.body.orders.find((o: { description: string }) => o.description === '上游故障')
    expect(stored).toMatchObject({ status: 'unpaid', amount: 500 })
    const retried = await create({ amount: 500, description: '上游故障', requestId: rid })
    expect(retried.status).toBe(200)
    expect(retried.body.order.orderNo).toBe(stored.orderNo)
    expect(await emu.pay(retried.body.payment, { appId: merchant.appId, openid: 'o-orders-user-1' })).toBe('requestPayment:ok')
  })

  test('more than RATE_LIMIT_ORDERS_PER_MIN orders a minute is 429 RATE_LIMITED, per user', async () => {
    const limited = await startBackend({ emulator: emu, merchant, overrides: { rateLimitOrdersPerMin: 2 } })
    try {
      const t1 = await limited.loginToken('o-rate-1')
      const t2 = await limited.loginToken('o-rate-2')
      const make = (t: string) => call(limited, 'POST', '/api/orders', { token: t, payload: { amount: 100, description: 'x', requestId: requestId() } })
      expect((await make(t1)).status).toBe(201)
      expect((await make(t1)).status).toBe(201)
      const third = await make(t1)
      expect(third.status).toBe(429)
      expect(third.body.error.code).toBe('RATE_LIMITED')
      expect((await make(t2)).status).toBe(201)
    } finally {
      await limited.close()
    }
  })
})

describe('GET /api/orders', () => {
  test('lists the caller’s orders only, newest first; another user’s order is 404 ORDER_NOT_FOUND', async () => {
    const other = await backend.loginToken('o-orders-user-2')
    const a = await create({ amount: 101, description: 'first', requestId: requestId() }, other)
    const b = await create({ amount: 102, description: 'second', requestId: requestId() }, other)
    const list = await call(backend, 'GET', '/api/orders', { token: other })
    expect(list.status).toBe(200)
    expect(list.body.orders.map((o: { orderNo: string }) => o.orderNo)).toEqual([b.body.order.orderNo, a.body.order.orderNo])
    const mine = await call(backend, 'GET', '/api/orders', { token })
    expect(mine.body.orders.some((o: { orderNo: string }) => o.orderNo === a.body.order.orderNo)).toBe(false)
    const stranger = await getOrder(a.body.order.orderNo)
    expect(stranger.status).toBe(404)
    expect(stranger.body.error.code).toBe('ORDER_NOT_FOUND')
    for (const url of [`/api/orders/${a.body.order.orderNo}/payment`, `/api/orders/${a.body.order.orderNo}/close`]) {
      const res = await call(backend, 'POST', url, { token })
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('ORDER_NOT_FOUND')
    }
  })

  test('an unknown or malformed order number is 404 / 400', async () => {
    const unknown = await getOrder('20250101000000AAAAAAAA')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ORDER_NOT_FOUND')
    const malformed = await getOrder('../etc')
    expect([400, 404]).toContain(malformed.status)
    expect(malformed.body.error.code).toMatch(/BAD_REQUEST|NOT_FOUND/)
  })

  test('unknown routes get the error body too', async () => {
    const res = await call(backend, 'GET', '/api/nothing-here', { token })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
  })

  test('healthz answers ok', async () => {
    expect((await call(backend, 'GET', '/healthz')).body).toEqual({ ok: true })
  })

  test('CORS: a loopback origin is allowed, another origin is not', async () => {
    const ok = await call(backend, 'OPTIONS', '/api/orders', { headers: { origin: 'http://127.0.0.1:10086', 'access-control-request-method': 'POST' } })
    expect(ok.headers['access-control-allow-origin']).toBe('http://127.0.0.1:10086')
    const evil = await call(backend, 'OPTIONS', '/api/orders', { headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } })
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()
  })
})
