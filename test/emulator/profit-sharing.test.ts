/**
 * E-commerce profit sharing (wechatpay-service-provider.md §3, §5) through the real emulator, signed
 * with WechatPayClient.call: the settling window, the 30 % cap, relations, finish, returns, the
 * 50-request limit, amounts, e-commerce refunds and RULE_LIMIT, and the control view.
 */
import { WechatPayError } from '../../server/wechatpay'
import { controlOrder, splitWorld, USER, type SplitWorld } from './split-helpers'

let w: SplitWorld
beforeAll(async () => {
  w = await splitWorld()
})
afterAll(() => w.close())

const SPLIT = '/v3/ecommerce/profitsharing/orders'
let seq = 0
const no = (p: string) => `${p}${Date.now()}${seq++}`
const toPlatform = (amount: number, extra: Record<string, unknown> = {}) => ({ type: 'MERCHANT_ID', receiver_account: w.sp.mchid, amount, description: '平台佣金', ...extra })
const split = (o: { transactionId: string }, receivers: unknown[], finish = false, outOrderNo = no('S')) => ({ sub_mchid: w.sp.subMchid, transaction_id: o.transactionId, out_order_no: outOrderNo, receivers, finish })
const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err)
  if (!(e instanceof WechatPayError)) throw new Error(`expected a WechatPayError, got ${String(e)}`)
  return { status: e.status, code: e.code, message: e.message }
}

test('"订单处理中" for the first minute after payment, then PROCESSING, then FINISHED; idempotent out_order_no', async () => {
  const order = await w.paidOrder({ total: 1000 })
  const body = split(order, [toPlatform(100)])
  const early = await w.raw(SPLIT, body)
  expect([early.status, early.json]).toEqual([400, { code: 'INVALID_REQUEST', message: '订单处理中,暂时无法分账,请稍后重试' }])
  await w.advance(60_000)
  const accepted = await w.api('POST', SPLIT, body)
  expect(accepted).toMatchObject({ sub_mchid: w.sp.subMchid, transaction_id: order.transactionId, out_order_no: body.out_order_no, status: 'PROCESSING', receivers: [{ type: 'MERCHANT_ID', receiver_account: w.sp.mchid, receiver_mchid: w.sp.mchid, amount: 100, result: 'PENDING' }] })
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${order.transactionId}/amounts`)).unsplit_amount).toBe(900)
  // The same request again is the same split; the same number with other parameters is refused.
  expect((await w.api('POST', SPLIT, body)).order_id).toBe(accepted.order_id)
  expect((await w.raw(SPLIT, { ...body, receivers: [toPlatform(101)] })).json.code).toBe('INVALID_REQUEST')
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${order.transactionId}/amounts`)).unsplit_amount).toBe(900)
  await w.advance(3000)
  const q = await w.api('GET', `${SPLIT}?sub_mchid=${w.sp.subMchid}&transaction_id=${order.transactionId}&out_order_no=${body.out_order_no}`)
  expect(q).toMatchObject({ status: 'FINISHED', order_id: accepted.order_id, receivers: [{ result: 'SUCCESS', finish_time: expect.any(String) }] })
})

test('only orders placed with profit_sharing; unknown transactions are 404', async () => {
  const plain = await w.paidOrder({ profitSharing: false })
  await w.advance(60_000)
  expect(await refusal(w.api('POST', SPLIT, split(plain, [toPlatform(1)])))).toEqual({ status: 400, code: 'INVALID_REQUEST', message: '非分账订单不支持分账' })
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${plain.transactionId}/amounts`)).unsplit_amount).toBe(0)
  expect((await refusal(w.api('POST', SPLIT, split({ transactionId: '4200000000000000000000000000' }, [toPlatform(1)])))).status).toBe(404)
})

test('the 30 % cap counts every split of the order, sent raw or through the client', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const over = await w.raw(SPLIT, split(order, [toPlatform(301)]))
  expect([over.status, over.json.code, over.json.message]).toEqual([400, 'INVALID_REQUEST', '分账金额超出最大分账比例'])
  await w.api('POST', SPLIT, split(order, [toPlatform(200)]))
  expect((await refusal(w.api('POST', SPLIT, split(order, [toPlatform(101)])))).message).toBe('分账金额超出最大分账比例')
  await w.api('POST', SPLIT, split(order, [toPlatform(100)]))
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${order.transactionId}/amounts`)).unsplit_amount).toBe(700)
})

