/**
 * Payments where payer_total ≠ total (a coupon, /__emulator/pay couponFen) and the 5-minute
 * minimum before closing a new order (wechatpay-v3.md §7.1, §7.2).
 */
import { decryptResource, type Transaction, WechatPayError } from '../../server/wechatpay'
import { type EmulatorHandle, registerMerchant, startEmulator, type TestMerchant, withEmulator } from '../support/emulator'
import { call, clientFor, directOrder, withNotifyEndpoint } from './helpers'

const OPENID = 'o-payment-rules-user'

describe('a coupon pays part of the order', () => {
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ retryScale: 0.001, refundSettleMs: 10 }, (e, merchant) => ([emu, m] = [e, merchant]), { login: OPENID })

  test('payer_total = total − coupon with a promotion_detail, in the notification and the query; refunds split the coupon share', async () => {
    await withNotifyEndpoint([204], async (hook) => {
      const client = clientFor(emu, m)
      const body = directOrder(m, OPENID, hook.url, { amount: { total: 100, currency: 'CNY' } })
      const { prepay_id } = await client.createJsapiOrder(body)
      expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId, couponFen: 30 })).toBe('requestPayment:ok')
      const [received] = await hook.waitFor(1)
      const notified = JSON.parse(decryptResource(JSON.parse(received.body).resource, m.apiV3Key)) as Transaction
      const queried = (await client.queryOrderByOutTradeNo(body.out_trade_no)) as Transaction
      for (const tx of [notified, queried]) {
        expect(tx.amount).toEqual({ total: 100, payer_total: 70, currency: 'CNY', payer_currency: 'CNY' })
        expect(tx.promotion_detail).toEqual([expect.objectContaining({ amount: 30, scope: 'GLOBAL', type: 'CASH', merchant_contribute: 30, wechatpay_contribute: 0, other_contribute: 0, currency: 'CNY' })])
      }
      // amount.total of a refund is the order total, never what the payer paid.
      const wrongTotal = await call(emu, m, '/v3/refund/domestic/refunds', { body: { out_trade_no: body.out_trade_no, out_refund_no: `R${body.out_trade_no}x`, amount: { refund: 50, total: 70, currency: 'CNY' } } })
      expect([wrongTotal.status, wrongTotal.json.code]).toEqual([400, 'PARAM_ERROR'])
      const refund = await client.createRefund({ out_trade_no: body.out_trade_no, out_refund_no: `R${body.out_trade_no}`, amount: { refund: 50, total: 100, currency: 'CNY' } })
      expect(refund.amount).toMatchObject({ total: 100, refund: 50, payer_total: 70, payer_refund: 35, discount_refund: 15 })
    })
  })

  test('a coupon of the whole order or more is refused and the order stays unpaid; without one payer_total = total and no promotion_detail', async () => {
    const client = clientFor(emu, m)
    const body = directOrder(m, OPENID, undefined, { amount: { total: 100, currency: 'CNY' } })
    const { prepay_id } = await client.createJsapiOrder(body)
    const params = client.requestPayment(m.appId, prepay_id)
    for (const couponFen of [100, 0, 1.5]) {
      const res = await fetch(`${emu.url}/__emulator/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params, appId: m.appId, couponFen }) })
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BAD_REQUEST'])
    }
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('NOTPAY')
    expect(await emu.pay(params, { appId: m.appId })).toBe('requestPayment:ok')
    const tx = await client.queryOrderByOutTradeNo(body.out_trade_no)
    expect(tx.amount).toMatchObject({ total: 100, payer_total: 100 })
    expect(tx.promotion_detail).toBeUndefined()
  })
})

describe('closing a new order (the emulator\'s default minCloseAgeMs, 5 minutes)', () => {
  let emu: EmulatorHandle
  let m: TestMerchant
  let offsetMs = 0
  beforeAll(async () => {
    emu = await startEmulator({ minCloseAgeMs: undefined })
    m = await registerMerchant(emu)
    await emu.login(m.appId, OPENID)
  })
  afterAll(() => emu.close())

  test('is 400 INVALID_REQUEST before 5 emulated minutes (the order stays NOTPAY), and 204 from then on', async () => {
    const client = clientFor(emu, m, { clock: () => Date.now() + offsetMs })
    const body = directOrder(m, OPENID)
    await client.createJsapiOrder(body)
    const early = (await client.closeOrder(body.out_trade_no).catch((e: unknown) => e)) as WechatPayError
    expect(early).toBeInstanceOf(WechatPayError)
    expect([early.status, early.code, early.message]).toEqual([400, 'INVALID_REQUEST', '订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟'])
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('NOTPAY')
    await emu.advanceClock(299_000)
    offsetMs += 299_000
    expect(((await client.closeOrder(body.out_trade_no).catch((e: unknown) => e)) as WechatPayError).code).toBe('INVALID_REQUEST')
    await emu.advanceClock(1_000)
    offsetMs += 1_000
    await client.closeOrder(body.out_trade_no)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')
  })
})
