import { registerMerchant } from '../support/emulator'
import { startBackend } from '../support/merchant'
import { call, createOrder, manualClock, requestId, setUpFlow, waitFor } from './helpers'

const OPENID = 'o-notify-user-1'
const flow = setUpFlow(OPENID, { emulator: { retryScale: 0.01 }, backend: { overrides: { rateLimitOrdersPerMin: 1000 } } })

const create = (amount = 100) => createOrder(flow.backend, flow.token, { amount, description: '通知测试' })
const pay = (payment: object) => flow.emu.pay(payment as never, { appId: flow.merchant.appId, openid: OPENID })
const stored = async (orderNo: string) => (await flow.backend.app.storage.orders.get(orderNo))!
const log = async (outTradeNo: string) => (await flow.backend.app.storage.notifications.list(1000)).filter((n) => n.outTradeNo === outTradeNo)

/** Pays an order and returns the emulator's first successful delivery of its notification. */
async function paidDelivery(orderNo: string, payment: object) {
  expect(await pay(payment)).toBe('requestPayment:ok')
  return waitFor(async () => (await flow.emu.deliveries()).find((d) => d.outTradeNo === `${orderNo}_1` && d.status === 204), 'delivery answered 204')
}
/** Posts raw bytes with the given headers to the listening backend. */
const post = (headers: Record<string, string>, body: string) =>
  fetch(`${flow.backend.url}/api/wechatpay/notify`, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, text: await r.text() }))
const wechatHeaders = (h: Record<string, string | string[] | undefined>) => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (/^wechatpay-|^content-type$/i.test(k) && typeof v === 'string') out[k] = v
  return out
}

