/**
 * PROFIT_SHARING=manual through the real emulator: the admin split API (platform.md §Profit
 * sharing): ORDER_NOT_SPLITTABLE first, the 30 % cap before anything is sent, "订单处理中" not a
 * failure, a split settled by WeChat Pay, the finish releasing the rest; auto mode refuses new splits.
 */
import { publicKeyPem } from '../../server/wechatpay'
import { registerMerchant, type TestMerchant } from '../support/emulator'
import type { BackendHandle } from '../support/merchant'
import { call, createOrder, requestId, waitFor } from './helpers'
import { capShop, splitSuite } from './split-helpers'

const suite = splitSuite()
const { advance, emulatorOrder } = suite
const start = (env: Record<string, string>, merchant?: TestMerchant) => suite.start({ WECHATPAY_MODE: 'ecommerce', ...env }, merchant)

async function paidOrder(b: BackendHandle, amount: number, pay = true) {
  const token = await b.loginToken(`o-manual-${Math.random().toString(36).slice(2)}`)
  const { order, payment } = await createOrder(b, token, { amount })
  if (pay) {
    expect(await suite.emu.pay(payment, { appId: b.config.miniProgramAppId })).toBe('requestPayment:ok')
    await waitFor(async () => (await call(b, 'GET', `/api/orders/${order.orderNo}`, { token })).body.order.status === 'paid', 'paid')
  }
  const outTradeNo = async () => (await b.app.storage.attempts.listByOrder(order.orderNo))[0].outTradeNo
  return { orderNo: order.orderNo, outTradeNo, view: async () => (await call(b, 'GET', `/api/orders/${order.orderNo}`, { token })).body.order }
}

test('ecommerce manual: not splittable first, the cap before sending, 订单处理中 kept, split settled, finish releases the rest', async () => {
  const b = await start({ PROFIT_SHARING: 'manual' })
  const admin = { 'x-admin-token': b.config.adminToken }
  const split = (orderNo: string, amount: number, rid = requestId('split')) =>
    call(b, 'POST', `/api/admin/orders/${orderNo}/splits`, { headers: admin, payload: { requestId: rid, receivers: [{ type: 'MERCHANT_ID', account: suite.sp.mchid, amount, description: '平台佣金' }], finish: false } })

  const unpaid = await paidOrder(b, 1000, false)
  expect((await split(unpaid.orderNo, 999_999)).body.error.code).toBe('ORDER_NOT_SPLITTABLE') // before the cap
  expect((await call(b, 'POST', `/api/admin/orders/${unpaid.orderNo}/splits`, { payload: {} })).status).toBe(401)

  const o = await paidOrder(b, 1000)
  expect(await o.view()).toMatchObject({ split: { status: 'pending', commission: 0, unfrozen: 0 } })
  const over = await split(o.orderNo, 301)
  expect([over.status, over.body.error.code]).toEqual([400, 'SPLIT_OVER_LIMIT'])
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing).toMatchObject({ unsplitAmount: 1000, splits: [] })

  // Within the first minute WeChat Pay answers "订单处理中": the split is kept, not failed.
  const rid = requestId('split')
  const early = await split(o.orderNo, 300, rid)
  expect(early.status).toBe(201)
  expect(early.body.split).toMatchObject({ status: 'processing', finish: false, receivers: [{ type: 'MERCHANT_ID', account: suite.sp.mchid, amount: 300, result: 'pending' }] })
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing.splits).toEqual([])
  await advance(61_000)
  // Listing sends it again (same out_order_no), then WeChat Pay settles it.
  let list = await call(b, 'GET', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin })
  expect(list.body.unsplitAmount).toBe(700)
  await advance(3_000)
  list = await call(b, 'GET', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin })
  expect(list.body).toEqual({ unsplitAmount: 700, splits: [expect.objectContaining({ splitNo: early.body.split.splitNo, status: 'finished', receivers: [expect.objectContaining({ amount: 300, result: 'success' })] })] })
  // The same requestId is the same split.
  const again = await split(o.orderNo, 300, rid)
  expect([again.status, again.body.split.splitNo]).toEqual([200, early.body.split.splitNo])
  expect(await o.view()).toMatchObject({ split: { status: 'split', commission: 300, unfrozen: 0 } })

  const fin = await call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits/finish`, { headers: admin, payload: { requestId: requestId('fin') } })
  expect(fin.status).toBe(200)
  expect(fin.body.split).toMatchObject({ status: 'finished', finish: true, receivers: [] })
  expect(await o.view()).toMatchObject({ split: { status: 'finished', commission: 300, unfrozen: 700 } })
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing).toMatchObject({ unsplitAmount: 0, splitAmount: 300, finished: true })
  expect((await split(o.orderNo, 1)).body.error.code).toBe('ORDER_NOT_SPLITTABLE')
})

test('ecommerce manual: one split to two receivers (the platform and another of its shops) with finish: both paid, the rest released', async () => {
  // A second shop of the same platform: the platform's own sub-merchants receive without being added first.
  const secondShop = `19${String(Date.now()).slice(-8)}`
  const reg = await fetch(`${suite.emu.url}/__emulator/merchants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mchid: suite.sp.mchid, serialNo: suite.sp.serialNo, publicKeyPem: publicKeyPem(suite.sp.privateKey), apiV3Key: suite.sp.apiV3Key, appIds: [suite.sp.appId], subMchids: [{ mchid: suite.sp.subMchid, appIds: [suite.sp.subAppId] }, secondShop] }),
  })
  expect(reg.status).toBe(200)
  const b = await start({ PROFIT_SHARING: 'manual' })
  const admin = { 'x-admin-token': b.config.adminToken }
  const o = await paidOrder(b, 1000)
  await advance(61_000) // past WeChat Pay's 订单处理中 window
  const receivers = [
    { type: 'MERCHANT_ID', account: suite.sp.mchid, amount: 200, description: '平台佣金' },
    { type: 'MERCHANT_ID', account: secondShop, amount: 100, description: '供货商分成' },
  ]
  const res = await call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin, payload: { requestId: requestId('two'), receivers, finish: true } })
  expect(res.status).toBe(201)
  expect(res.body.split.receivers.map((r: { account: string; amount: number }) => [r.account, r.amount])).toEqual([[suite.sp.mchid, 200], [secondShop, 100]])
  await advance(3_000)
  const list = await call(b, 'GET', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin })
  expect(list.body.splits[0]).toMatchObject({ status: 'finished', finish: true, receivers: [expect.objectContaining({ result: 'success' }), expect.objectContaining({ result: 'success' })] })
  expect(await o.view()).toMatchObject({ split: { status: 'finished', commission: 300, unfrozen: 700 } })
  const ps = (await emulatorOrder(await o.outTradeNo())).profitSharing
  expect(ps).toMatchObject({ unsplitAmount: 0, splitAmount: 300, finished: true })
})

