/**
 * Direct JSAPI orders, queries and close (issue 5): every field constraint with WeChat Pay's code
 * and JSON-pointer field, Authorization failures, idempotent re-orders, closed/paid orders, expiry.
 */
import { request as httpRequest } from 'node:http'
import { signRequest } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { call, clientFor, directOrder, signedByPlatform, tradeNo } from './helpers'

let emu: EmulatorHandle
let m: TestMerchant
let other: TestMerchant
let offsetMs = 0
const clock = () => Date.now() + offsetMs
const OPENID = 'o-orders-user'
const advance = async (ms: number) => {
  offsetMs += ms
  await emu.advanceClock(ms)
}

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001 })
  m = await registerMerchant(emu)
  other = await registerMerchant(emu)
  await emu.login(m.appId, OPENID)
  await emu.login(other.appId, 'o-other-app-user')
})
afterAll(() => emu.close())

const order = (over: Record<string, unknown> = {}) => directOrder(m, OPENID, 'https://merchant.example.com/wxpay/notify', over)
const post = (body: unknown, o: Parameters<typeof call>[3] = {}) => call(emu, m, '/v3/pay/transactions/jsapi', { body, clock, ...o })

describe('POST /v3/pay/transactions/jsapi', () => {
  test('a valid order gets a prepay_id in a platform-signed answer', async () => {
    const a = await post(order())
    expect(a.status).toBe(200)
    expect(a.json.prepay_id).toMatch(/^wx/)
    expect(a.headers.get('request-id')).toBeTruthy()
    expect(a.headers.get('wechatpay-serial')).toBe(m.platform.serialNo)
    expect(signedByPlatform(m, a, Math.floor(clock() / 1000))).toBe(true)
  })

  test.each([
    ['loopback http notify_url', { notify_url: 'http://127.0.0.1:3000/api/wechatpay/notify' }],
    ['localhost http notify_url', { notify_url: 'http://localhost:3000/notify' }],
    ['127-character description', { description: '商'.repeat(127) }],
    ['out_trade_no with _-|*', { out_trade_no: `a_b-c|d*${Date.now()}` }],
    ['time_expire', { time_expire: '2099-01-01T00:00:00+08:00' }],
    ['optional objects', { attach: 'x', goods_tag: 'WXG', detail: { cost_price: 100, goods_detail: [{ merchant_goods_id: 'sku1', quantity: 1, unit_price: 100 }] }, scene_info: { payer_client_ip: '127.0.0.1', device_id: 'POS1' }, settle_info: { profit_sharing: false } }],
  ])('accepts %s', async (_name, over) => {
    const a = await post(order(over))
    expect([a.status, a.json]).toEqual([200, { prepay_id: expect.any(String) }])
  })

  test.each([
    ['description missing', { description: undefined }, '/description'],
    ['description empty', { description: '' }, '/description'],
    ['description of 128 characters', { description: 'x'.repeat(128) }, '/description'],
    ['description with an emoji (4-byte UTF-8)', { description: '咖啡☕😀' }, '/description'],
    ['out_trade_no shorter than 6', { out_trade_no: 'ab12' }, '/out_trade_no'],
    ['out_trade_no longer than 32', { out_trade_no: 'A'.repeat(33) }, '/out_trade_no'],
    ['out_trade_no with a forbidden character', { out_trade_no: 'order#123456' }, '/out_trade_no'],
    ['notify_url missing', { notify_url: undefined }, '/notify_url'],
    ['notify_url over plain http', { notify_url: 'http://merchant.example.com/notify' }, '/notify_url'],
    ['notify_url with a query string', { notify_url: 'https://merchant.example.com/notify?id=1' }, '/notify_url'],
    ['notify_url not absolute', { notify_url: '/notify' }, '/notify_url'],
    ['amount.total of 0', { amount: { total: 0 } }, '/amount/total'],
    ['amount.total not an integer', { amount: { total: 1.5 } }, '/amount/total'],
    ['amount.total as a string', { amount: { total: '100' } }, '/amount/total'],
    ['amount.currency other than CNY', { amount: { total: 100, currency: 'USD' } }, '/amount/currency'],
    ['payer missing', { payer: undefined }, '/payer'],
    ['payer.openid of another appid', { payer: { openid: 'o-other-app-user' } }, '/payer/openid'],
    ['payer.openid nobody has', { payer: { openid: 'o-never-logged-in' } }, '/payer/openid'],
    ['time_expire not RFC 3339', { time_expire: '2099-01-01 00:00:00' }, '/time_expire'],
    ['attach longer than 128', { attach: 'a'.repeat(129) }, '/attach'],
    ['goods_detail without quantity', { detail: { goods_detail: [{ merchant_goods_id: 'sku', unit_price: 1 }] } }, '/detail/goods_detail/0/quantity'],
  ])('400 PARAM_ERROR: %s', async (_name, over, field) => {
    const a = await post(order(over))
    expect(a.status).toBe(400)
    expect(a.json).toMatchObject({ code: 'PARAM_ERROR', message: expect.any(String), detail: { field, location: 'body' } })
    expect(signedByPlatform(m, a, Math.floor(clock() / 1000))).toBe(true)
  })

  test('400 PARAM_ERROR for a body that is not JSON (signed as sent)', async () => {
    const a = await post('{"appid":')
    expect([a.status, a.json.code]).toEqual([400, 'PARAM_ERROR'])
  })

  test('400 APPID_MCHID_NOT_MATCH for an appid not bound to the merchant', async () => {
    await emu.login(other.appId, OPENID)
    const a = await post(order({ appid: other.appId }))
    expect([a.status, a.json.code]).toEqual([400, 'APPID_MCHID_NOT_MATCH'])
  })

  test('400 INVALID_REQUEST when the body mchid is not the signing merchant', async () => {
    const a = await post(order({ mchid: other.mchid }))
    expect([a.status, a.json.code]).toEqual([400, 'INVALID_REQUEST'])
  })

  test('400 INVALID_REQUEST without Accept or User-Agent', async () => {
    // fetch always adds Accept and User-Agent, so this goes through node:http.
    const body = JSON.stringify(order())
    const authorization = signRequest({ mchid: m.mchid, serialNo: m.serialNo, privateKey: m.privateKey, clock }, 'POST', '/v3/pay/transactions/jsapi', body)
    for (const headers of [{ 'User-Agent': 'test' }, { Accept: 'application/json' }]) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const r = httpRequest(`${emu.url}/v3/pay/transactions/jsapi`, { method: 'POST', headers: { ...headers, Authorization: authorization, 'Content-Type': 'application/json' } }, (res) => {
          let text = ''
          res.on('data', (c) => (text += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        })
        r.on('error', reject)
        r.end(body)
      })
      expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent', detail: { location: 'header' } }])
    }
  })

  test('same out_trade_no, same parameters (any key order) → same prepay_id; changed → 403 OUT_TRADE_NO_USED', async () => {
    const body = order()
    const first = await post(body)
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    const again = await post(reordered)
    expect(again.json.prepay_id).toBe(first.json.prepay_id)
    for (const change of [{ amount: { total: 101, currency: 'CNY' } }, { description: '别的商品' }, { attach: 'new' }]) {
      const a = await post({ ...body, ...change })
      expect([a.status, a.json.code]).toEqual([403, 'OUT_TRADE_NO_USED'])
    }
  })
})

