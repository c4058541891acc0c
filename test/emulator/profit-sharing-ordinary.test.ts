/**
 * Ordinary service-provider profit sharing (wechatpay-service-provider.md §4, §5) through the real
 * emulator: the shop's max_ratio from merchant-configs, unfreeze_unsplit, unfreeze, return-orders,
 * amounts, receivers, and the domestic refund refused with RULE_LIMIT until a return.
 */
import { WechatPayError } from '../../server/wechatpay'
import { controlOrder, splitWorld, USER, type SplitWorld } from './split-helpers'

let w: SplitWorld
beforeAll(async () => {
  w = await splitWorld()
})
afterAll(() => w.close())

let seq = 0
const no = (p: string) => `${p}${Date.now()}${seq++}`
const toProvider = (amount: number) => ({ type: 'MERCHANT_ID', account: w.sp.mchid, amount, description: '服务费' })
const split = (o: { transactionId: string }, receivers: unknown[], unfreeze = false, subMchid = w.sp.subMchid) => ({ sub_mchid: subMchid, transaction_id: o.transactionId, out_order_no: no('S'), receivers, unfreeze_unsplit: unfreeze })
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err)
  if (!(e instanceof WechatPayError)) throw new Error(`expected a WechatPayError, got ${String(e)}`)
  return { status: e.status, code: e.code, message: e.message }
}

test('merchant-configs answers the shop’s max_ratio in basis points (default 3000); a stranger shop is refused', async () => {
  expect(await w.api('GET', `/v3/profitsharing/merchant-configs/${w.narrowShop}`)).toEqual({ sub_mchid: w.narrowShop, max_ratio: 2000 })
  expect(await w.api('GET', `/v3/profitsharing/merchant-configs/${w.sp.subMchid}`)).toEqual({ sub_mchid: w.sp.subMchid, max_ratio: 3000 })
  expect((await refusal(w.api('GET', `/v3/profitsharing/merchant-configs/${w.partner.subMchid}`))).status).toBe(403)
})

test('a split above the shop’s max_ratio is refused; within it, unfreeze_unsplit releases the rest to the shop', async () => {
  const order = await w.paidOrder({ total: 1000, subMchid: w.narrowShop })
  expect((await w.raw('/v3/profitsharing/orders', split(order, [toProvider(100)], true, w.narrowShop))).json.message).toBe('订单处理中,暂时无法分账,请稍后重试')
  await w.advance(60_000)
  const over = await w.raw('/v3/profitsharing/orders', split(order, [toProvider(201)], true, w.narrowShop))
  expect([over.status, over.json.code, over.json.message]).toEqual([400, 'INVALID_REQUEST', '分账金额超出最大分账比例'])
  const body = split(order, [toProvider(200)], true, w.narrowShop)
  const made = await w.api('POST', '/v3/profitsharing/orders', body)
  expect(made).toMatchObject({ sub_mchid: w.narrowShop, out_order_no: body.out_order_no, state: 'PROCESSING' })
  expect(made.receivers).toEqual([
    expect.objectContaining({ type: 'MERCHANT_ID', account: w.sp.mchid, amount: 200, result: 'PENDING' }),
    expect.objectContaining({ type: 'MERCHANT_ID', account: w.narrowShop, amount: 800, description: '解冻给分账方', result: 'PENDING' }),
  ])
  expect(await w.api('GET', `/v3/profitsharing/transactions/${order.transactionId}/amounts`)).toEqual({ transaction_id: order.transactionId, unsplit_amount: 0 })
  await w.advance(3000)
  const q = await w.api('GET', `/v3/profitsharing/orders/${body.out_order_no}?sub_mchid=${w.narrowShop}&transaction_id=${order.transactionId}`)
  expect(q).toMatchObject({ state: 'FINISHED', order_id: made.order_id })
  expect(q.receivers.every((r: { result: string }) => r.result === 'SUCCESS')).toBe(true)
})

test('unfreeze releases what is left; a second unfreeze is refused; an order without profit_sharing cannot be split', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  await w.api('POST', '/v3/profitsharing/orders', split(order, [toProvider(300)]))
  const unfreeze = { sub_mchid: w.sp.subMchid, transaction_id: order.transactionId, out_order_no: no('U'), description: '解冻剩余资金' }
  const u = await w.api('POST', '/v3/profitsharing/orders/unfreeze', unfreeze)
  expect(u.receivers).toEqual([expect.objectContaining({ account: w.sp.subMchid, amount: 700, description: '解冻给分账方' })])
  expect((await w.api('POST', '/v3/profitsharing/orders/unfreeze', unfreeze)).order_id).toBe(u.order_id) // same number: same answer
  expect((await refusal(w.api('POST', '/v3/profitsharing/orders/unfreeze', { ...unfreeze, out_order_no: no('U') }))).code).toBe('INVALID_REQUEST')
  const plain = await w.paidOrder({ profitSharing: false })
  await w.advance(60_000)
  expect((await refusal(w.api('POST', '/v3/profitsharing/orders', split(plain, [toProvider(1)])))).message).toBe('非分账订单不支持分账')
})

