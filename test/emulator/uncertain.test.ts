/**
 * Answers a client cannot trust or never gets although the request took effect (architecture.md
 * §Emulator contract, faults): `answer: unsigned | bad-signature | stale | signtest` and `lose`.
 * The library client must refuse each, and the effect must be visible afterwards.
 */
import { WechatPayError } from '../../server/wechatpay'
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { call, clientFor, directOrder, signedByPlatform } from './helpers'

let emu: EmulatorHandle
let m: TestMerchant
const OPENID = 'o-uncertain-user'
withEmulator({ retryScale: 0.001, refundSettleMs: 10 }, (e, merchant) => ([emu, m] = [e, merchant]), { login: OPENID })
afterEach(() => emu.faults({ reset: true }))

const failure = async (p: Promise<unknown>): Promise<WechatPayError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(WechatPayError)
  return e as WechatPayError
}

async function paidOrder(total = 300) {
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID, 'http://127.0.0.1:9/notify', { amount: { total, currency: 'CNY' } })
  const { prepay_id } = await client.createJsapiOrder(body)
  expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
  return { client, outTradeNo: body.out_trade_no }
}
const refundOf = (outTradeNo: string, outRefundNo: string, refund = 100, total = 300) => ({ out_trade_no: outTradeNo, out_refund_no: outRefundNo, amount: { refund, total, currency: 'CNY' as const } })

test('unsigned: the order is placed, the answer lacks every Wechatpay-* header, the client refuses it as RESPONSE_NOT_SIGNED', async () => {
  await emu.faults({ 'POST /v3/pay/transactions/jsapi': { answer: 'unsigned' } })
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID)
  const e = await failure(client.createJsapiOrder(body))
  expect([e.status, e.code]).toEqual([200, 'RESPONSE_NOT_SIGNED'])
  // It took effect: the order exists, and the same request now answers (signed) with its prepay_id.
  expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('NOTPAY')
  expect((await client.createJsapiOrder(body)).prepay_id).toMatch(/^wx/)
})

test('unsigned also on a 204: a close that took effect is refused as RESPONSE_NOT_SIGNED', async () => {
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID)
  await client.createJsapiOrder(body)
  await emu.faults({ 'POST /v3/pay/transactions/out-trade-no/:out_trade_no/close': { answer: 'unsigned' } })
  const e = await failure(client.closeOrder(body.out_trade_no))
  expect([e.status, e.code]).toEqual([204, 'RESPONSE_NOT_SIGNED'])
  expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')
})

test('bad-signature: the refund is created, the answer is signed over other bytes, RESPONSE_SIGNATURE_INVALID', async () => {
  const { client, outTradeNo } = await paidOrder()
  await emu.faults({ 'POST /v3/refund/domestic/refunds': { answer: 'bad-signature' } })
  const e = await failure(client.createRefund(refundOf(outTradeNo, `R${outTradeNo}`)))
  expect([e.status, e.code, (e.detail as { reason: string }).reason]).toEqual([200, 'RESPONSE_SIGNATURE_INVALID', 'BAD_SIGNATURE'])
  const q = await client.queryRefund(`R${outTradeNo}`)
  expect(q).toMatchObject({ out_refund_no: `R${outTradeNo}`, out_trade_no: outTradeNo, amount: { refund: 100 } })
})

test('stale: the answer is signed 10 minutes ago, outside the window, and refused as STALE_TIMESTAMP; the order was closed', async () => {
  const client = clientFor(emu, m)
  const body = directOrder(m, OPENID)
  await client.createJsapiOrder(body)
  await emu.faults({ 'POST /v3/pay/transactions/out-trade-no/:out_trade_no/close': { answer: 'stale' } })
  const raw = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { body: { mchid: m.mchid } })
  expect(raw.status).toBe(204)
  expect(Math.floor(Date.now() / 1000) - Number(raw.headers.get('wechatpay-timestamp'))).toBeGreaterThanOrEqual(599)
  // Valid once the verifier's clock is where the signer's was: only the timestamp is off.
  expect(signedByPlatform(m, raw, Number(raw.headers.get('wechatpay-timestamp')))).toBe(true)
  expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')

  await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { answer: 'stale' } })
  const e = await failure(client.queryOrderByOutTradeNo(body.out_trade_no))
  expect([e.code, (e.detail as { reason: string }).reason]).toEqual(['RESPONSE_SIGNATURE_INVALID', 'STALE_TIMESTAMP'])
})

test('signtest: the answer carries a WECHATPAY/SIGNTEST/ probe signature, which never verifies', async () => {
  const { client, outTradeNo } = await paidOrder()
  await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { answer: 'signtest', times: 2 } })
  const raw = await call(emu, m, `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${m.mchid}`)
  expect(raw.status).toBe(200)
  expect(raw.headers.get('wechatpay-signature')).toMatch(/^WECHATPAY\/SIGNTEST\//)
  expect(signedByPlatform(m, raw)).toBe(false)
  const e = await failure(client.queryOrderByOutTradeNo(outTradeNo))
  expect([e.code, (e.detail as { reason: string }).reason]).toEqual(['RESPONSE_SIGNATURE_INVALID', 'BAD_SIGNATURE'])
  // times: 2 used up: the next answer verifies.
  expect((await client.queryOrderByOutTradeNo(outTradeNo)).trade_state).toBe('SUCCESS')
})

test('lose: the refund is created and the connection closed without an answer; a query finds it and a replay is the same refund', async () => {
  const { client, outTradeNo } = await paidOrder()
  await emu.faults({ 'POST /v3/refund/domestic/refunds': { lose: true } })
  const request = refundOf(outTradeNo, `L${outTradeNo}`, 120)
  const e = await failure(client.createRefund(request))
  expect([e.status, e.code, e.retryable]).toEqual([0, 'NETWORK_ERROR', true])
  const found = await client.queryRefund(request.out_refund_no)
  expect(found.amount.refund).toBe(120)
  const replay = await client.createRefund(request)
  expect(replay.refund_id).toBe(found.refund_id)
  const view = (await (await fetch(`${emu.url}/__emulator/orders/${outTradeNo}`)).json()) as { refunds: unknown[]; refundedFen: number }
  expect([view.refunds.length, view.refundedFen]).toEqual([1, 120])
})

test('a route fault lasts `times` calls; the armed faults are listed; bad specs are refused whole', async () => {
  await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { lose: true, times: 2 }, 'POST /v3/refund/domestic/refunds': { answer: 'stale', times: 3 } })
  expect(await (await fetch(`${emu.url}/__emulator/faults`)).json()).toMatchObject({
    'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { lose: true, times: 2 },
    'POST /v3/refund/domestic/refunds': { answer: 'stale', times: 3 },
  })
  const client = clientFor(emu, m)
  for (let i = 0; i < 2; i++) expect((await failure(client.queryOrderByOutTradeNo('LOST123456'))).code).toBe('NETWORK_ERROR')
  expect((await failure(client.queryOrderByOutTradeNo('LOST123456'))).code).toBe('ORDER_NOT_EXIST')
  for (const badSpec of [{ 'GET /x': { answer: 'forged' } }, { 'GET /x': { lose: 1 } }, { 'GET /x': { lose: true, answer: 'stale' } }, { 'GET /x': { status: 500, code: 'NOT_ENOUGH' } }, { 'GET /x': { code: 'NOPE' } }, { refund: { abnormal: -1 } }, { refund: { sometimes: 1 } }]) {
    const res = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(badSpec) })
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BAD_REQUEST'])
  }
})
