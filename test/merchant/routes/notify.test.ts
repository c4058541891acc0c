import type { PaymentGateway } from '../../../server/merchant/services/wechatpay-gateway'
import { injectApp, type InjectedApp } from '../../support/inject-app'

let t: InjectedApp
beforeAll(async () => {
  t = await injectApp({ overrides: { rateLimitOrdersPerMin: 1000 } })
})
afterAll(() => t?.close())

const notify = (body = '{}') => t.request('POST', '/api/wechatpay/notify', { payload: body, headers: { 'content-type': 'application/json' } })
type Event = Extract<Awaited<ReturnType<PaymentGateway['parseNotification']>>, { ok: true }>['event']
const event = (over: Partial<Event>): Event => ({ id: 'EV-1', eventType: 'TRANSACTION.SUCCESS', createTime: '', summary: '', serial: 'S', ...over }) as Event

describe('POST /api/wechatpay/notify (inject, fake verification)', () => {
  test('a bad signature is 401 FAIL; a malformed body 400 FAIL; both are logged', async () => {
    t.gateway.nextNotification = { ok: false, reason: 'BAD_SIGNATURE' }
    expect(await notify()).toEqual({ status: 401, body: { code: 'FAIL', message: expect.stringMatching(/BAD_SIGNATURE/) } })
    t.gateway.nextNotification = { ok: false, reason: 'MALFORMED_BODY' }
    expect(await notify()).toEqual({ status: 400, body: { code: 'FAIL', message: expect.stringMatching(/MALFORMED_BODY/) } })
    expect((await t.app.storage.notifications.list(2)).map((n) => n.outcome)).toEqual(['rejected', 'rejected'])
  })

  test('a verified payment pays the order once (204 every time), whatever the body bytes', async () => {
    const token = await t.login('o-notify-routes')
    const res = await t.request('POST', '/api/orders', { token, payload: { amount: 100, description: '通知', requestId: 'req-notify-routes-1' } })
    const outTradeNo = `${res.body.order.orderNo}_1`
    t.gateway.nextNotification = { ok: true, event: event({ kind: 'transaction', transaction: t.gateway.pay(outTradeNo) }) }
    expect((await notify()).status).toBe(204)
    expect((await notify()).status).toBe(204)
    expect((await t.app.storage.orders.get(res.body.order.orderNo))?.status).toBe('paid')
    expect((await t.app.storage.notifications.list(100)).filter((n) => n.outTradeNo === outTradeNo).map((n) => n.outcome)).toEqual(['duplicate', 'applied'])
  })

  test('the transition and its log line commit together: a failure writing the line leaves neither (500), the redelivery applies both', async () => {
    const token = await t.login('o-notify-routes-2')
    const res = await t.request('POST', '/api/orders', { token, payload: { amount: 100, description: '通知', requestId: 'req-notify-routes-2' } })
    const orderNo: string = res.body.order.orderNo
    const outTradeNo = `${orderNo}_1`
    const log = t.app.storage.notifications
    const append = log.append
    log.append = () => Promise.reject(new Error('disk full'))
    try {
      t.gateway.nextNotification = { ok: true, event: event({ id: 'EV-2', kind: 'transaction', transaction: t.gateway.pay(outTradeNo) }) }
      expect((await notify()).status).toBe(500)
    } finally {
      log.append = append
    }
    expect((await t.app.storage.orders.get(orderNo))?.status).toBe('unpaid')
    expect((await t.app.storage.attempts.get(outTradeNo))?.status).toBe('open')
    expect((await log.list(100)).filter((n) => n.outTradeNo === outTradeNo)).toEqual([])
    t.gateway.nextNotification = { ok: true, event: event({ id: 'EV-2', kind: 'transaction', transaction: t.gateway.pay(outTradeNo) }) }
    expect((await notify()).status).toBe(204)
    expect((await t.app.storage.orders.get(orderNo))?.status).toBe('paid')
    expect((await log.list(100)).filter((n) => n.outTradeNo === outTradeNo)).toEqual([expect.objectContaining({ eventId: 'EV-2', eventType: 'TRANSACTION.SUCCESS', outcome: 'applied' })])
  })

  test('an unknown order is answered 204 (a retry would not help) and logged', async () => {
    t.gateway.nextNotification = { ok: true, event: event({ kind: 'refund', refund: { out_trade_no: 'X_1', out_refund_no: 'NOPE', refund_id: '1', transaction_id: '1', refund_status: 'SUCCESS', amount: { total: 1, refund: 1, payer_total: 1, payer_refund: 1 } } }) }
    expect((await notify()).status).toBe(204)
    expect((await t.app.storage.notifications.list(1))[0]).toMatchObject({ outcome: 'unknown_refund' })
  })
})