test('receivers: another merchant or a user must be added first; the platform and its shops need not be; adding the platform is refused', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const toPartner = { type: 'MERCHANT_ID', receiver_mchid: w.partner.mchid, amount: 50, description: '供应商' }
  expect((await refusal(w.api('POST', SPLIT, split(order, [toPartner])))).message).toBe('分账接收方关系不存在，请检查参数中每个接收方的关系')
  expect(await w.api('POST', '/v3/ecommerce/profitsharing/receivers/add', { appid: w.sp.appId, type: 'MERCHANT_ID', account: w.partner.mchid, name: '供应商有限公司', relation_type: 'SUPPLIER' })).toEqual({ type: 'MERCHANT_ID', account: w.partner.mchid })
  expect(await refusal(w.api('POST', '/v3/ecommerce/profitsharing/receivers/add', { appid: w.sp.appId, type: 'MERCHANT_ID', account: w.sp.mchid, name: '平台', relation_type: 'PLATFORM' }))).toEqual({ status: 400, code: 'INVALID_REQUEST', message: '操作已完成，无需二次请求' })
  const toUser = { type: 'PERSONAL_OPENID', receiver_account: USER, amount: 10, description: '推广奖励' }
  expect((await refusal(w.api('POST', SPLIT, { ...split(order, [toUser]), appid: w.sp.appId }))).message).toBe('分账接收方关系不存在，请检查参数中每个接收方的关系')
  expect((await refusal(w.api('POST', SPLIT, split(order, [toUser])))).code).toBe('PARAM_ERROR') // appid is required for an openid
  await w.api('POST', '/v3/ecommerce/profitsharing/receivers/add', { appid: w.sp.appId, type: 'PERSONAL_OPENID', account: USER, relation_type: 'DISTRIBUTOR' })
  const two = await w.api('POST', SPLIT, { ...split(order, [toPartner, toUser]), appid: w.sp.appId })
  expect(two.receivers.map((r: { receiver_account: string }) => r.receiver_account)).toEqual([w.partner.mchid, USER])
  await w.api('POST', '/v3/ecommerce/profitsharing/receivers/delete', { appid: w.sp.appId, type: 'MERCHANT_ID', account: w.partner.mchid })
  expect((await refusal(w.api('POST', SPLIT, split(order, [toPartner])))).message).toBe('分账接收方关系不存在，请检查参数中每个接收方的关系')
})

