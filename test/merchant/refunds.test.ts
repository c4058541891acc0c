import { call, requestId, setUpFlow, waitFor } from './helpers'

const OPENID = 'o-refund-user-1'
const ADMIN = { 'x-admin-token': 'test-admin-token-0123456789' }
const flow = setUpFlow(OPENID, { emulator: { retryScale: 0.01 }, backend: { overrides: { rateLimitOrdersPerMin: 1000 } } })

async function paidOrder(amount: number) {
  const res = await call(flow.backend, 'POST', '/api/orders', { token: flow.token, payload: { amount, description: '退款测试', requestId: requestId() } })
  expect(await flow.emu.pay(res.body.payment, { appId: flow.merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
  await waitFor(async () => (await flow.backend.app.storage.orders.get(res.body.order.orderNo))?.status === 'paid', 'order paid')
  return res.body.order.orderNo as string
}
/** An admin refund; a fresh requestId unless the payload names one. */
const refund = (orderNo: string, payload: object, headers: Record<string, string> = ADMIN) =>
  call(flow.backend, 'POST', `/api/admin/orders/${orderNo}/refunds`, { payload: { requestId: requestId('refund'), ...payload }, headers })
const order = async (orderNo: string) => (await call(flow.backend, 'GET', `/api/orders/${orderNo}`, { token: flow.token })).body.order

describe('POST /api/admin/orders/:orderNo/refunds', () => {
  test('a partial refund keeps the order paid with refundedAmount; the rest makes it refunded; more is refused', async () => {
    const orderNo = await paidOrder(1000)
    const first = await refund(orderNo, { amount: 300, reason: '少送一件' })
    expect(first.status).toBe(201)
    expect(first.body.refund).toMatchObject({ orderNo, amount: 300, reason: '少送一件', status: expect.stringMatching(/processing|succeeded/) })
    expect(await order(orderNo)).toMatchObject({ status: 'paid', refundedAmount: 300 })

    const over = await refund(orderNo, { amount: 701 })
    expect(over.status).toBe(409)
    expect(over.body.error.code).toBe('REFUND_NOT_ALLOWED')
    expect(over.body.error.message).toMatch(/700/)

    const rest = await refund(orderNo, { amount: 700 })
    expect(rest.status).toBe(201)
    expect(await order(orderNo)).toMatchObject({ status: 'refunded', refundedAmount: 1000 })
    const more = await refund(orderNo, { amount: 1 })
    expect(more.status).toBe(409)
    expect(more.body.error.code).toBe('REFUND_NOT_ALLOWED')

    // WeChat Pay's refund notifications settle both refunds.
    await waitFor(async () => (await flow.backend.app.storage.refunds.listByOrder(orderNo)).every((r) => r.status === 'succeeded'), 'refunds succeeded', 20_000)
    expect(await order(orderNo)).toMatchObject({ status: 'refunded', refundedAmount: 1000 })
  })

  test('the same requestId is the same refund (one out_refund_no), never a second one', async () => {
    const orderNo = await paidOrder(500)
    const rid = requestId('refund')
    const a = await refund(orderNo, { amount: 200, requestId: rid })
    const b = await refund(orderNo, { amount: 200, requestId: rid })
    expect(a.status).toBe(201)
    expect(b.status).toBe(200)
    expect(b.body.refund.refundNo).toBe(a.body.refund.refundNo)
    expect(await flow.backend.app.storage.refunds.listByOrder(orderNo)).toHaveLength(1)
    expect(await order(orderNo)).toMatchObject({ refundedAmount: 200 })
  })

  test('over-refunding in one go is 409 REFUND_NOT_ALLOWED', async () => {
    const orderNo = await paidOrder(100)
    const res = await refund(orderNo, { amount: 101 })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('REFUND_NOT_ALLOWED')
  })

  test('concurrent refunds never add up to more than was paid', async () => {
    const orderNo = await paidOrder(100)
    const results = await Promise.all([1, 2, 3, 4].map(() => refund(orderNo, { amount: 40 })))
    expect(results.filter((r) => r.status === 201)).toHaveLength(2)
    expect(results.filter((r) => r.status === 409)).toHaveLength(2)
    expect((await order(orderNo)).refundedAmount).toBe(80)
  })

  test('an unpaid order cannot be refunded; unknown orders are 404; amounts are validated', async () => {
    const res = await call(flow.backend, 'POST', '/api/orders', { token: flow.token, payload: { amount: 100, description: '未支付', requestId: requestId() } })
    const unpaid = await refund(res.body.order.orderNo, { amount: 1 })
    expect(unpaid.status).toBe(409)
    expect(unpaid.body.error.code).toBe('REFUND_NOT_ALLOWED')
    const unknown = await refund('20250101000000AAAAAAAA', { amount: 1 })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ORDER_NOT_FOUND')
    for (const amount of [0, '50', 1.5]) {
      const bad = await refund(res.body.order.orderNo, { amount })
      expect(bad.status).toBe(400)
      expect(bad.body.error.code).toBe('INVALID_AMOUNT')
    }
  })

  test('a missing or wrong X-Admin-Token is 401 UNAUTHENTICATED; a user bearer token is not enough', async () => {
    const orderNo = await paidOrder(100)
    for (const headers of [{}, { 'x-admin-token': 'wrong' }, { authorization: `Bearer ${flow.token}` }]) {
      const res = await refund(orderNo, { amount: 1 }, headers as Record<string, string>)
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
    expect((await order(orderNo)).refundedAmount).toBe(0)
  })
})