test('partner manual: splits of one order asked at once get their own out_order_no each, and the cap holds across them', async () => {
  const shop = await registerMerchant(suite.emu, { mode: 'partner' })
  await capShop(suite.emu, shop, 3000) // the cap is read from WeChat Pay between the check and the insert
  const b = await start({ WECHATPAY_MODE: 'partner', PROFIT_SHARING: 'manual' }, shop)
  const admin = { 'x-admin-token': b.config.adminToken }
  const o = await paidOrder(b, 1000)
  await advance(61_000)
  // 100 + 100 + 150 is over the 300 fen cap: whichever comes last is refused, the others are sent.
  const answers = await Promise.all([100, 100, 150].map((amount) =>
    call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin, payload: { requestId: requestId('at-once'), receivers: [{ type: 'MERCHANT_ID', account: shop.mchid, amount, description: '平台佣金' }], finish: false } }),
  ))
  expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 400])
  expect(answers.find((a) => a.status === 400)?.body.error.code).toBe('SPLIT_OVER_LIMIT')
  const made = answers.filter((a) => a.status === 201).map((a) => a.body.split.splitNo as string)
  expect(made.sort()).toEqual([`${o.orderNo}M1`, `${o.orderNo}M2`])
  const sent = (await emulatorOrder(await o.outTradeNo())).profitSharing
  expect(sent.splits).toHaveLength(2)
  expect(sent.splitAmount).toBeLessThanOrEqual(300)
})

