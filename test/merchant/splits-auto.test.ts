/**
 * PROFIT_SHARING=auto through the real emulator: the commission split to the platform and the rest
 * released to the shop, in e-commerce and partner mode, across the "订单处理中" window; the shop's
 * max_ratio; and a lost split answer resumed without a second split.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerMerchant, type TestMerchant } from '../support/emulator'
import type { BackendHandle } from '../support/merchant'
import { call, createOrder, requestId, waitFor } from './helpers'
import { capShop, splitSuite } from './split-helpers'

const suite = splitSuite()
const { advance, emulatorOrder } = suite
const start = (env: Record<string, string>, merchant?: TestMerchant) => suite.start({ PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '1000', ...env }, merchant)

/** login → order → pay → notification; answers the order number, the paid attempt and the user's token. */
async function paidOrder(b: BackendHandle, amount: number) {
  const token = await b.loginToken(`o-split-${Math.random().toString(36).slice(2)}`)
  const { order, payment } = await createOrder(b, token, { amount })
  expect(await suite.emu.pay(payment, { appId: b.config.miniProgramAppId })).toBe('requestPayment:ok')
  await waitFor(async () => (await call(b, 'GET', `/api/orders/${order.orderNo}`, { token })).body.order.status === 'paid', 'paid')
  await b.app.orders.idle()
  const outTradeNo = (await b.app.storage.orders.get(order.orderNo))?.paidOutTradeNo as string
  const view = async () => (await call(b, 'GET', `/api/orders/${order.orderNo}`, { token })).body.order
  return { orderNo: order.orderNo, outTradeNo, token, view }
}

test.each(['ecommerce', 'partner'] as const)('%s: the commission goes to the platform after the 订单处理中 window, the rest is released to the shop', async (mode) => {
  const b = await start({ WECHATPAY_MODE: mode })
  const o = await paidOrder(b, 1000)
  // Placed with profit_sharing; the first try met "订单处理中" and waits, not failed.
  expect((await emulatorOrder(o.outTradeNo)).profitSharing).toMatchObject({ enabled: true, unsplitAmount: 1000, splits: [] })
  expect(await o.view()).toMatchObject({ status: 'paid', split: { status: 'pending', commission: 0, unfrozen: 0 } })
  expect(await b.app.storage.splitJobs.get(o.orderNo)).toMatchObject({ step: 'split', attempts: 1, lastError: 'ORDER_SETTLING' })

  await advance(61_000)
  await b.app.reconciler.runOnce()
  expect(await o.view()).toMatchObject({ split: { status: 'finished', commission: 100, unfrozen: 900 } })
  await advance(3_000)
  const ps = (await emulatorOrder(o.outTradeNo)).profitSharing
  expect(ps).toMatchObject({ enabled: true, unsplitAmount: 0, splitAmount: 100, finished: true })
  const toPlatform = ps.splits.flatMap((s: { receivers?: Array<Record<string, unknown>> }) => s.receivers ?? []).filter((r: Record<string, unknown>) => (r.receiver_account ?? r.account) === suite.sp.mchid)
  expect(toPlatform).toEqual([expect.objectContaining({ amount: 100, result: 'SUCCESS' })])
  expect((await b.app.storage.splitJobs.get(o.orderNo))?.step).toBe('done')
  // Nothing more happens on later passes.
  await b.app.reconciler.runOnce()
  expect((await emulatorOrder(o.outTradeNo)).profitSharing.splits).toHaveLength(ps.splits.length)
})

test('partner: a commission over the shop’s max_ratio is not sent: split failed with SPLIT_OVER_LIMIT', async () => {
  const shop = await registerMerchant(suite.emu, { mode: 'partner' })
  await capShop(suite.emu, shop, 500) // merchant-configs answers max_ratio 500 (5 %)
  const b = await start({ WECHATPAY_MODE: 'partner' }, shop)
  const o = await paidOrder(b, 1000)
  expect(await o.view()).toMatchObject({ split: { status: 'failed', commission: 0, unfrozen: 0 } })
  expect(await b.app.storage.splitJobs.get(o.orderNo)).toMatchObject({ step: 'failed', lastError: 'SPLIT_OVER_LIMIT' })
  await advance(61_000)
  await b.app.reconciler.runOnce()
  expect((await emulatorOrder(o.outTradeNo)).profitSharing).toMatchObject({ unsplitAmount: 1000, splitAmount: 0, splits: [] })
})

