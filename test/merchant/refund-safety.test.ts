/**
 * Issue 11, refunds whose outcome is unknown, through the real emulator: a refund is `failed` only
 * on a definite refusal; any doubt leaves it `pending` with its amount reserved, and the reconciler
 * learns the outcome by query (resending the same out_refund_no when WeChat Pay has no record).
 */
import { registerMerchant } from '../support/emulator'
import { startBackend } from '../support/merchant'
import { call, requestId, setUpFlow, waitFor } from './helpers'

const OPENID = 'o-refund-safety-user'
const ADMIN = { 'x-admin-token': 'test-admin-token-0123456789' }
const REFUND_ROUTE = 'POST /v3/refund/domestic/refunds'

const flow = setUpFlow(OPENID, { emulator: { retryScale: 0.01 }, backend: { overrides: { rateLimitOrdersPerMin: 1000 } } })
afterEach(() => flow.emu.faults({ reset: true }))

async function paidOrder(amount: number) {
  const res = await call(flow.backend, 'POST', '/api/orders', { token: flow.token, payload: { amount, description: '退款安全', requestId: requestId() } })
  expect(await flow.emu.pay(res.body.payment, { appId: flow.merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
  await waitFor(async () => (await flow.backend.app.storage.orders.get(res.body.order.orderNo))?.status === 'paid', 'order paid')
  return res.body.order.orderNo as string
}
const refund = (orderNo: string, amount: number, rid = requestId('refund')) =>
  call(flow.backend, 'POST', `/api/admin/orders/${orderNo}/refunds`, { payload: { amount, requestId: rid }, headers: ADMIN })
const atWechatPay = async (orderNo: string) =>
  ((await (await fetch(`${flow.emu.url}/__emulator/orders/${orderNo}_1`)).json()) as { refunds: Array<{ out_refund_no: string; status: string }> }).refunds
const stored = async (orderNo: string) => (await flow.backend.app.storage.orders.get(orderNo))!

describe('a refund whose answer never arrives or cannot be trusted', () => {
  test('lose: pending with the amount reserved; after reconciliation exactly one refund at WeChat Pay and refundedAmount set', async () => {
    const orderNo = await paidOrder(500)
    // The refund takes effect at WeChat Pay, then the connection drops; its notification is lost too.
    await flow.emu.faults({ [REFUND_ROUTE]: { lose: true }, notify: { drop: 1 } })
    const res = await refund(orderNo, 300)
    expect(res.status).toBe(201)
    expect(res.body.refund).toMatchObject({ amount: 300, status: 'pending', settledAt: null })
    expect(res.body.order.refundedAmount).toBe(0)
    // Reserved: the rest of the order is all another refund may take.
    const over = await refund(orderNo, 201)
    expect([over.status, over.body.error.code]).toEqual([409, 'REFUND_NOT_ALLOWED'])

    const pass = await flow.backend.app.reconciler.runOnce()
    expect(pass.refunds).toBe(1)
    expect(await atWechatPay(orderNo)).toHaveLength(1)
    expect((await stored(orderNo)).refundedAmount).toBe(300)
    expect((await flow.backend.app.storage.refunds.get(res.body.refund.refundNo))?.status).toMatch(/processing|succeeded/)
  })

  test('answer "stale": the refund WeChat Pay accepted is not failed; the query settles it', async () => {
    const orderNo = await paidOrder(400)
    await flow.emu.faults({ [REFUND_ROUTE]: { answer: 'stale' }, notify: { drop: 1 } })
    const res = await refund(orderNo, 400)
    expect(res.status).toBe(201)
    expect(res.body.refund.status).toBe('pending')
    await flow.backend.app.reconciler.runOnce()
    expect(await stored(orderNo)).toMatchObject({ status: 'refunded', refundedAmount: 400 })
    expect(await atWechatPay(orderNo)).toHaveLength(1)
  })

  test('a 503 before WeChat Pay served it: pending; the query finds nothing and the same out_refund_no is resent once', async () => {
    const orderNo = await paidOrder(300)
    await flow.emu.faults({ [REFUND_ROUTE]: { status: 503 } })
    const rid = requestId('refund')
    const res = await refund(orderNo, 100, rid)
    expect(res.body.refund.status).toBe('pending')
    expect(await atWechatPay(orderNo)).toHaveLength(0)
    // The admin repeating the same request settles it the same way (query, then resend).
    const again = await refund(orderNo, 100, rid)
    expect(again.status).toBe(200)
    expect(again.body.refund).toMatchObject({ refundNo: res.body.refund.refundNo, status: expect.stringMatching(/processing|succeeded/) })
    expect((await atWechatPay(orderNo)).map((r) => r.out_refund_no)).toEqual([res.body.refund.refundNo])
    await flow.backend.app.reconciler.runOnce()
    expect(await atWechatPay(orderNo)).toHaveLength(1)
  })

  test('a second refund while the first is pending can never exceed what was paid (409 REFUND_NOT_ALLOWED)', async () => {
    const orderNo = await paidOrder(100)
    await flow.emu.faults({ [REFUND_ROUTE]: { status: 500 } })
    expect((await refund(orderNo, 70)).body.refund.status).toBe('pending')
    const second = await refund(orderNo, 31)
    expect([second.status, second.body.error.code]).toEqual([409, 'REFUND_NOT_ALLOWED'])
    expect((await refund(orderNo, 30)).status).toBe(201)
    await flow.backend.app.reconciler.runOnce()
    expect(await stored(orderNo)).toMatchObject({ status: 'refunded', refundedAmount: 100 })
    expect((await atWechatPay(orderNo)).length).toBe(2)
  })

  test('a definite refusal (403 NOT_ENOUGH) is failed and frees the amount', async () => {
    const orderNo = await paidOrder(100)
    await flow.emu.faults({ [REFUND_ROUTE]: { code: 'NOT_ENOUGH' } })
    const res = await refund(orderNo, 100)
    expect([res.status, res.body.error.code]).toEqual([502, 'UPSTREAM_ERROR'])
    expect(await flow.backend.app.storage.refunds.listByOrder(orderNo)).toEqual([expect.objectContaining({ status: 'failed' })])
    expect((await refund(orderNo, 100)).status).toBe(201)
  })
})

describe('refunds that do not simply succeed', () => {
  test('ABNORMAL: its own status, the amount stays reserved and the admin answer shows it', async () => {
    const orderNo = await paidOrder(200)
    await flow.emu.faults({ refund: { abnormal: 1 } })
    const rid = requestId('refund')
    const res = await refund(orderNo, 150, rid)
    expect(res.status).toBe(201)
    await waitFor(async () => (await flow.backend.app.storage.refunds.get(res.body.refund.refundNo))?.status === 'abnormal', 'REFUND.ABNORMAL applied')
    const replay = await refund(orderNo, 150, rid)
    expect(replay.body.refund).toMatchObject({ status: 'abnormal', settledAt: null })
    expect(replay.body.order.refundedAmount).toBe(0)
    const over = await refund(orderNo, 51)
    expect([over.status, over.body.error.code]).toEqual([409, 'REFUND_NOT_ALLOWED'])
    const log = (await flow.backend.app.storage.notifications.list(50)).find((n) => n.eventType === 'REFUND.ABNORMAL')
    expect(log).toMatchObject({ outcome: 'applied' })
  })

  test('CLOSED: the refund is closed and its amount may be refunded again', async () => {
    const orderNo = await paidOrder(200)
    await flow.emu.faults({ refund: { closed: 1 } })
    const res = await refund(orderNo, 200)
    await waitFor(async () => (await flow.backend.app.storage.refunds.get(res.body.refund.refundNo))?.status === 'closed', 'REFUND.CLOSED applied')
    expect(await stored(orderNo)).toMatchObject({ status: 'paid', refundedAmount: 0 })
    expect((await refund(orderNo, 200)).status).toBe(201)
  })
})

describe('partner mode', () => {
  test('a refund notice naming sp_mchid and sub_mchid passes the check and settles the refund', async () => {
    const partner = await registerMerchant(flow.emu, { mode: 'partner' })
    const pb = await startBackend({ emulator: flow.emu, merchant: partner })
    try {
      const openid = 'o-partner-refund'
      const t = await pb.loginToken(openid)
      const created = await call(pb, 'POST', '/api/orders', { token: t, payload: { amount: 300, description: '服务商退款', requestId: requestId() } })
      expect(await flow.emu.pay(created.body.payment, { appId: partner.subAppId ?? partner.appId, openid })).toBe('requestPayment:ok')
      const orderNo: string = created.body.order.orderNo
      await waitFor(async () => (await pb.app.storage.orders.get(orderNo))?.status === 'paid', 'partner order paid')
      const res = await call(pb, 'POST', `/api/admin/orders/${orderNo}/refunds`, { payload: { amount: 300, requestId: requestId('refund') }, headers: ADMIN })
      expect(res.status).toBe(201)
      await waitFor(async () => (await pb.app.storage.refunds.get(res.body.refund.refundNo))?.status === 'succeeded', 'REFUND.SUCCESS applied')
      expect((await pb.app.storage.notifications.list(20)).find((n) => n.eventType === 'REFUND.SUCCESS')).toMatchObject({ outcome: 'applied' })
      expect(await pb.app.storage.orders.get(orderNo)).toMatchObject({ status: 'refunded', refundedAmount: 300 })
    } finally {
      await pb.close()
    }
  })
})