test('auto mode: the admin API makes no split (ORDER_NOT_SPLITTABLE, checked before the cap)', async () => {
  const b = await start({ PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '0' })
  const o = await paidOrder(b, 500)
  const res = await call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits`, {
    headers: { 'x-admin-token': b.config.adminToken },
    payload: { requestId: requestId('split'), receivers: [{ type: 'MERCHANT_ID', account: suite.sp.mchid, amount: 10_000, description: '佣金' }], finish: true },
  })
  expect([res.status, res.body.error.code]).toEqual([409, 'ORDER_NOT_SPLITTABLE'])
})

test('partner manual: the cap is the shop’s max_ratio, read before anything is sent; a finish in the same request releases the rest', async () => {
  const shop = await registerMerchant(suite.emu, { mode: 'partner' })
  await capShop(suite.emu, shop, 500)
  const b = await start({ WECHATPAY_MODE: 'partner', PROFIT_SHARING: 'manual' }, shop)
  const admin = { 'x-admin-token': b.config.adminToken }
  const o = await paidOrder(b, 1000)
  await advance(61_000)
  const split = (amount: number) =>
    call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin, payload: { requestId: requestId('split'), receivers: [{ type: 'MERCHANT_ID', account: shop.mchid, amount, description: '平台佣金' }], finish: true } })
  const over = await split(51)
  expect([over.status, over.body.error.code]).toEqual([400, 'SPLIT_OVER_LIMIT'])
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing.splits).toEqual([])
  const ok = await split(50)
  expect(ok.status).toBe(201)
  expect(await o.view()).toMatchObject({ split: { status: 'finished', commission: 50, unfrozen: 950 } })
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing).toMatchObject({ unsplitAmount: 0, splitAmount: 50, finished: true })
})

test('ecommerce manual: a refund above the unsplit amount needs a return first; the return gives it back to the shop', async () => {
  const b = await start({ PROFIT_SHARING: 'manual' })
  const admin = { 'x-admin-token': b.config.adminToken }
  const o = await paidOrder(b, 1000)
  await advance(61_000)
  const made = await call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin, payload: { requestId: requestId('split'), receivers: [{ type: 'MERCHANT_ID', account: suite.sp.mchid, amount: 300, description: '平台佣金' }], finish: false } })
  const splitNo = made.body.split.splitNo as string
  await advance(3_000)
  expect((await call(b, 'GET', `/api/admin/orders/${o.orderNo}/splits`, { headers: admin })).body.splits[0].receivers[0].result).toBe('success')

  const refund = (amount: number) => call(b, 'POST', `/api/admin/orders/${o.orderNo}/refunds`, { headers: admin, payload: { requestId: requestId('refund'), amount, reason: '退款' } })
  const needs = await refund(800)
  expect([needs.status, needs.body.error.code]).toEqual([409, 'REFUND_NEEDS_RETURN'])

  const back = (amount: number, rid = requestId('ret')) => call(b, 'POST', `/api/admin/orders/${o.orderNo}/splits/${splitNo}/returns`, { headers: admin, payload: { requestId: rid, amount, description: '退款回退' } })
  // A refused return is failed and keeps its out_return_no: the next one is numbered after it.
  await suite.emu.faults({ 'POST /v3/ecommerce/profitsharing/returnorders': { code: 'NO_AUTH' } })
  expect((await back(100)).body.error.code).toBe('UPSTREAM_ERROR')
  const rid = requestId('ret')
  const ret = await back(100, rid)
  expect([ret.status, ret.body.return]).toEqual([201, expect.objectContaining({ returnNo: `${splitNo}B2`, splitNo, amount: 100, status: 'succeeded' })])
  expect((await back(100, rid)).status).toBe(200)
  expect((await back(201)).body.error.code).toBe('BAD_REQUEST') // 200 fen left to return
  expect(await o.view()).toMatchObject({ split: { status: 'split', commission: 200 } })
  expect((await emulatorOrder(await o.outTradeNo())).profitSharing).toMatchObject({ unsplitAmount: 700, returns: [expect.objectContaining({ amount: 100 })] }) // returned money is the shop's, refundable, not frozen again

  const ok = await refund(800)
  expect([ok.status, ok.body.refund.amount]).toEqual([201, 800])
})

test('GET /api/admin/orders/:orderNo: the order (with its split) and its attempts as WeChat Pay reports them', async () => {
  const b = await start({ PROFIT_SHARING: 'manual' })
  const admin = { 'x-admin-token': b.config.adminToken }
  const o = await paidOrder(b, 700)
  const res = await call(b, 'GET', `/api/admin/orders/${o.orderNo}`, { headers: admin })
  expect(res.status).toBe(200)
  expect(res.body.order).toMatchObject({ orderNo: o.orderNo, status: 'paid', split: { status: 'pending' } })
  expect(res.body.attempts).toEqual([{ outTradeNo: await o.outTradeNo(), state: 'SUCCESS', prepayId: expect.any(String), transactionId: res.body.order.transactionId }])
  expect((await call(b, 'GET', `/api/admin/orders/${o.orderNo}`)).status).toBe(401)
  expect((await call(b, 'GET', '/api/admin/orders/20990101000000000000', { headers: admin })).status).toBe(404)
})
