/**
 * Refunds that do not simply succeed (wechatpay-service-provider.md §7): NOT_ENOUGH, ABNORMAL and
 * CLOSED with their notifications, a long PROCESSING settled through the control API, the
 * one-refund-per-minute rule, and notifications to the refund's own notify_url.
 */
import { decryptResource, type RefundNotice, type RefundRequest, WechatPayError } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { call, clientFor, directOrder, eventually, notifyEndpoint, withNotifyEndpoint } from './helpers'

const OPENID = 'o-refund-outcome-user'
type Endpoint = Awaited<ReturnType<typeof notifyEndpoint>>

let emu: EmulatorHandle
let m: TestMerchant
let orderHook: Endpoint
let refundHook: Endpoint
beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001, refundSettleMs: 10 })
  m = await registerMerchant(emu)
  await emu.login(m.appId, OPENID)
  orderHook = await notifyEndpoint()
  refundHook = await notifyEndpoint()
})
afterAll(async () => {
  await emu.close()
  await orderHook.close()
  await refundHook.close()
})
afterEach(() => emu.faults({ reset: true }))

async function paidOrder(e: EmulatorHandle, merchant: TestMerchant, total = 300, clock?: () => number) {
  const client = clientFor(e, merchant, clock ? { clock } : {})
  const body = directOrder(merchant, OPENID, orderHook.url, { amount: { total, currency: 'CNY' } })
  const { prepay_id } = await client.createJsapiOrder(body)
  expect(await e.pay(client.requestPayment(merchant.appId, prepay_id), { appId: merchant.appId })).toBe('requestPayment:ok')
  return { client, outTradeNo: body.out_trade_no }
}
let seq = 0
const refundOf = (outTradeNo: string, over: Partial<RefundRequest> = {}): RefundRequest => ({
  out_trade_no: outTradeNo,
  out_refund_no: `RF${outTradeNo}_${seq++}`,
  amount: { refund: 100, total: 300, currency: 'CNY' },
  ...over,
})
const settle = async (e: EmulatorHandle, outRefundNo: string, body: unknown) => {
  const res = await fetch(`${e.url}/__emulator/refunds/${outRefundNo}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as { refund?: { status: string }; error?: { code: string; message: string } } }
}
const orderView = async (e: EmulatorHandle, outTradeNo: string) => (await (await fetch(`${e.url}/__emulator/orders/${outTradeNo}`)).json()) as { refundedFen: number; tradeState: string }
/** The REFUND.* notifications an endpoint received for one refund, decrypted. */
const noticesOf = (hook: Endpoint, merchant: TestMerchant, outRefundNo: string) =>
  hook.received
    .map((r) => JSON.parse(r.body) as { event_type: string; summary: string; resource: Parameters<typeof decryptResource>[0] })
    .map((env) => ({ eventType: env.event_type, summary: env.summary, notice: JSON.parse(decryptResource(env.resource, merchant.apiV3Key)) as RefundNotice & Record<string, unknown> }))
    .filter((n) => n.notice.out_refund_no === outRefundNo)

test('NOT_ENOUGH: a signed 403 with WeChat Pay\'s message; nothing is created, and a later retry of the same out_refund_no succeeds', async () => {
  const { client, outTradeNo } = await paidOrder(emu, m)
  await emu.faults({ 'POST /v3/refund/domestic/refunds': { code: 'NOT_ENOUGH' } })
  const request = refundOf(outTradeNo)
  const e = (await client.createRefund(request).catch((err: unknown) => err)) as WechatPayError
  expect(e).toBeInstanceOf(WechatPayError) // not RESPONSE_SIGNATURE_INVALID: the refusal is signed and verified
  expect([e.status, e.code, e.message, e.retryable]).toEqual([403, 'NOT_ENOUGH', '基本账户余额不足,请充值后重新发起', false])
  expect(((await client.queryRefund(request.out_refund_no).catch((err: unknown) => err)) as WechatPayError).code).toBe('RESOURCE_NOT_EXISTS')
  expect((await orderView(emu, outTradeNo)).refundedFen).toBe(0)
  expect((await client.createRefund(request)).status).toBe('PROCESSING')
})

test('ABNORMAL: REFUND.ABNORMAL goes to the refund\'s own notify_url with the §7 fields; the amount stays refunded', async () => {
  const { client, outTradeNo } = await paidOrder(emu, m)
  await emu.faults({ refund: { abnormal: 1 } })
  const request = refundOf(outTradeNo, { notify_url: refundHook.url })
  expect((await client.createRefund(request)).status).toBe('PROCESSING')
  await eventually(async () => (noticesOf(refundHook, m, request.out_refund_no).length ? true : undefined))
  const [n] = noticesOf(refundHook, m, request.out_refund_no)
  expect(n.eventType).toBe('REFUND.ABNORMAL')
  expect(n.summary).toBe('退款异常')
  expect(n.notice).toMatchObject({ mchid: m.mchid, out_trade_no: outTradeNo, out_refund_no: request.out_refund_no, refund_status: 'ABNORMAL', amount: { total: 300, refund: 100, payer_total: 300, payer_refund: 100 } })
  expect(n.notice.refund_id).toMatch(/^50\d{27}$/)
  expect(n.notice.transaction_id).toMatch(/^4200\d{24}$/)
  expect(typeof n.notice.user_received_account).toBe('string')
  expect(n.notice.success_time).toBeUndefined()
  expect(noticesOf(orderHook, m, request.out_refund_no)).toEqual([]) // not to the order's notify_url
  expect((await client.queryRefund(request.out_refund_no)).status).toBe('ABNORMAL')
  expect((await orderView(emu, outTradeNo)).refundedFen).toBe(100)
})

test('CLOSED: REFUND.CLOSED; the amount is refundable again; without its own notify_url the order\'s is used', async () => {
  const { client, outTradeNo } = await paidOrder(emu, m)
  await emu.faults({ refund: { closed: 1 } })
  const request = refundOf(outTradeNo, { amount: { refund: 300, total: 300, currency: 'CNY' } })
  await client.createRefund(request)
  await eventually(async () => (noticesOf(orderHook, m, request.out_refund_no).length ? true : undefined))
  const [n] = noticesOf(orderHook, m, request.out_refund_no)
  expect([n.eventType, n.summary, n.notice.refund_status]).toEqual(['REFUND.CLOSED', '退款关闭', 'CLOSED'])
  expect((await client.queryRefund(request.out_refund_no)).status).toBe('CLOSED')
  expect((await orderView(emu, outTradeNo)).refundedFen).toBe(0)
  const again = await client.createRefund(refundOf(outTradeNo, { amount: { refund: 300, total: 300, currency: 'CNY' } }))
  expect(again.status).toBe('PROCESSING')
})

describe('with the real refund interval and settle time', () => {
  let slow: EmulatorHandle
  let sm: TestMerchant
  let offsetMs = 0
  const clock = () => Date.now() + offsetMs // the merchant's clock follows the emulated one
  const advance = async (ms: number) => {
    await slow.advanceClock(ms)
    offsetMs += ms
  }
  beforeAll(async () => {
    slow = await startEmulator({ refundIntervalMs: 60_000, refundSettleMs: 600_000 })
    sm = await registerMerchant(slow)
    await slow.login(sm.appId, OPENID)
  })
  afterAll(() => slow.close())
  afterEach(() => slow.faults({ reset: true }))

  test('a second refund of the same order within 60 s is 429 FREQUENCY_LIMITED; a replay of the first is not; after a minute it is accepted', async () => {
    const { outTradeNo } = await paidOrder(slow, sm, 300, clock)
    const first = refundOf(outTradeNo)
    const post = (body: unknown) => call(slow, sm, '/v3/refund/domestic/refunds', { body, clock })
    const a = await post(first)
    expect(a.status).toBe(200)
    const second = refundOf(outTradeNo)
    const limited = await post(second)
    expect([limited.status, limited.json.code, limited.json.message]).toEqual([429, 'FREQUENCY_LIMITED', '频率限制'])
    const replay = await post(first)
    expect([replay.status, replay.json.refund_id]).toEqual([200, a.json.refund_id])
    await advance(59_000)
    expect((await post(second)).status).toBe(429)
    await advance(1_000)
    expect((await post(second)).status).toBe(200)
  })

  test('a held refund stays PROCESSING for a day, without notification, until the control call settles it (with REFUND.SUCCESS)', async () => {
    await withNotifyEndpoint([204], async (hook) => {
      const { client, outTradeNo } = await paidOrder(slow, sm, 300, clock)
      await slow.faults({ refund: { processing: 1 } })
      const request = refundOf(outTradeNo, { notify_url: hook.url })
      await client.createRefund(request)
      await advance(24 * 3600_000)
      await slow.idle()
      expect((await client.queryRefund(request.out_refund_no)).status).toBe('PROCESSING')
      expect((await slow.deliveries()).filter((d) => d.outRefundNo === request.out_refund_no)).toEqual([])

      const settled = await settle(slow, request.out_refund_no, { status: 'SUCCESS' })
      expect([settled.status, settled.json.refund?.status]).toEqual([200, 'SUCCESS'])
      await hook.waitFor(1)
      const [n] = noticesOf(hook, sm, request.out_refund_no)
      expect([n.eventType, n.notice.refund_status]).toEqual(['REFUND.SUCCESS', 'SUCCESS'])
      expect(n.notice.success_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
      const q = await client.queryRefund(request.out_refund_no)
      expect([q.status, q.success_time]).toEqual(['SUCCESS', n.notice.success_time])

      const twice = await settle(slow, request.out_refund_no, { status: 'CLOSED' })
      expect([twice.status, twice.json.error?.code]).toEqual([409, 'REFUND_NOT_PROCESSING'])
    })
  })

  test('settling a refund before its settle time sends its one notification now; unknown refunds, other merchants and bad bodies are refused', async () => {
    await withNotifyEndpoint([204], async (hook) => {
      const { client, outTradeNo } = await paidOrder(slow, sm, 300, clock)
      await advance(60_000) // the previous test's refunds are of other orders; keep this one clear of the interval anyway
      const request = refundOf(outTradeNo, { notify_url: hook.url })
      await client.createRefund(request)
      const settled = await settle(slow, request.out_refund_no, { status: 'ABNORMAL', mchid: sm.mchid })
      expect([settled.status, settled.json.refund?.status]).toEqual([200, 'ABNORMAL'])
      await hook.waitFor(1)
      expect(noticesOf(hook, sm, request.out_refund_no).map((n) => n.eventType)).toEqual(['REFUND.ABNORMAL'])
      await slow.idle() // the delivery is recorded once the endpoint's answer is back, a moment after it arrived
      expect((await slow.deliveries()).filter((d) => d.outRefundNo === request.out_refund_no && d.kind === 'attempt')).toHaveLength(1)

      expect((await settle(slow, 'R-never', { status: 'SUCCESS' })).json.error?.code).toBe('REFUND_NOT_FOUND')
      expect((await settle(slow, request.out_refund_no, { status: 'SUCCESS', mchid: '1900000009' })).status).toBe(404)
      for (const bad of [{}, { status: 'PROCESSING' }, { status: 'SUCCESS', mchid: 'x y' }]) expect((await settle(slow, request.out_refund_no, bad)).status).toBe(400)
    })
  })
})
