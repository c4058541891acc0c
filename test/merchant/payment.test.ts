import { createPublicKey } from 'node:crypto'
import { buildRequestPayment, verifyRequestPayment, WechatPayClient } from '../../server/wechatpay'
import { rfc3339 } from '../../server/wechatpay'
import { backendSuite } from '../support/merchant'
import { call, createOrder, manualClock, waitFor } from './helpers'
import type { Json } from '../support/json'

// The retry schedule is left at its real pace here: a dropped notification stays dropped during a test.
const clock = manualClock()
const OPENID = 'o-payment-user-1'
const suite = backendSuite({ backend: { clock, overrides: { orderExpireMinutes: 600, rateLimitOrdersPerMin: 1000, sessionTtlSeconds: 30 * 86400 } }, login: OPENID })

/** Moves the backend's and the emulator's clocks together (signatures are checked against ±5 min). */
const advance = async (ms: number) => {
  clock.advance(ms)
  await suite.emu.advanceClock(ms)
}
const emulatorOrder = async (outTradeNo: string) => (await fetch(`${suite.emu.url}/__emulator/orders/${outTradeNo}`)).json() as Promise<Record<string, Json>>

const create = (amount = 100) => createOrder(suite.backend, suite.token, { amount, description: '重试测试' })
const renew = (orderNo: string) => call(suite.backend, 'POST', `/api/orders/${orderNo}/payment`, { token: suite.token })
const close = (orderNo: string) => call(suite.backend, 'POST', `/api/orders/${orderNo}/close`, { token: suite.token })
const status = async (orderNo: string) => (await call(suite.backend, 'GET', `/api/orders/${orderNo}`, { token: suite.token })).body.order.status as string
const pay = (payment: object) => suite.emu.pay(payment as never, { appId: suite.merchant.appId, openid: OPENID })
/** An order paid by the user, once the backend has it paid. */
const paidOrder = async () => {
  const { order, payment } = await create()
  expect(await pay(payment)).toBe('requestPayment:ok')
  await waitFor(async () => (await status(order.orderNo)) === 'paid', 'order paid')
  return order
}
const NOT_PAYABLE = [409, 'ORDER_NOT_PAYABLE']

describe('POST /api/orders/:orderNo/payment', () => {
  test('reuses a valid prepay_id with freshly signed parameters', async () => {
    const { order, payment } = await create()
    const res = await renew(order.orderNo)
    expect(res.status).toBe(200)
    expect(res.body.payment.package).toBe(payment.package)
    expect(res.body.payment.nonceStr).not.toBe(payment.nonceStr)
    expect(verifyRequestPayment(suite.merchant.appId, res.body.payment, suite.merchant.privateKey)).toBe(true)
    expect(await pay(res.body.payment)).toBe('requestPayment:ok')
  })

  test('after the prepay_id expired, closes the old attempt and opens a new out_trade_no', async () => {
    const { order, payment } = await create()
    await advance(116 * 60_000)
    const res = await renew(order.orderNo)
    expect(res.status).toBe(200)
    expect(res.body.payment.package).not.toBe(payment.package)
    expect((await emulatorOrder(`${order.orderNo}_1`)).tradeState ?? (await emulatorOrder(`${order.orderNo}_1`)).trade_state).toBe('CLOSED')
    expect(await pay(payment)).not.toBe('requestPayment:ok')
    expect(await pay(res.body.payment)).toBe('requestPayment:ok')
  })

  test('when closing the old attempt finds it paid, the order is paid and it is 409 ORDER_NOT_PAYABLE', async () => {
    const { order, payment } = await create()
    await suite.emu.faults({ notify: { drop: 1 } })
    try {
      expect(await pay(payment)).toBe('requestPayment:ok')
      await advance(116 * 60_000)
      const res = await renew(order.orderNo)
      expect([res.status, res.body.error.code]).toEqual(NOT_PAYABLE)
      expect((await suite.backend.app.orders.find(order.orderNo))?.status).toBe('paid')
    } finally {
      await suite.emu.faults({ notify: { drop: 0 } })
    }
  })

  test('a paid order is 409 ORDER_NOT_PAYABLE', async () => {
    const res = await renew((await paidOrder()).orderNo)
    expect([res.status, res.body.error.code]).toEqual(NOT_PAYABLE)
  })
})