test('finish-order unfreezes the rest; the finish shows finish_amount; nothing more can be split', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  await w.api('POST', SPLIT, split(order, [toPlatform(300)]))
  const finishNo = no('F')
  expect(await w.api('POST', '/v3/ecommerce/profitsharing/finish-order', { sub_mchid: w.sp.subMchid, transaction_id: order.transactionId, out_order_no: finishNo, description: '分账完结' })).toMatchObject({ out_order_no: finishNo, order_id: expect.any(String) })
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${order.transactionId}/amounts`)).unsplit_amount).toBe(0)
  await w.advance(3000)
  expect(await w.api('GET', `${SPLIT}?sub_mchid=${w.sp.subMchid}&transaction_id=${order.transactionId}&out_order_no=${finishNo}`)).toMatchObject({ status: 'FINISHED', finish_amount: 700, finish_description: '分账完结' })
  expect(await refusal(w.api('POST', SPLIT, split(order, [toPlatform(1)])))).toMatchObject({ status: 400, message: '分账金额超出最大分账比例' })
  const other = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  await w.api('POST', SPLIT, split(other, [toPlatform(100)], true))
  expect(await refusal(w.api('POST', SPLIT, split(other, [toPlatform(1)])))).toEqual({ status: 403, code: 'NOT_ENOUGH', message: '分账金额不足' })
})

test('returns: only from a merchant receiver whose split succeeded, never above what it got; queried by out_return_no', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const s = split(order, [toPlatform(200)])
  const made = await w.api('POST', SPLIT, s)
  const ret = (amount: number, outReturnNo = no('R'), returnMchid = w.sp.mchid) => ({ sub_mchid: w.sp.subMchid, out_order_no: s.out_order_no, out_return_no: outReturnNo, return_mchid: returnMchid, amount, description: '退货回退' })
  expect((await refusal(w.api('POST', '/v3/ecommerce/profitsharing/returnorders', ret(50)))).code).toBe('INVALID_REQUEST') // still PENDING
  await w.advance(3000)
  const first = ret(150)
  expect(await w.api('POST', '/v3/ecommerce/profitsharing/returnorders', first)).toMatchObject({ order_id: made.order_id, out_return_no: first.out_return_no, return_mchid: w.sp.mchid, amount: 150, result: 'SUCCESS', return_no: expect.any(String) })
  expect(await refusal(w.api('POST', '/v3/ecommerce/profitsharing/returnorders', ret(51)))).toEqual({ status: 400, code: 'INVALID_REQUEST', message: '剩余可回退的金额不足' })
  expect((await refusal(w.api('POST', '/v3/ecommerce/profitsharing/returnorders', ret(10, no('R'), w.partner.mchid)))).code).toBe('INVALID_REQUEST')
  expect((await w.api('POST', '/v3/ecommerce/profitsharing/returnorders', first)).return_no).toBeDefined() // same out_return_no: same return
  const q = await w.api('GET', `/v3/ecommerce/profitsharing/returnorders?sub_mchid=${w.sp.subMchid}&out_order_no=${s.out_order_no}&out_return_no=${first.out_return_no}`)
  expect(q).toMatchObject({ amount: 150, result: 'SUCCESS' })
  expect((await w.api('POST', '/v3/ecommerce/profitsharing/returnorders', { ...ret(50), out_order_no: undefined, order_id: made.order_id })).result).toBe('SUCCESS')
})

test('at most 50 split requests per order', async () => {
  const order = await w.paidOrder({ total: 5000 })
  await w.advance(60_000)
  for (let i = 0; i < 50; i++) await w.api('POST', SPLIT, split(order, [toPlatform(1)]))
  expect((await refusal(w.api('POST', SPLIT, split(order, [toPlatform(1)])))).code).toBe('INVALID_REQUEST')
})

test('e-commerce refund of a split order: RULE_LIMIT above the unsplit money, works after a return; the control view shows it all', async () => {
  const order = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  const s = split(order, [toPlatform(300)])
  await w.api('POST', SPLIT, s)
  await w.advance(3000)
  const refund = (amount: number, outRefundNo = no('RF')) => ({ sub_mchid: w.sp.subMchid, sp_appid: w.sp.appId, out_trade_no: order.outTradeNo, out_refund_no: outRefundNo, amount: { refund: amount, total: 1000, currency: 'CNY' } })
  const refused = await w.raw('/v3/ecommerce/refunds/apply', refund(1000))
  expect([refused.status, refused.json]).toEqual([403, { code: 'RULE_LIMIT', message: '申请退款金额大于剩余未分账金额,请等待分账完成后再试' }])
  await w.api('POST', '/v3/ecommerce/profitsharing/returnorders', { sub_mchid: w.sp.subMchid, out_order_no: s.out_order_no, out_return_no: no('R'), return_mchid: w.sp.mchid, amount: 300, description: '退款前回退' })
  const ok = await w.api('POST', '/v3/ecommerce/refunds/apply', refund(1000))
  expect(ok).toMatchObject({ refund_id: expect.any(String), amount: { refund: 1000, currency: 'CNY' }, refund_account: 'REFUND_SOURCE_SUB_MERCHANT' })
  await w.advance(1000)
  expect(await w.api('GET', `/v3/ecommerce/refunds/out-refund-no/${ok.out_refund_no}?sub_mchid=${w.sp.subMchid}`)).toMatchObject({ status: 'SUCCESS', out_trade_no: order.outTradeNo })
  expect((await w.api('GET', `/v3/ecommerce/refunds/id/${ok.refund_id}?sub_mchid=${w.sp.subMchid}`)).out_refund_no).toBe(ok.out_refund_no)
  expect((await w.api('GET', `/v3/ecommerce/profitsharing/orders/${order.transactionId}/amounts`)).unsplit_amount).toBe(0)

  const view = await controlOrder(w.emu, order.outTradeNo)
  expect(view.profitSharing).toMatchObject({ enabled: true, unsplitAmount: 0, splits: [{ kind: 'split', out_order_no: s.out_order_no, status: 'FINISHED' }], returns: [{ amount: 300, result: 'SUCCESS' }] })
  expect((await controlOrder(w.emu, (await w.paidOrder({ profitSharing: false })).outTradeNo)).profitSharing).toMatchObject({ enabled: false, splits: [], returns: [] })
})

test('funds_account AVAILABLE refunds from the available balance while the order awaits splitting; refund checks of sp_appid and the advance account', async () => {
  const order = await w.paidOrder({ total: 1000 })
  const body = { sub_mchid: w.sp.subMchid, sp_appid: w.sp.appId, transaction_id: order.transactionId, out_refund_no: no('RF'), amount: { refund: 1000, total: 1000, currency: 'CNY' } }
  expect((await refusal(w.api('POST', '/v3/ecommerce/refunds/apply', { ...body, sp_appid: w.partner.appId }))).code).toBe('APPID_MCHID_NOT_MATCH')
  expect((await refusal(w.api('POST', '/v3/ecommerce/refunds/apply', { ...body, refund_account: 'REFUND_SOURCE_PARTNER_ADVANCE' }))).status).toBe(403)
  // Nothing split yet: all of it is frozen, so a full refund needs no return.
  expect((await w.api('POST', '/v3/ecommerce/refunds/apply', body)).amount.refund).toBe(1000)
  const other = await w.paidOrder({ total: 1000 })
  await w.advance(60_000)
  await w.api('POST', SPLIT, split(other, [toPlatform(300)]))
  expect((await w.api('POST', '/v3/ecommerce/refunds/apply', { ...body, transaction_id: other.transactionId, out_refund_no: no('RF'), funds_account: 'AVAILABLE' })).amount.refund).toBe(1000)
})