test('ecommerce: a split whose answer is lost is repeated with the same out_order_no: one split, then finished', async () => {
  const b = await start({ WECHATPAY_MODE: 'ecommerce' })
  const o = await paidOrder(b, 2000)
  await suite.emu.faults({ 'POST /v3/ecommerce/profitsharing/orders': { lose: true } })
  await advance(61_000)
  await b.app.reconciler.runOnce()
  // Served (the split exists at WeChat Pay) but the answer never came back: still pending here.
  expect((await emulatorOrder(o.outTradeNo)).profitSharing.splitAmount).toBe(200)
  expect(await o.view()).toMatchObject({ split: { status: 'pending' } })
  expect(await b.app.storage.splitJobs.get(o.orderNo)).toMatchObject({ step: 'split', lastError: 'NETWORK_ERROR' })
  await advance(60_000)
  await b.app.reconciler.runOnce()
  expect(await o.view()).toMatchObject({ split: { status: 'finished', commission: 200, unfrozen: 1800 } })
  const ps = (await emulatorOrder(o.outTradeNo)).profitSharing
  expect(ps).toMatchObject({ splitAmount: 200, unsplitAmount: 0, finished: true })
  expect(ps.splits.filter((s: { kind: string }) => s.kind === 'split')).toHaveLength(1)
})

test('ecommerce: refunds go to /v3/ecommerce/refunds/apply; above the unsplit amount RULE_LIMIT is 409 REFUND_NEEDS_RETURN and releases the amount', async () => {
  const b = await start({ WECHATPAY_MODE: 'ecommerce' })
  const o = await paidOrder(b, 1000)
  // The commission split succeeds, the finish fails for now: 900 fen stay frozen for the shop.
  await suite.emu.faults({ 'POST /v3/ecommerce/profitsharing/finish-order': { status: 500 } })
  await advance(61_000)
  await b.app.reconciler.runOnce()
  expect(await o.view()).toMatchObject({ split: { status: 'split', commission: 100, unfrozen: 0 } })
  // A domestic refund would be refused here: the e-commerce endpoint is the one used.
  await suite.emu.faults({ 'POST /v3/refund/domestic/refunds': { code: 'NO_AUTH' } })
  const admin = { 'x-admin-token': b.config.adminToken }
  const refund = (amount: number) => call(b, 'POST', `/api/admin/orders/${o.orderNo}/refunds`, { payload: { requestId: requestId('refund'), amount, reason: '退款' }, headers: admin })
  const over = await refund(950)
  expect([over.status, over.body.error.code]).toEqual([409, 'REFUND_NEEDS_RETURN'])
  expect(await b.app.storage.refunds.listByOrder(o.orderNo)).toEqual([expect.objectContaining({ amount: 950, status: 'failed' })])
  const within = await refund(900)
  expect(within.status).toBe(201)
  expect(within.body.refund).toMatchObject({ amount: 900, status: 'processing' })
  // WeChat Pay holds exactly the accepted refund; it settles (notification, or the reconciler's e-commerce query).
  expect((await emulatorOrder(o.outTradeNo)).refunds).toEqual([expect.objectContaining({ out_refund_no: within.body.refund.refundNo, amount: expect.objectContaining({ refund: 900 }) })])
  await advance(60_000)
  await waitFor(async () => {
    await b.app.reconciler.runOnce()
    return (await b.app.storage.refunds.get(within.body.refund.refundNo))?.status === 'succeeded'
  }, 'refund settled')
  await suite.emu.faults({ reset: true })
})

test('the job is durable: a backend stopped while it waits for the 订单处理中 window is finished by the next one, once', async () => {
  const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'merchant-split-')), 'm.db')}`
  const first = await start({ WECHATPAY_MODE: 'partner', DATABASE_URL: databaseUrl })
  const o = await paidOrder(first, 1500)
  expect(await first.app.storage.splitJobs.get(o.orderNo)).toMatchObject({ step: 'split', lastError: 'ORDER_SETTLING' })
  await first.close()
  const second = await start({ WECHATPAY_MODE: 'partner', DATABASE_URL: databaseUrl })
  await advance(61_000)
  await second.app.reconciler.runOnce()
  await second.app.reconciler.runOnce()
  expect(await second.app.storage.orders.get(o.orderNo)).toMatchObject({ splitStatus: 'finished', splitCommission: 150, splitUnfrozen: 1350 })
  const ps = (await emulatorOrder(o.outTradeNo)).profitSharing
  expect(ps).toMatchObject({ unsplitAmount: 0, splitAmount: 150, finished: true })
  expect(ps.splits).toHaveLength(1)
})
