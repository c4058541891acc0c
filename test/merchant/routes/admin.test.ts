import { Value } from '@sinclair/typebox/value'
import { OrderSchema, RefundSchema } from '../../../src/contract/schemas'
import { wechatPayError } from '../../support/fake-gateway'
import { ADMIN_TOKEN, injectApp, type InjectedApp } from '../../support/inject-app'
import { expectError } from './contract-body'

let t: InjectedApp
let token: string
let seq = 0
const rid = (p = 'req') => `${p}-admin-${seq++}-0001`
const ADMIN = { 'x-admin-token': ADMIN_TOKEN }

beforeAll(async () => {
  t = await injectApp({ overrides: { rateLimitOrdersPerMin: 1000 } })
  token = await t.login('o-admin-routes')
})
afterAll(() => t?.close())

/** An order the fake WeChat Pay has paid, synced through GET. */
async function paidOrder(amount: number): Promise<string> {
  const res = await t.request('POST', '/api/orders', { token, payload: { amount, description: '退款', requestId: rid() } })
  t.gateway.pay(`${res.body.order.orderNo}_1`)
  expect((await t.request('GET', `/api/orders/${res.body.order.orderNo}`, { token })).body.order.status).toBe('paid')
  return res.body.order.orderNo
}
const refund = (orderNo: string, payload: unknown, headers: Record<string, string> = ADMIN) =>
  t.request('POST', `/api/admin/orders/${orderNo}/refunds`, { payload, headers })

describe('POST /api/admin/orders/:orderNo/refunds (inject, fake gateway)', () => {
  test('201 { refund, order } in the contract shape; the same requestId is 200 and the same out_refund_no', async () => {
    const orderNo = await paidOrder(500)
    const requestId = rid('refund')
    const a = await refund(orderNo, { amount: 200, reason: '少送一件', requestId })
    expect(a.status).toBe(201)
    expect(Value.Check(RefundSchema, a.body.refund) && Value.Check(OrderSchema, a.body.order)).toBe(true)
    expect(a.body).toMatchObject({ refund: { orderNo, amount: 200, reason: '少送一件', status: 'processing' }, order: { status: 'paid', refundedAmount: 200 } })
    const b = await refund(orderNo, { amount: 200, reason: '少送一件', requestId })
    expect(b.status).toBe(200)
    expect(b.body.refund.refundNo).toBe(a.body.refund.refundNo)
    expect(t.gateway.refunds.size).toBe(1)
    expectError(await refund(orderNo, { amount: 201, requestId }), 'BAD_REQUEST')
  })

  test.each([
    ['no token', {}],
    ['a wrong token', { 'x-admin-token': 'wrong-token-0123456789' }],
    ['a user bearer token', { authorization: 'Bearer x.y' }],
  ])('%s is 401 UNAUTHENTICATED and refunds nothing', async (_name, headers) => {
    const orderNo = await paidOrder(100)
    expectError(await refund(orderNo, { amount: 1, requestId: rid() }, headers as Record<string, string>), 'UNAUTHENTICATED')
    expect([...t.gateway.refunds.values()].filter((r) => r.out_refund_no.startsWith(orderNo))).toEqual([])
  })

  test.each([
    ['zero', { amount: 0 }, 'INVALID_AMOUNT'],
    ['a string amount', { amount: '50' }, 'INVALID_AMOUNT'],
    ['a fraction', { amount: 1.5 }, 'INVALID_AMOUNT'],
    ['more than paid', { amount: 101 }, 'REFUND_NOT_ALLOWED'],
    ['no requestId', { amount: 1, requestId: undefined }, 'BAD_REQUEST'],
    ['an 81-character reason', { amount: 1, reason: '好'.repeat(81) }, 'BAD_REQUEST'],
    ['a bad requestId', { amount: 1, requestId: 'x' }, 'BAD_REQUEST'],
  ] as const)('%s is refused', async (_name, body, code) => {
    const orderNo = await paidOrder(100)
    expectError(await refund(orderNo, { requestId: rid(), ...body }), code)
  })

  test('an unpaid order is 409 REFUND_NOT_ALLOWED; an unknown one 404; a malformed number 400', async () => {
    const res = await t.request('POST', '/api/orders', { token, payload: { amount: 100, description: '未付', requestId: rid() } })
    expectError(await refund(res.body.order.orderNo, { amount: 1, requestId: rid() }), 'REFUND_NOT_ALLOWED')
    expectError(await refund('20250101000000AAAAAAAA', { amount: 1, requestId: rid() }), 'ORDER_NOT_FOUND')
    expectError(await refund('bad', { amount: 1, requestId: rid() }), 'BAD_REQUEST')
  })

  test.each([
    ['503', wechatPayError(503, 'SERVICE_UNAVAILABLE')],
    ['429 (acceptance uncertain)', wechatPayError(429, 'FREQUENCY_LIMITED')],
    ['a lost connection', wechatPayError(0, 'NETWORK_ERROR')],
    ['an unverifiable 200', wechatPayError(200, 'RESPONSE_SIGNATURE_INVALID')],
  ])('%s leaves the refund pending with its amount reserved (201), never failed', async (_name, error) => {
    const orderNo = await paidOrder(100)
    t.gateway.failNext('refund', error)
    const res = await refund(orderNo, { amount: 60, requestId: rid() })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ refund: { status: 'pending', settledAt: null }, order: { refundedAmount: 0 } })
    expectError(await refund(orderNo, { amount: 41, requestId: rid() }), 'REFUND_NOT_ALLOWED')
  })

  test('a definite refusal (4xx with a WeChat Pay code) is 502 and frees the amount', async () => {
    const orderNo = await paidOrder(100)
    t.gateway.failNext('refund', wechatPayError(403, 'NOT_ENOUGH'))
    const res = await refund(orderNo, { amount: 100, requestId: rid() })
    expectError(res, 'UPSTREAM_ERROR')
    expect(res.body.error.message).toMatch(/NOT_ENOUGH/)
    expect((await refund(orderNo, { amount: 100, requestId: rid() })).status).toBe(201)
  })
})
