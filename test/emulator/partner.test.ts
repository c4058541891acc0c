/**
 * Service-provider (partner) mode (wechatpay-v3.md §5): orders for a sub-merchant, sp_openid vs
 * sub_openid and the appid that must pay, partner queries, close and refunds, and their errors.
 */
import type { PartnerJsapiOrderRequest } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { call, clientFor, notifyEndpoint, signedByPlatform, tradeNo } from './helpers'

let emu: EmulatorHandle
let sp: TestMerchant
let stranger: TestMerchant
let notify: Awaited<ReturnType<typeof notifyEndpoint>>
const SP_USER = 'o-sp-user'
const SUB_USER = 'o-sub-user'

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001, refundSettleMs: 10 })
  sp = await registerMerchant(emu, { mode: 'partner' })
  stranger = await registerMerchant(emu, { mode: 'partner' })
  notify = await notifyEndpoint([204])
  await emu.login(sp.appId, SP_USER)
  await emu.login(sp.subAppId as string, SUB_USER)
})
afterAll(async () => {
  await emu.close()
  await notify.close()
})

const partnerOrder = (over: Partial<PartnerJsapiOrderRequest> & Record<string, unknown> = {}): PartnerJsapiOrderRequest => ({
  sp_appid: sp.appId,
  sp_mchid: sp.mchid,
  sub_mchid: sp.subMchid as string,
  description: '服务商代收',
  out_trade_no: tradeNo('P'),
  notify_url: notify.url,
  amount: { total: 250, currency: 'CNY' },
  payer: { sp_openid: SP_USER },
  ...over,
})

test('sp_openid order: paid from sp_appid, notified, queried and refunded as a partner transaction', async () => {
  const client = clientFor(emu, sp)
  const body = partnerOrder()
  const { prepay_id } = await client.createPartnerJsapiOrder(body)
  expect(await emu.pay(client.requestPayment(sp.subAppId as string, prepay_id), { appId: sp.subAppId as string })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
  expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId, openid: SP_USER })).toBe('requestPayment:ok')

  const received = await notify.waitFor(1)
  const parsed = await client.parseNotification(received[0].headers as Record<string, string>, received[0].body)
  if (!parsed.ok || parsed.event.kind !== 'transaction') throw new Error('expected a transaction')
  expect(parsed.event.transaction).toMatchObject({ sp_appid: sp.appId, sp_mchid: sp.mchid, sub_mchid: sp.subMchid, out_trade_no: body.out_trade_no, trade_state: 'SUCCESS', payer: { sp_openid: SP_USER } })

  const q = await client.queryOrderByOutTradeNo(body.out_trade_no, sp.subMchid as string)
  expect(q).toMatchObject({ sp_mchid: sp.mchid, sub_mchid: sp.subMchid, trade_state: 'SUCCESS' })
  expect(await client.queryOrderByTransactionId(q.transaction_id as string, sp.subMchid as string)).toMatchObject({ out_trade_no: body.out_trade_no })

  const refund = await client.createRefund({ sub_mchid: sp.subMchid, out_trade_no: body.out_trade_no, out_refund_no: `RF${body.out_trade_no}`, amount: { refund: 250, total: 250, currency: 'CNY' } })
  expect(refund.status).toBe('PROCESSING')
  const [, refundNote] = await notify.waitFor(2)
  const refundParsed = await client.parseNotification(refundNote.headers as Record<string, string>, refundNote.body)
  if (!refundParsed.ok || refundParsed.event.kind !== 'refund') throw new Error('expected a refund')
  expect(refundParsed.event.refund).toMatchObject({ sp_mchid: sp.mchid, sub_mchid: sp.subMchid, refund_status: 'SUCCESS' })
  expect((await client.queryRefund(refund.out_refund_no, sp.subMchid)).status).toBe('SUCCESS')
  // Without sub_mchid the refund is not this direct merchant's.
  await expect(client.queryRefund(refund.out_refund_no)).rejects.toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' })
})

test('sub_openid order: needs sub_appid and is paid from the sub-merchant’s mini-program', async () => {
  const client = clientFor(emu, sp)
  const body = partnerOrder({ sub_appid: sp.subAppId, payer: { sub_openid: SUB_USER } })
  const { prepay_id } = await client.createPartnerJsapiOrder(body)
  expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
  expect(await emu.pay(client.requestPayment(sp.subAppId as string, prepay_id), { appId: sp.subAppId as string })).toBe('requestPayment:ok')
})