test('receivers/add: a merchant needs its (encrypted) name and Wechatpay-Serial; a sub-openid needs sub_appid', async () => {
  const add = { sub_mchid: w.sp.subMchid, appid: w.sp.appId, type: 'MERCHANT_ID', account: w.partner.mchid, name: 'ENCRYPTED-NAME', relation_type: 'PARTNER' }
  const noSerial = await w.raw('/v3/profitsharing/receivers/add', add, { 'Wechatpay-Serial': '' })
  expect([noSerial.status, noSerial.json.code]).toEqual([400, 'PARAM_ERROR'])
  expect((await w.raw('/v3/profitsharing/receivers/add', { ...add, name: undefined })).json.code).toBe('PARAM_ERROR')
  expect(await w.api('POST', '/v3/profitsharing/receivers/add', add)).toEqual({ sub_mchid: w.sp.subMchid, type: 'MERCHANT_ID', account: w.partner.mchid })
  await w.emu.login(w.sp.subAppId as string, 'o-shop-user')
  expect((await refusal(w.api('POST', '/v3/profitsharing/receivers/add', { sub_mchid: w.sp.subMchid, appid: w.sp.appId, type: 'PERSONAL_SUB_OPENID', account: 'o-shop-user', relation_type: 'USER' }))).code).toBe('PARAM_ERROR')
  await w.api('POST', '/v3/profitsharing/receivers/add', { sub_mchid: w.sp.subMchid, appid: w.sp.appId, sub_appid: w.sp.subAppId, type: 'PERSONAL_SUB_OPENID', account: 'o-shop-user', relation_type: 'USER' })
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const made = await w.api('POST', '/v3/profitsharing/orders', {
    ...split(order, [{ type: 'MERCHANT_ID', account: w.partner.mchid, amount: 100, description: '合作方' }, { type: 'PERSONAL_SUB_OPENID', account: 'o-shop-user', amount: 50, description: '返佣' }]),
    sub_appid: w.sp.subAppId,
  })
  expect(made.receivers.map((r: { account: string }) => r.account)).toEqual([w.partner.mchid, 'o-shop-user'])
  const toUnknownUser = { type: 'PERSONAL_OPENID', account: USER, amount: 10, description: '奖励' }
  expect((await refusal(w.api('POST', '/v3/profitsharing/orders', { ...split(order, [toUnknownUser]), appid: w.sp.appId }))).message).toBe('分账接收方关系不存在，请检查参数中每个接收方的关系')
})

test('domestic refund of a split order: RULE_LIMIT until the provider returns its share, then the refund and return-orders query', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const s = split(order, [toProvider(250)])
  const made = await w.api('POST', '/v3/profitsharing/orders', s)
  const refund = { sub_mchid: w.sp.subMchid, out_trade_no: order.outTradeNo, out_refund_no: no('RF'), amount: { refund: 1000, total: 1000, currency: 'CNY' } }
  const refused = await w.raw('/v3/refund/domestic/refunds', refund)
  expect([refused.status, refused.json.code, refused.json.message]).toEqual([403, 'RULE_LIMIT', '申请退款金额大于剩余未分账金额,请等待分账完成后再试'])
  // A partial refund within the frozen money is fine.
  expect((await w.api('POST', '/v3/refund/domestic/refunds', { ...refund, out_refund_no: no('RF'), amount: { refund: 700, total: 1000, currency: 'CNY' } })).status).toBe('PROCESSING')
  await w.advance(3000)
  const ret = { sub_mchid: w.sp.subMchid, order_id: made.order_id, out_return_no: no('R'), return_mchid: w.sp.mchid, amount: 250, description: '退款回退' }
  const r = await w.api('POST', '/v3/profitsharing/return-orders', ret)
  expect(r).toMatchObject({ order_id: made.order_id, out_order_no: s.out_order_no, return_id: expect.any(String), amount: 250, result: 'SUCCESS' })
  expect(await refusal(w.api('POST', '/v3/profitsharing/return-orders', { ...ret, out_return_no: no('R'), amount: 1 }))).toMatchObject({ message: '剩余可回退的金额不足' })
  expect((await w.api('GET', `/v3/profitsharing/return-orders/${ret.out_return_no}?sub_mchid=${w.sp.subMchid}&out_order_no=${s.out_order_no}`)).return_id).toBe(r.return_id)
  expect((await w.api('POST', '/v3/refund/domestic/refunds', { ...refund, out_refund_no: no('RF'), amount: { refund: 300, total: 1000, currency: 'CNY' } })).status).toBe('PROCESSING')
  const view = (await controlOrder(w.emu, order.outTradeNo)).profitSharing
  expect(view).toMatchObject({ enabled: true, unsplitAmount: 0, splitAmount: 250, finished: false, returns: [{ return_id: r.return_id }] })
})

test('GET /__emulator/orders lists a shop’s orders newest first, with amount and trade state', async () => {
  const first = await w.paidOrder({ total: 111, subMchid: w.narrowShop })
  await w.advance(1000)
  const second = await w.paidOrder({ total: 222, subMchid: w.narrowShop })
  const { orders } = (await (await fetch(`${w.emu.url}/__emulator/orders?mchid=${w.sp.mchid}&sub_mchid=${w.narrowShop}`)).json()) as { orders: Array<Record<string, unknown>> }
  expect(orders.slice(0, 2)).toEqual([
    { outTradeNo: second.outTradeNo, mchid: w.sp.mchid, subMchid: w.narrowShop, description: '分账测试', amount: 222, tradeState: 'SUCCESS', createdAt: expect.any(String) },
    expect.objectContaining({ outTradeNo: first.outTradeNo, amount: 111 }),
  ])
  expect(orders.every((o) => o.subMchid === w.narrowShop)).toBe(true)
  const other = (await (await fetch(`${w.emu.url}/__emulator/orders?sub_mchid=${w.partner.subMchid}`)).json()) as { orders: unknown[] }
  expect(other.orders).toEqual([])
})
