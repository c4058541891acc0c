/**
 * The effects a paid attempt leaves and the notices that settle refunds (issues 10 and 11): a stray
 * payment's refund refused once (NOT_ENOUGH) is retried every minute and logged at error level until
 * it succeeds; a sibling attempt that cannot be closed is logged; refund notices are checked against
 * the stored refund. Fake gateway, emulated clock and the service's idle(): no sleeps.
 */
import { Writable } from 'node:stream'
import type { RefundNotice } from '../../server/wechatpay'
import { createFakeGateway, FAKE_MCHID, wechatPayError } from '../support/fake-gateway'
import { injectApp, type InjectedApp } from '../support/inject-app'
import { manualClock } from './helpers'

const lines: Array<{ level: number; msg: string; outRefundNo?: string }> = []
const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) })
const ERROR = 50
const clock = manualClock()
let seq = 0
let t: InjectedApp

beforeAll(async () => {
  t = await injectApp({ clock, gateway: createFakeGateway(), logger: { level: 'info', stream: sink } })
})
afterAll(() => t?.close())

/** An unpaid order with two live attempts (as an older deployment might leave). */
async function paidTwiceOpen(openid: string) {
  const token = await t.login(openid)
  const res = await t.request('POST', '/api/orders', { token, payload: { amount: 250, description: '重复支付', requestId: `req-${openid}-0001` } })
  const orderNo: string = res.body.order.orderNo
  const first = (await t.app.storage.attempts.get(`${orderNo}_1`))!
  await t.app.storage.attempts.insert({ ...first, outTradeNo: `${orderNo}_2`, seq: 2 })
  await t.gateway.createOrder({ outTradeNo: `${orderNo}_2`, description: '重复支付', amount: 250, openid, timeExpire: first.timeExpire })
  return { orderNo, stray: `${orderNo}_2` }
}

/** An order paid twice: attempt 1 pays it, attempt 2 (left open) is paid too and becomes stray. */
async function paidTwice(openid: string) {
  const order = await paidTwiceOpen(openid)
  await t.app.orders.applyTransaction(t.gateway.pay(`${order.orderNo}_1`), 'notification')
  return order
}

test('a stray refund refused with NOT_ENOUGH is failed, logged at error, and retried every minute until it succeeds', async () => {
  const { orderNo, stray } = await paidTwice('o-stray-1')
  t.gateway.failNext('refund', wechatPayError(403, 'NOT_ENOUGH'))
  t.gateway.failNext('refund', wechatPayError(403, 'NOT_ENOUGH'))
  await t.app.orders.applyTransaction(t.gateway.pay(stray), 'notification')
  await t.app.orders.idle()
  const outRefundNo = `${stray}_STRAY`
  expect(await t.app.storage.refunds.get(outRefundNo)).toMatchObject({ kind: 'stray', status: 'failed', amount: 250 })
  const errors = () => lines.filter((l) => l.level >= ERROR && l.outRefundNo === outRefundNo)
  expect(errors()).toHaveLength(1)

  // Within the minute the reconciler leaves it; after it, it resends the same out_refund_no.
  await t.app.reconciler.runOnce()
  expect(t.gateway.calls.filter((c) => c.method === 'refund' && c.id === outRefundNo)).toHaveLength(1)
  clock.advance(61_000)
  await t.app.reconciler.runOnce()
  expect((await t.app.storage.refunds.get(outRefundNo))?.status).toBe('failed')
  expect(errors()).toHaveLength(2)
  clock.advance(61_000)
  const pass = await t.app.reconciler.runOnce()
  expect(pass.refunds).toBe(1)
  expect((await t.app.storage.refunds.get(outRefundNo))?.status).toBe('processing')
  expect(t.gateway.calls.filter((c) => c.method === 'refund' && c.id === outRefundNo)).toHaveLength(3)
  expect(t.gateway.refunds.size).toBe(1)
  // The order keeps the first payment: a stray refund is not the order's refund.
  expect(await t.app.storage.orders.get(orderNo)).toMatchObject({ status: 'paid', refundedAmount: 0, paidOutTradeNo: `${orderNo}_1` })
})

describe('refund notifications are checked against the stored refund', () => {
  const notice = (refundNo: string, outTradeNo: string, over: Partial<RefundNotice> = {}): RefundNotice => ({
    mchid: FAKE_MCHID, out_trade_no: outTradeNo, transaction_id: '4200', out_refund_no: refundNo, refund_id: '5001', refund_status: 'SUCCESS',
    amount: { total: 250, refund: 100, payer_total: 250, payer_refund: 100 }, ...over,
  })

  test.each([
    ['another merchant', { mchid: '1900000999' }, /mchid/],
    ['another out_trade_no', { out_trade_no: 'X_1' }, /out_trade_no/],
    ['another refund amount', { amount: { total: 250, refund: 250, payer_total: 250, payer_refund: 250 } }, /amount.refund/],
    ['another total', { amount: { total: 999, refund: 100, payer_total: 999, payer_refund: 100 } }, /amount.total/],
  ])('%s is a mismatch: logged at error, nothing changes', async (_name, over, detail) => {
    const { orderNo } = await paidTwice(`o-notice-${seq++}`)
    const res = await t.request('POST', `/api/admin/orders/${orderNo}/refunds`, { payload: { amount: 100, requestId: `rf-${orderNo}` }, headers: { 'x-admin-token': t.config.adminToken } })
    const refundNo: string = res.body.refund.refundNo
    const result = await t.app.orders.applyRefundNotice(notice(refundNo, `${orderNo}_1`, over as Partial<RefundNotice>))
    expect(result).toEqual({ outcome: 'mismatch', detail: expect.stringMatching(detail) })
    expect((await t.app.storage.refunds.get(refundNo))?.status).toBe('processing')
    expect(lines.some((l) => l.level >= ERROR && /does not match the stored refund/.test(l.msg))).toBe(true)
    // The genuine notice settles it.
    expect((await t.app.orders.applyRefundNotice(notice(refundNo, `${orderNo}_1`))).outcome).toBe('applied')
    expect((await t.app.storage.refunds.get(refundNo))?.status).toBe('succeeded')
  })
})

test('a sibling attempt that cannot be closed once another paid the order is logged, not dropped', async () => {
  const { orderNo, stray } = await paidTwiceOpen('o-sibling-close')
  t.gateway.failNext('close', wechatPayError(500, 'SYSTEM_ERROR'))
  t.gateway.failNext('query', wechatPayError(500, 'SYSTEM_ERROR'))
  await t.app.orders.applyTransaction(t.gateway.pay(`${orderNo}_1`), 'notification')
  await t.app.orders.idle()
  expect((await t.app.storage.attempts.get(stray))?.status).toBe('open')
  expect(lines.some((l) => l.level >= 40 && /closing a sibling attempt of a paid order failed/.test(l.msg) && (l as { outTradeNo?: string }).outTradeNo === stray)).toBe(true)
})
