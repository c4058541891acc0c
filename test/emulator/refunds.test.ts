/** Refunds (wechatpay-v3.md §7.3): idempotent out_refund_no, amount rules, unpaid orders, queries. */
import type { RefundRequest } from '../../server/wechatpay'
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { call, clientFor, directOrder, signedByPlatform } from './helpers'

let emu: EmulatorHandle
let m: TestMerchant
const OPENID = 'o-refund-user'
withEmulator({ retryScale: 0.001, refundSettleMs: 10 }, (e, merchant) => ([emu, m] = [e, merchant]), { login: OPENID })

async function paid(total = 300) {
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID, 'http://127.0.0.1:9/notify', { amount: { total, currency: 'CNY' } })
  const { prepay_id } = await client.createJsapiOrder(body)
  expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
  const tx = await client.queryOrderByOutTradeNo(body.out_trade_no)
  return { client, outTradeNo: body.out_trade_no, transactionId: tx.transaction_id as string }
}
const refund = (outTradeNo: string, over: Partial<RefundRequest> & Record<string, unknown> = {}) => ({
  out_trade_no: outTradeNo,
  out_refund_no: `R${outTradeNo}${Math.floor(Math.random() * 1e6)}`,
  reason: '商品已退回',
  amount: { refund: 100, total: 300, currency: 'CNY' },
  ...over,
})
const post = (body: unknown) => call(emu, m, '/v3/refund/domestic/refunds', { body })

test('partial refunds up to the total; the same out_refund_no is the same refund', async () => {
  const { outTradeNo, transactionId } = await paid()
  const first = refund(outTradeNo)
  const a = await post(first)
  expect(a.status).toBe(200)
  expect(signedByPlatform(m, a)).toBe(true)
  expect(a.json).toMatchObject({ out_refund_no: first.out_refund_no, out_trade_no: outTradeNo, transaction_id: transactionId, status: 'PROCESSING', channel: 'ORIGINAL', amount: { refund: 100, total: 300, currency: 'CNY' } })
  const again = await post(first)
  expect(again.json.refund_id).toBe(a.json.refund_id)
  const changed = await post({ ...first, amount: { refund: 150, total: 300, currency: 'CNY' } })
  expect([changed.status, changed.json.code]).toEqual([400, 'INVALID_REQUEST'])
  // By transaction_id too.
  const second = await post(refund(outTradeNo, { out_trade_no: undefined, transaction_id: transactionId, amount: { refund: 200, total: 300, currency: 'CNY' } }))
  expect(second.status).toBe(200)
  const tooMuch = await post(refund(outTradeNo, { amount: { refund: 1, total: 300, currency: 'CNY' } }))
  expect([tooMuch.status, tooMuch.json.code]).toEqual([400, 'INVALID_REQUEST'])
  const q = await call(emu, m, `/v3/refund/domestic/refunds/${first.out_refund_no}`)
  expect(q.status).toBe(200)
  expect(q.json.out_refund_no).toBe(first.out_refund_no)
})

test.each([
  ['neither out_trade_no nor transaction_id', { out_trade_no: undefined }, 400, 'PARAM_ERROR'],
  ['refund of 0', { amount: { refund: 0, total: 300, currency: 'CNY' } }, 400, 'PARAM_ERROR'],
  ['refund as a string', { amount: { refund: '100', total: 300, currency: 'CNY' } }, 400, 'PARAM_ERROR'],
  ['currency missing', { amount: { refund: 100, total: 300 } }, 400, 'PARAM_ERROR'],
  ['currency USD', { amount: { refund: 100, total: 300, currency: 'USD' } }, 400, 'PARAM_ERROR'],
  ['total not the order total', { amount: { refund: 100, total: 301, currency: 'CNY' } }, 400, 'PARAM_ERROR'],
  ['more than the order', { amount: { refund: 301, total: 300, currency: 'CNY' } }, 400, 'INVALID_REQUEST'],
  ['out_refund_no with a forbidden character', { out_refund_no: 'R#1' }, 400, 'PARAM_ERROR'],
  ['reason longer than 80', { reason: '退'.repeat(81) }, 400, 'PARAM_ERROR'],
  ['notify_url over plain http', { notify_url: 'http://merchant.example.com/refund' }, 400, 'PARAM_ERROR'],
  ['an unknown order', { out_trade_no: 'NOPE123456' }, 404, 'RESOURCE_NOT_EXISTS'],
  ['a sub_mchid of nobody', { sub_mchid: '1900000001' }, 400, 'INVALID_REQUEST'],
])('refuses %s', async (_name, over, status, code) => {
  const { outTradeNo } = await paid()
  const a = await post(refund(outTradeNo, over as never))
  expect([a.status, a.json.code]).toEqual([status, code])
})

test('an unpaid order cannot be refunded', async () => {
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID)
  await client.createJsapiOrder(body)
  const a = await post(refund(body.out_trade_no, { amount: { refund: 100, total: 100, currency: 'CNY' } }))
  expect([a.status, a.json.code]).toEqual([400, 'INVALID_REQUEST'])
})

test('query of an unknown refund is 404 RESOURCE_NOT_EXISTS', async () => {
  const a = await call(emu, m, '/v3/refund/domestic/refunds/R-never')
  expect([a.status, a.json.code]).toEqual([404, 'RESOURCE_NOT_EXISTS'])
})