describe('POST /api/wechatpay/notify', () => {
  test('the same notification 20 times at once makes exactly one transition', async () => {
    const { order, payment } = await create(2000)
    const delivery = await paidDelivery(order.orderNo, payment)
    const paidAt = (await stored(order.orderNo)).paidAt
    const headers = wechatHeaders(delivery.request.headers as Record<string, string>)
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(headers, delivery.request.body as string)))
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(204))
    const entries = await log(`${order.orderNo}_1`)
    expect(entries.filter((e) => e.outcome === 'applied')).toHaveLength(1)
    expect(entries.filter((e) => e.outcome === 'duplicate').length).toBeGreaterThanOrEqual(20)
    expect(await stored(order.orderNo)).toMatchObject({ status: 'paid', paidAt })
  })

  test('a forged notification (body changed after signing) is 401 FAIL, logged, and changes nothing', async () => {
    const { order, payment } = await create(2100)
    const delivery = await paidDelivery(order.orderNo, payment)
    // Replay it against an order the attacker wants paid: flip one character of the ciphertext.
    const body = (delivery.request.body as string).replace(/"ciphertext":"(.)/, (_m, c: string) => `"ciphertext":"${c === 'A' ? 'B' : 'A'}`)
    const res = await post(wechatHeaders(delivery.request.headers as Record<string, string>), body)
    expect(res.status).toBe(401)
    expect(JSON.parse(res.text)).toEqual({ code: 'FAIL', message: expect.stringMatching(/BAD_SIGNATURE/) })
    expect((await flow.backend.app.storage.notifications.list(5)).some((n) => n.outcome === 'rejected' && /BAD_SIGNATURE/.test(n.detail))).toBe(true)
  })

  test('an unknown serial and missing signature headers are 401 FAIL', async () => {
    const { order, payment } = await create(2200)
    const delivery = await paidDelivery(order.orderNo, payment)
    const headers = wechatHeaders(delivery.request.headers as Record<string, string>)
    const serialKey = Object.keys(headers).find((k) => /^wechatpay-serial$/i.test(k))!
    const unknown = await post({ ...headers, [serialKey]: 'PUB_KEY_ID_0000000000000000000000000000' }, delivery.request.body as string)
    expect(unknown.status).toBe(401)
    expect(JSON.parse(unknown.text).message).toMatch(/UNKNOWN_SERIAL/)
    const unsigned = await post({ 'content-type': 'application/json' }, delivery.request.body as string)
    expect(unsigned.status).toBe(401)
    expect(JSON.parse(unsigned.text).code).toBe('FAIL')
  })

  test('a stale notification (more than 5 minutes off) is 401 FAIL', async () => {
    const { order, payment } = await create(2300)
    const delivery = await paidDelivery(order.orderNo, payment)
    const clock = manualClock()
    const late = await startBackend({ emulator: flow.emu, merchant: flow.merchant, clock })
    try {
      clock.advance(6 * 60_000)
      const res = await fetch(`${late.url}/api/wechatpay/notify`, { method: 'POST', headers: wechatHeaders(delivery.request.headers as Record<string, string>), body: delivery.request.body as string })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { message: string }).message).toMatch(/STALE_TIMESTAMP/)
    } finally {
      await late.close()
    }
  })

  test('an amount that does not match the stored order never marks it paid and is logged', async () => {
    const { order, payment } = await create(2400)
    // The stored order says 2401 fen while WeChat Pay was asked for 2400: a mismatch to refuse.
    await flow.backend.app.storage.orders.update(order.orderNo, { amount: 2401 })
    expect(await pay(payment)).toBe('requestPayment:ok')
    await waitFor(async () => (await log(`${order.orderNo}_1`)).some((n) => n.outcome === 'mismatch'), 'mismatch logged')
    expect((await log(`${order.orderNo}_1`))[0].detail).toMatch(/amount 2400/)
    expect((await stored(order.orderNo)).status).toBe('unpaid')
    // The query path applies the same check.
    const res = await call(flow.backend, 'GET', `/api/orders/${order.orderNo}`, { token: flow.token })
    expect(res.body.order.status).toBe('unpaid')
  })

  test('a non-JSON or empty body is rejected with FAIL, never a 500', async () => {
    for (const [headers, body] of [[{ 'content-type': 'text/plain' }, 'hello'], [{ 'content-type': 'application/json' }, '']] as const) {
      const res = await post(headers, body)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expect(JSON.parse(res.text).code).toBe('FAIL')
    }
  })

  test('a dropped notification still ends paid through the query path (GET /api/orders/:orderNo)', async () => {
    const { order, payment } = await create(2600)
    await flow.emu.faults({ notify: { drop: 1 } })
    try {
      expect(await pay(payment)).toBe('requestPayment:ok')
      const res = await call(flow.backend, 'GET', `/api/orders/${order.orderNo}`, { token: flow.token })
      expect(res.body.order).toMatchObject({ status: 'paid', transactionId: expect.any(String) })
      expect(await log(`${order.orderNo}_1`)).toHaveLength(0)
    } finally {
      await flow.emu.faults({ notify: { drop: 0 } })
    }
  })
})

describe('partner mode', () => {
  test('a service-provider order is created, paid with the sub appid signature and notified', async () => {
    const partner = await registerMerchant(flow.emu, { mode: 'partner' })
    const pb = await startBackend({ emulator: flow.emu, merchant: partner })
    try {
      const t = await pb.loginToken('o-partner-user-1')
      const res = await call(pb, 'POST', '/api/orders', { token: t, payload: { amount: 888, description: '服务商订单', requestId: requestId() } })
      expect(res.status).toBe(201)
      const appId = partner.subAppId ?? partner.appId
      expect(await flow.emu.pay(res.body.payment, { appId, openid: 'o-partner-user-1' })).toBe('requestPayment:ok')
      await waitFor(async () => (await pb.app.storage.orders.get(res.body.order.orderNo))?.status === 'paid', 'partner order paid')
      // Committed a moment before the 204 reaches WeChat Pay.
      await waitFor(async () => (await flow.emu.deliveries()).some((d) => d.outTradeNo === `${res.body.order.orderNo}_1` && d.status === 204), 'the delivery answered 204')
    } finally {
      await pb.close()
    }
  })
})