describe('POST /api/orders/:orderNo/close', () => {
  test('closes an unpaid order at WeChat Pay; idempotent; a closed order is not payable', async () => {
    const { order, payment } = await create()
    const res = await close(order.orderNo)
    expect(res.status).toBe(200)
    expect(res.body.order.status).toBe('closed')
    expect(await pay(payment)).not.toBe('requestPayment:ok')
    expect((await close(order.orderNo)).body.order.status).toBe('closed')
    const again = await renew(order.orderNo)
    expect([again.status, again.body.error.code]).toEqual(NOT_PAYABLE)
  })

  test('a paid order cannot be closed (409 ORDER_NOT_PAYABLE)', async () => {
    const res = await close((await paidOrder()).orderNo)
    expect([res.status, res.body.error.code]).toEqual(NOT_PAYABLE)
  })
})

describe('at most one attempt ends paid', () => {
  test('a stray second payment of a paid order is refunded automatically and logged', async () => {
    const { order, payment } = await create(777)
    // A second live attempt (as an older deployment might have left): created at WeChat Pay directly.
    const store = suite.backend.app.storage
    const first = (await store.attempts.get(`${order.orderNo}_1`))!
    const second = { ...first, outTradeNo: `${order.orderNo}_2`, seq: 2, prepayId: null, status: 'creating' as const, timeExpire: rfc3339(clock() + 3600_000) }
    await store.attempts.insert(second)
    const client = new WechatPayClient({
      mchid: suite.merchant.mchid, serialNo: suite.merchant.serialNo, privateKey: suite.merchant.privateKey, apiV3Key: suite.merchant.apiV3Key, baseUrl: suite.emu.url, clock,
      platform: suite.merchant.platform.mode === 'publicKey' ? { mode: 'publicKey', publicKeyId: suite.merchant.platform.serialNo, publicKey: createPublicKey(suite.merchant.platform.publicKeyPem) } : { mode: 'certificate' },
    })
    const { prepay_id } = await client.createJsapiOrder({
      appid: suite.merchant.appId, mchid: suite.merchant.mchid, description: '重试测试', out_trade_no: second.outTradeNo, time_expire: second.timeExpire,
      notify_url: suite.backend.config.notifyUrl, amount: { total: 777, currency: 'CNY' }, payer: { openid: OPENID },
    })
    await store.attempts.update(second.outTradeNo, { prepayId: prepay_id, prepayExpiresAt: clock() + 3600_000, status: 'open' })
    const payment2 = buildRequestPayment({ appId: suite.merchant.appId, prepayId: prepay_id, privateKey: suite.merchant.privateKey, clock })

    // The user pays both; the first one's notification is lost, so the second is applied first.
    await suite.emu.faults({ notify: { drop: 1 } })
    expect(await pay(payment)).toBe('requestPayment:ok')
    expect(await pay(payment2)).toBe('requestPayment:ok')
    // Once paid, the backend closes the other live attempt, finds it paid too, and refunds it.
    const refund = await waitFor(async () => (await store.refunds.listByOrder(order.orderNo)).find((r) => r.kind === 'stray' && r.status !== 'pending'), 'stray refund sent')
    expect(refund).toMatchObject({ outTradeNo: first.outTradeNo, amount: 777 })
    expect((await store.attempts.get(first.outTradeNo))?.status).toBe('stray')
    const final = (await store.orders.get(order.orderNo))!
    expect(final).toMatchObject({ status: 'paid', paidOutTradeNo: second.outTradeNo, refundedAmount: 0 })
    const atWechat = await emulatorOrder(first.outTradeNo)
    expect(atWechat.refunds).toEqual([expect.objectContaining({ out_refund_no: `${first.outTradeNo}_STRAY` })])
  })
})
