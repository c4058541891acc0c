/**
 * What the WeChat client does (issue 5): wx.login → jscode2session, and wx.requestPayment with the
 * exact errMsg a phone shows.
 */
import { buildRequestPayment } from '../../server/wechatpay'
import { pooledKey, registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { clientFor, directOrder } from './helpers'

let emu: EmulatorHandle
let m: TestMerchant
let other: TestMerchant
/** The emulated clock runs ahead once a test advances it; signing follows it. */
let offsetMs = 0
const clock = () => Date.now() + offsetMs
beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001 })
  m = await registerMerchant(emu)
  other = await registerMerchant(emu)
})
afterAll(() => emu.close())

const session = async (q: Record<string, string | undefined>) => {
  const qs = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('&')
  const res = await fetch(`${emu.url}/sns/jscode2session?${qs}`)
  expect(res.status).toBe(200) // the WeChat API answers 200 and puts errors in errcode
  return JSON.parse(await res.text()) as Record<string, unknown>
}

describe('GET /sns/jscode2session', () => {
  test('a fresh code gives the openid and a session_key, once', async () => {
    const code = await emu.login(m.appId, 'o-login-user')
    const ok = await session({ appid: m.appId, secret: m.appSecret, js_code: code, grant_type: 'authorization_code' })
    expect(ok).toEqual({ openid: 'o-login-user', session_key: expect.any(String) })
    expect(ok.errcode).toBeUndefined()
    const reused = await session({ appid: m.appId, secret: m.appSecret, js_code: code, grant_type: 'authorization_code' })
    expect(reused).toMatchObject({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code/) })
  })

  test('without an openid a user gets a stable WeChat-like one per appid', async () => {
    const a = await session({ appid: m.appId, secret: m.appSecret, js_code: await emu.login(m.appId), grant_type: 'authorization_code' })
    const b = await session({ appid: m.appId, secret: m.appSecret, js_code: await emu.login(m.appId), grant_type: 'authorization_code' })
    expect(a.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/)
    expect(b.openid).toBe(a.openid)
  })

  test.each([
    ['appid missing', { appid: undefined }, 41002],
    ['secret missing', { secret: undefined }, 41004],
    ['code missing', { js_code: undefined }, 41008],
    ['grant_type wrong', { grant_type: 'client_credential' }, 40002],
    ['unknown appid', { appid: 'wx0000000000000000' }, 40013],
    ['wrong secret', { secret: 'not-the-secret' }, 40125],
    ['unknown code', { js_code: 'never-issued' }, 40029],
  ])('errcode for %s', async (_name, over, errcode) => {
    const code = await emu.login(m.appId, 'o-login-user')
    const answer = await session({ appid: m.appId, secret: m.appSecret, js_code: code, grant_type: 'authorization_code', ...over })
    expect(answer.errcode).toBe(errcode)
    expect(answer.openid).toBeUndefined()
  })

  test('a code of another appid is invalid here (40029)', async () => {
    const code = await emu.login(other.appId, 'o-login-user')
    expect((await session({ appid: m.appId, secret: m.appSecret, js_code: code, grant_type: 'authorization_code' })).errcode).toBe(40029)
  })

  test('a code expires after 5 minutes (emulated clock)', async () => {
    const code = await emu.login(m.appId, 'o-login-user')
    await emu.advanceClock(5 * 60 * 1000 + 1000)
    offsetMs += 5 * 60 * 1000 + 1000
    expect((await session({ appid: m.appId, secret: m.appSecret, js_code: code, grant_type: 'authorization_code' })).errcode).toBe(40029)
  })

  test('the path is case-sensitive, as WeChat’s (40066)', async () => {
    const res = await fetch(`${emu.url}/sns/jsCode2Session?appid=x`)
    expect(JSON.parse(await res.text()).errcode).toBe(40066)
  })

  test('login for an unregistered app is a control error', async () => {
    const res = await fetch(`${emu.url}/__emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 'wxunknown' }) })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('APP_NOT_FOUND')
  })
})

describe('POST /__emulator/pay answers what the phone would', () => {
  const OPENID = 'o-pay-user'
  const newOrder = async () => {
    const client = clientFor(emu, m, { clock })
    await emu.login(m.appId, OPENID)
    const body = directOrder(m, OPENID)
    const { prepay_id } = await client.createJsapiOrder(body)
    return { client, body, prepay_id, payment: client.requestPayment(m.appId, prepay_id) }
  }

  test('cancel and fail leave the order unpaid and payable; success pays it', async () => {
    const { payment, body } = await newOrder()
    expect(await emu.pay(payment, { appId: m.appId, outcome: 'cancel' })).toBe('requestPayment:fail cancel')
    expect(await emu.pay(payment, { appId: m.appId, outcome: 'fail' })).toMatch(/^requestPayment:fail (?!cancel)/)
    const pending = (await (await fetch(`${emu.url}/__emulator/orders/${body.out_trade_no}`)).json()) as { tradeState: string }
    expect(pending.tradeState).toBe('NOTPAY')
    expect(await emu.pay(payment, { appId: m.appId, outcome: 'success', openid: OPENID })).toBe('requestPayment:ok')
    const paid = await (await fetch(`${emu.url}/__emulator/orders/${body.out_trade_no}`)).json()
    expect(paid).toMatchObject({ tradeState: 'SUCCESS', transaction: { trade_state: 'SUCCESS', transaction_id: expect.stringMatching(/^\d{28}$/) } })
  })

  test.each([
    ['a paySign by another key', (p: Record<string, unknown>) => ({ ...p, paySign: buildRequestPayment({ appId: m.appId, prepayId: String(p.package).slice(10), privateKey: otherKey() }).paySign }), 'requestPayment:fail 支付验证签名失败'],
    // The first character always changes (a nonce that already starts with 'x' gets a 'y').
    ['a tampered nonceStr', (p: Record<string, unknown>) => ({ ...p, nonceStr: (String(p.nonceStr)[0] === 'x' ? 'y' : 'x') + String(p.nonceStr).slice(1) }), 'requestPayment:fail 支付验证签名失败'],
    ['signType MD5', (p: Record<string, unknown>) => ({ ...p, signType: 'MD5' }), 'requestPayment:fail 支付验证签名失败'],
    ['an unknown prepay_id', (p: Record<string, unknown>) => ({ ...p, package: 'prepay_id=wx00000000000000000000000000000000' }), 'requestPayment:fail prepay_id无效'],
    ['a bare prepay_id (APP style) as package', (p: Record<string, unknown>) => ({ ...p, package: String(p.package).slice(10) }), 'requestPayment:fail prepay_id无效'],
    ['a missing timeStamp', (p: Record<string, unknown>) => ({ ...p, timeStamp: undefined }), 'requestPayment:fail parameter error: parameter.timeStamp should be String instead of Undefined;'],
    ['a numeric timeStamp', (p: Record<string, unknown>) => ({ ...p, timeStamp: Number(p.timeStamp) }), 'requestPayment:fail parameter error: parameter.timeStamp should be String instead of Number;'],
  ])('%s', async (_name, tamper, errMsg) => {
    const { payment } = await newOrder()
    expect(await emu.pay(tamper(payment as unknown as Record<string, unknown>), { appId: m.appId })).toBe(errMsg)
  })

  test('the appId the app runs as must be the order’s appid', async () => {
    const { prepay_id, client } = await newOrder()
    expect(await emu.pay(client.requestPayment(other.appId, prepay_id), { appId: other.appId })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
  })

  test('another WeChat user cannot pay the order', async () => {
    const { payment } = await newOrder()
    expect(await emu.pay(payment, { appId: m.appId, openid: 'o-someone-else' })).toBe('requestPayment:fail 下单账号与支付账号不一致')
  })

  test('paying twice: the second time the order is already paid', async () => {
    const { payment } = await newOrder()
    expect(await emu.pay(payment, { appId: m.appId })).toBe('requestPayment:ok')
    expect(await emu.pay(payment, { appId: m.appId })).toBe('requestPayment:fail 该订单已支付')
  })

  test('a bad outcome is a control error, not a payment result', async () => {
    const { payment } = await newOrder()
    const res = await fetch(`${emu.url}/__emulator/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...payment, appId: m.appId, outcome: 'maybe' }) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST')
  })
})

const otherKey = () => {
  let k = pooledKey()
  while (k === m.privateKey) k = pooledKey()
  return k
}
