import { Value } from '@sinclair/typebox/value'
import { OrderWithPaymentSchema } from '../../../src/contract/schemas'
import { wechatPayError } from '../../support/fake-gateway'
import { injectApp, type InjectedApp } from '../../support/inject-app'
import { expectError } from './contract-body'

let t: InjectedApp
let token: string
let seq = 0
const rid = () => `req-orders-${seq++}-0001`
const create = (payload: Record<string, unknown>, as = token) => t.request('POST', '/api/orders', { token: as, payload })

// One app per file (building one compiles every route schema); each test logs in a user of its own.
beforeAll(async () => {
  t = await injectApp({ overrides: { maxOrderFen: 10_000, rateLimitOrdersPerMin: 1000 } })
})
beforeEach(async () => {
  token = await t.login(`o-orders-${seq++}`)
})
afterAll(() => t?.close())
/** Gateway calls about one order's attempts. */
const callsFor = (orderNo: string) => t.gateway.calls.filter((c) => c.id.startsWith(orderNo))

describe('POST /api/orders (inject, fake gateway)', () => {
  test('201 with the contract shape; the order is stored before WeChat Pay is called once', async () => {
    const res = await create({ amount: 100, description: '  一杯咖啡 ', requestId: rid() })
    expect(res.status).toBe(201)
    expect(Value.Check(OrderWithPaymentSchema, res.body)).toBe(true)
    expect(res.body.order).toMatchObject({ amount: 100, description: '一杯咖啡', status: 'unpaid', refundedAmount: 0 })
    expect(callsFor(res.body.order.orderNo)).toEqual([{ method: 'createOrder', id: `${res.body.order.orderNo}_1` }])
  })

  test.each([
    ['zero', { amount: 0 }, 'INVALID_AMOUNT'],
    ['a string', { amount: '100' }, 'INVALID_AMOUNT'],
    ['a fraction', { amount: 1.5 }, 'INVALID_AMOUNT'],
    ['over MAX_ORDER_FEN', { amount: 10_001 }, 'INVALID_AMOUNT'],
    ['no amount', { amount: undefined }, 'INVALID_AMOUNT'],
    ['an empty description', { description: '   ' }, 'INVALID_DESCRIPTION'],
    ['128 characters', { description: '好'.repeat(128) }, 'INVALID_DESCRIPTION'],
    ['an emoji', { description: '咖啡☕️🍰' }, 'INVALID_DESCRIPTION'],
    ['a control character', { description: 'a\u0007b' }, 'INVALID_DESCRIPTION'],
    ['no requestId', { requestId: undefined }, 'BAD_REQUEST'],
    ['a short requestId', { requestId: 'abc' }, 'BAD_REQUEST'],
  ] as const)('%s is refused before anything is stored or sent', async (_name, over, code) => {
    const before = t.gateway.calls.length
    const res = await create({ amount: 100, description: '咖啡', requestId: rid(), ...over })
    expectError(res, code)
    expect(t.gateway.calls).toHaveLength(before)
    expect((await t.request('GET', '/api/orders', { token })).body.orders).toEqual([])
  })

  test('malformed JSON, a wrong content type and a too large body are contract errors', async () => {
    expectError(await t.request('POST', '/api/orders', { token, payload: '{"amount":', headers: { 'content-type': 'application/json' } }), 'BAD_REQUEST')
    expectError(await t.request('POST', '/api/orders', { token, payload: 'amount=1', headers: { 'content-type': 'text/plain' } }), 'BAD_REQUEST')
    expectError(await create({ amount: 100, description: '咖啡', requestId: rid(), pad: 'x'.repeat(20_000) }), 'PAYLOAD_TOO_LARGE')
  })

  test.each([
    ['no token', undefined],
    ['a garbage token', 'abc.def'],
    ['a token signed with another secret', 'eyJ1IjoieCIsImV4cCI6OTk5OTk5OTk5OX0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('%s is 401 UNAUTHENTICATED', async (_name, bad) => {
    expectError(await t.request('POST', '/api/orders', { token: bad, payload: { amount: 100, description: '咖啡', requestId: rid() } }), 'UNAUTHENTICATED')
    expectError(await t.request('GET', '/api/orders', { token: bad }), 'UNAUTHENTICATED')
  })

  test('an expired token is 401', async () => {
    let now = Date.now()
    const timed = await injectApp({ clock: () => now, overrides: { sessionTtlSeconds: 60 } })
    try {
      const old = await timed.login()
      now += 61_000
      expectError(await timed.request('GET', '/api/orders', { token: old }), 'UNAUTHENTICATED')
    } finally {
      await timed.close()
    }
  })

  test('the same requestId is the same order (200, one order call); another body with it is 400', async () => {
    const requestId = rid()
    const a = await create({ amount: 300, description: '同一单', requestId })
    const b = await create({ amount: 300, description: '同一单', requestId })
    expect([a.status, b.status]).toEqual([201, 200])
    expect(b.body.order.orderNo).toBe(a.body.order.orderNo)
    expect(b.body.payment.package).toBe(a.body.payment.package)
    expect(callsFor(a.body.order.orderNo).filter((c) => c.method === 'createOrder')).toHaveLength(1)
    expectError(await create({ amount: 301, description: '同一单', requestId }), 'BAD_REQUEST')
    // Another user with the same requestId gets an order of their own.
    const other = await create({ amount: 300, description: '同一单', requestId }, await t.login('o-other'))
    expect(other.status).toBe(201)
    expect(other.body.order.orderNo).not.toBe(a.body.order.orderNo)
  })

  test('a replay of a paid order answers payment: null', async () => {
    const requestId = rid()
    const a = await create({ amount: 300, description: '已付', requestId })
    t.gateway.pay(`${a.body.order.orderNo}_1`)
    expect((await t.request('GET', `/api/orders/${a.body.order.orderNo}`, { token })).body.order.status).toBe('paid')
    const b = await create({ amount: 300, description: '已付', requestId })
    expect(b.status).toBe(200)
    expect(b.body).toMatchObject({ order: { status: 'paid' }, payment: null })
  })

  test('WeChat Pay unavailable is 502 UPSTREAM_ERROR and the same requestId retries the same attempt', async () => {
    t.gateway.failNext('createOrder', wechatPayError(500, 'SYSTEM_ERROR'))
    const requestId = rid()
    const first = await create({ amount: 100, description: '重试', requestId })
    expectError(first, 'UPSTREAM_ERROR')
    expect(first.body.error.message).toMatch(/SYSTEM_ERROR/)
    const again = await create({ amount: 100, description: '重试', requestId })
    expect(again.status).toBe(200)
    expect(callsFor(again.body.order.orderNo)).toEqual([
      { method: 'createOrder', id: `${again.body.order.orderNo}_1` },
      { method: 'createOrder', id: `${again.body.order.orderNo}_1` },
    ])
  })

  test('WeChat Pay refusing the order is 502 and leaves it failed', async () => {
    t.gateway.failNext('createOrder', wechatPayError(400, 'PARAM_ERROR'))
    expectError(await create({ amount: 100, description: '被拒', requestId: rid() }), 'UPSTREAM_ERROR')
    const [order] = (await t.request('GET', '/api/orders', { token })).body.orders
    expect(order.status).toBe('failed')
  })
})

describe('order routes by number', () => {
  test("another user's order is 404 ORDER_NOT_FOUND, like a missing one; a malformed number is 400", async () => {
    const { body } = await create({ amount: 100, description: '我的', requestId: rid() })
    const stranger = await t.login('o-stranger')
    for (const path of ['', '/payment', '/close']) {
      const method = path ? 'POST' : 'GET'
      expectError(await t.request(method, `/api/orders/${body.order.orderNo}${path}`, { token: stranger }), 'ORDER_NOT_FOUND')
      expectError(await t.request(method, `/api/orders/20250101000000AAAAAAAA${path}`, { token }), 'ORDER_NOT_FOUND')
      expectError(await t.request(method, `/api/orders/not-a-number${path}`, { token }), 'BAD_REQUEST')
    }
  })

  test('list: newest first, the caller\'s only', async () => {
    const a = await create({ amount: 100, description: '一', requestId: rid() })
    const b = await create({ amount: 200, description: '二', requestId: rid() })
    await create({ amount: 300, description: '别人的', requestId: rid() }, await t.login('o-else'))
    const res = await t.request('GET', '/api/orders', { token })
    expect(res.body.orders.map((o: { orderNo: string }) => o.orderNo)).toEqual([b.body.order.orderNo, a.body.order.orderNo])
  })

  test('close is idempotent; a paid order cannot be closed or paid again (409 ORDER_NOT_PAYABLE)', async () => {
    const open = await create({ amount: 100, description: '关单', requestId: rid() })
    const orderNo = open.body.order.orderNo
    expect((await t.request('POST', `/api/orders/${orderNo}/close`, { token })).body.order.status).toBe('closed')
    expect((await t.request('POST', `/api/orders/${orderNo}/close`, { token })).body.order.status).toBe('closed')
    expectError(await t.request('POST', `/api/orders/${orderNo}/payment`, { token }), 'ORDER_NOT_PAYABLE')

    const paid = await create({ amount: 100, description: '已付', requestId: rid() })
    t.gateway.pay(`${paid.body.order.orderNo}_1`)
    expect((await t.request('GET', `/api/orders/${paid.body.order.orderNo}`, { token })).body.order.status).toBe('paid')
    expectError(await t.request('POST', `/api/orders/${paid.body.order.orderNo}/close`, { token }), 'ORDER_NOT_PAYABLE')
    expectError(await t.request('POST', `/api/orders/${paid.body.order.orderNo}/payment`, { token }), 'ORDER_NOT_PAYABLE')
  })

  test('GET of an unpaid order asks WeChat Pay at most once per throttle window', async () => {
    const { body } = await create({ amount: 100, description: '查询', requestId: rid() })
    for (let i = 0; i < 3; i++) await t.request('GET', `/api/orders/${body.order.orderNo}`, { token })
    expect(callsFor(body.order.orderNo).filter((c) => c.method === 'query')).toHaveLength(1)
  })
})

describe('everything else', () => {
  test('unknown routes are 404 NOT_FOUND, wrong methods too, healthz is 200', async () => {
    expectError(await t.request('GET', '/api/nope'), 'NOT_FOUND')
    expectError(await t.request('DELETE', '/api/orders', { token }), 'NOT_FOUND')
    expect(await t.request('GET', '/healthz')).toEqual({ status: 200, body: { ok: true } })
  })
})