describe.each([
  ['POST /v3/pay/transactions/jsapi', () => ({ path: '/v3/pay/transactions/jsapi', body: order() as unknown })],
  ['GET /v3/pay/transactions/out-trade-no/{no}', () => ({ path: `/v3/pay/transactions/out-trade-no/${tradeNo()}?mchid=${m.mchid}`, body: undefined })],
  ['GET /v3/pay/transactions/id/{id}', () => ({ path: `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${m.mchid}`, body: undefined })],
  ['POST /v3/pay/transactions/out-trade-no/{no}/close', () => ({ path: `/v3/pay/transactions/out-trade-no/${tradeNo()}/close`, body: { mchid: m.mchid } as unknown })],
  ['POST /v3/refund/domestic/refunds', () => ({ path: '/v3/refund/domestic/refunds', body: { out_trade_no: tradeNo(), out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } } as unknown })],
  ['GET /v3/refund/domestic/refunds/{no}', () => ({ path: '/v3/refund/domestic/refunds/R-unknown', body: undefined })],
  ['GET /v3/certificates', () => ({ path: '/v3/certificates', body: undefined })],
])('%s refuses a bad Authorization with 401 SIGN_ERROR, unsigned', (_name, req) => {
  const expect401 = (a: Awaited<ReturnType<typeof call>>, message: string) => {
    expect(a.status).toBe(401)
    expect(a.json).toMatchObject({ code: 'SIGN_ERROR', message })
    expect(a.headers.get('wechatpay-signature')).toBeNull()
  }

  test('a signature over other bytes', async () => {
    const { path, body } = req()
    const a = await call(emu, m, path, { body, clock, signedBody: body === undefined ? 'x' : `${JSON.stringify(body)} ` })
    expect401(a, '错误的签名，验签失败')
    expect(a.json.detail).toMatchObject({ field: 'signature', issue: 'sign not match', location: 'authorization', sign_information: { method: body === undefined ? 'GET' : 'POST', url: path } })
    const message = `${body === undefined ? 'GET' : 'POST'}\n${path}\n`
    expect(a.json.detail.sign_information.truncated_sign_message.startsWith(message)).toBe(true)
  })

  test('a signature by another key under this merchant’s serial', async () => {
    const { path, body } = req()
    const a = await call(emu, m, path, { body, clock, as: { mchid: m.mchid, serialNo: m.serialNo, privateKey: other.privateKey === m.privateKey ? (await import('../support/emulator')).pooledKey() : other.privateKey } })
    expect401(a, '错误的签名，验签失败')
  })

  test('a timestamp more than 5 minutes old', async () => {
    const { path, body } = req()
    expect401(await call(emu, m, path, { body, clock: () => clock() - 301_000 }), 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟')
  })

  test('an unknown certificate serial', async () => {
    const { path, body } = req()
    expect401(await call(emu, m, path, { body, clock, as: { ...m, serialNo: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' } }), '商户证书序列号有误。')
  })

  test('an unknown mchid', async () => {
    const { path, body } = req()
    expect401(await call(emu, m, path, { body, clock, as: { ...m, mchid: '1999999999' } }), '商户号不存在或未设置APIv3密钥')
  })

  test('no or a malformed Authorization', async () => {
    const { path, body } = req()
    expect401(await call(emu, m, path, { body, clock, headers: { Authorization: '' } }), 'Http头Authorization值格式错误')
    expect401(await call(emu, m, path, { body, clock, headers: { Authorization: 'Bearer abc' } }), 'Http头Authorization认证类型不正确')
  })
})

describe('query and close', () => {
  test('query by out_trade_no and by transaction_id, and their errors', async () => {
    const body = order()
    await post(body)
    const q = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${m.mchid}`, { clock })
    expect(q.status).toBe(200)
    expect(q.json).toEqual({
      appid: m.appId, mchid: m.mchid, out_trade_no: body.out_trade_no, trade_type: 'JSAPI', trade_state: 'NOTPAY', trade_state_desc: '订单未支付',
      attach: '', payer: { openid: OPENID }, amount: { total: 100, currency: 'CNY', payer_currency: 'CNY' },
    })
    expect(signedByPlatform(m, q, Math.floor(clock() / 1000))).toBe(true)

    const noMchid = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}`, { clock })
    expect([noMchid.status, noMchid.json.code, noMchid.json.detail]).toEqual([400, 'PARAM_ERROR', expect.objectContaining({ field: 'mchid', location: 'query' })])
    const missing = await call(emu, m, `/v3/pay/transactions/out-trade-no/NOPE123456?mchid=${m.mchid}`, { clock })
    expect([missing.status, missing.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
    // Another merchant cannot see it.
    const foreign = await call(emu, other, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${other.mchid}`, { clock })
    expect([foreign.status, foreign.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
    const byUnknownId = await call(emu, m, `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${m.mchid}`, { clock })
    expect([byUnknownId.status, byUnknownId.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
    // An unpaid order has no transaction_id, so it cannot be found by one.
    const mismatch = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${other.mchid}`, { clock })
    expect([mismatch.status, mismatch.json.code]).toEqual([400, 'INVALID_REQUEST'])
  })

  test('close answers 204 with a signed empty body; a closed order cannot be re-ordered or paid', async () => {
    const client = clientFor(emu, m, { clock })
    const body = order()
    const { prepay_id } = await client.createJsapiOrder(body as never)
    const closed = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { body: { mchid: m.mchid }, clock })
    expect([closed.status, closed.text]).toEqual([204, ''])
    expect(signedByPlatform(m, closed, Math.floor(clock() / 1000))).toBe(true)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')
    // Closing again is harmless.
    await expect(client.closeOrder(body.out_trade_no)).resolves.toBeUndefined()
    const again = await post(body)
    expect([again.status, again.json.code]).toEqual([400, 'ORDER_CLOSED'])
    expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:fail 订单已关闭')
  })

  test('close errors: unknown order 404, mchid mismatch 400, missing mchid 400', async () => {
    const unknown = await call(emu, m, '/v3/pay/transactions/out-trade-no/NOPE123456/close', { body: { mchid: m.mchid }, clock })
    expect([unknown.status, unknown.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
    const body = order()
    await post(body)
    const mismatch = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { body: { mchid: other.mchid }, clock })
    expect([mismatch.status, mismatch.json.code]).toEqual([400, 'INVALID_REQUEST'])
    const noMchid = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { body: {}, clock })
    expect([noMchid.status, noMchid.json.code, noMchid.json.detail.field]).toEqual([400, 'PARAM_ERROR', '/mchid'])
  })

  test('a paid order cannot be re-ordered (403 OUT_TRADE_NO_USED) or closed (400 ORDERPAID)', async () => {
    const client = clientFor(emu, m, { clock })
    const body = order()
    const { prepay_id } = await client.createJsapiOrder(body as never)
    expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
    const again = await post(body)
    expect([again.status, again.json.code]).toEqual([403, 'OUT_TRADE_NO_USED'])
    const close = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}/close`, { body: { mchid: m.mchid }, clock })
    expect([close.status, close.json.code]).toEqual([400, 'ORDERPAID'])
    expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:fail 该订单已支付')
  })
})

describe('expiry on the emulated clock', () => {
  test('a prepay_id expires after 2 hours; the identical re-order gets a fresh one that pays', async () => {
    const client = clientFor(emu, m, { clock })
    const body = order()
    const { prepay_id } = await client.createJsapiOrder(body as never)
    await advance(2 * 3600 * 1000)
    expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:fail prepay_id已失效')
    const { prepay_id: fresh } = await client.createJsapiOrder(body as never)
    expect(fresh).not.toBe(prepay_id)
    expect(await emu.pay(client.requestPayment(m.appId, fresh), { appId: m.appId })).toBe('requestPayment:ok')
  })

  test('an unpaid order past its time_expire is CLOSED', async () => {
    const client = clientFor(emu, m, { clock })
    const expire = new Date(clock() + 3 * 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
    const body = order({ time_expire: expire })
    await client.createJsapiOrder(body as never)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('NOTPAY')
    await advance(4 * 60 * 1000)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')
  })

  test('without time_expire an order can be paid for 7 days', async () => {
    const client = clientFor(emu, m, { clock })
    const body = order()
    await client.createJsapiOrder(body as never)
    await advance(7 * 24 * 3600 * 1000 - 60_000)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('NOTPAY')
    await advance(60_000)
    expect((await client.queryOrderByOutTradeNo(body.out_trade_no)).trade_state).toBe('CLOSED')
  })
})