test('partner close answers 204 and the order reads CLOSED', async () => {
  const client = clientFor(emu, sp)
  const body = partnerOrder()
  await client.createPartnerJsapiOrder(body)
  const a = await call(emu, sp, `/v3/pay/partner/transactions/out-trade-no/${body.out_trade_no}/close`, { body: { sp_mchid: sp.mchid, sub_mchid: sp.subMchid } })
  expect([a.status, a.text]).toEqual([204, ''])
  expect(signedByPlatform(sp, a)).toBe(true)
  expect((await client.queryOrderByOutTradeNo(body.out_trade_no, sp.subMchid as string)).trade_state).toBe('CLOSED')
})

test.each([
  ['a sub_mchid that has not authorised the provider', () => partnerOrder({ sub_mchid: stranger.subMchid as string }), 400, 'INVALID_REQUEST'],
  ['an sp_appid not bound to sp_mchid', () => partnerOrder({ sp_appid: stranger.appId }), 400, 'APPID_MCHID_NOT_MATCH'],
  ['a sub_appid not bound to sub_mchid', () => partnerOrder({ sub_appid: stranger.subAppId }), 400, 'APPID_MCHID_NOT_MATCH'],
  ['no payer openid at all', () => partnerOrder({ payer: {} }), 400, 'PARAM_ERROR'],
  ['sub_openid without sub_appid', () => partnerOrder({ payer: { sub_openid: SUB_USER } }), 400, 'PARAM_ERROR'],
  ['an sp_openid of another appid', () => partnerOrder({ payer: { sp_openid: SUB_USER } }), 400, 'PARAM_ERROR'],
  ['sp_mchid other than the signer', () => partnerOrder({ sp_mchid: stranger.mchid }), 400, 'INVALID_REQUEST'],
  ['sub_mchid missing', () => partnerOrder({ sub_mchid: undefined }), 400, 'PARAM_ERROR'],
  ['amount.total of 0', () => partnerOrder({ amount: { total: 0 } }), 400, 'PARAM_ERROR'],
])('POST /v3/pay/partner/transactions/jsapi refuses %s', async (_name, body, status, code) => {
  const a = await call(emu, sp, '/v3/pay/partner/transactions/jsapi', { body: body() })
  expect([a.status, a.json.code]).toEqual([status, code])
  expect(signedByPlatform(sp, a)).toBe(true)
})

test('partner order: bad signature and stale timestamp are 401 SIGN_ERROR', async () => {
  const bad = await call(emu, sp, '/v3/pay/partner/transactions/jsapi', { body: partnerOrder(), signedBody: '{}' })
  expect([bad.status, bad.json.code]).toEqual([401, 'SIGN_ERROR'])
  const stale = await call(emu, sp, '/v3/pay/partner/transactions/jsapi', { body: partnerOrder(), clock: () => Date.now() - 400_000 })
  expect([stale.status, stale.json.code]).toEqual([401, 'SIGN_ERROR'])
})

test('partner queries: sub_mchid required and must be the order’s; a direct query does not see partner orders', async () => {
  const client = clientFor(emu, sp)
  const body = partnerOrder()
  await client.createPartnerJsapiOrder(body)
  const base = `/v3/pay/partner/transactions/out-trade-no/${body.out_trade_no}`
  const noSub = await call(emu, sp, `${base}?sp_mchid=${sp.mchid}`)
  expect([noSub.status, noSub.json.code, noSub.json.detail.field]).toEqual([400, 'PARAM_ERROR', 'sub_mchid'])
  const wrongSub = await call(emu, sp, `${base}?sp_mchid=${sp.mchid}&sub_mchid=${stranger.subMchid}`)
  expect([wrongSub.status, wrongSub.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
  const direct = await call(emu, sp, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${sp.mchid}`)
  expect([direct.status, direct.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
  const ok = await call(emu, sp, `${base}?sp_mchid=${sp.mchid}&sub_mchid=${sp.subMchid}`)
  expect(ok.status).toBe(200)
  expect(ok.json).toMatchObject({ sp_appid: sp.appId, sub_mchid: sp.subMchid, trade_state: 'NOTPAY', payer: { sp_openid: SP_USER } })
})
