/**
 * The three ways of owning the mini-program (wechatpay-service-provider.md §6): the open-platform
 * component's token and login, and the mismatches WeChat refuses in each scenario.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { call, clientFor, tradeNo } from './helpers'

let emu: EmulatorHandle
let sp: TestMerchant
let other: TestMerchant
const COMPONENT = 'wxcomponent0000001'
const SECRET = 'component-secret-0123456789'
let ticket: string

const post = async (path: string, body: unknown) => {
  const res = await fetch(emu.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any
}
const get = async (path: string, query: Record<string, string>) => {
  const res = await fetch(`${emu.url}${path}?${new URLSearchParams(query)}`)
  return { status: res.status, type: res.headers.get('content-type'), json: JSON.parse(await res.text()) as Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any
}
const token = async () => (await post('/cgi-bin/component/api_component_token', { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: ticket })).json.component_access_token as string
const componentLogin = async (appid: string, jsCode: string, accessToken: string, componentAppId = COMPONENT) =>
  get('/sns/component/jscode2session', { appid, js_code: jsCode, grant_type: 'authorization_code', component_appid: componentAppId, component_access_token: accessToken })

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001 })
  sp = await registerMerchant(emu, { mode: 'partner' })
  other = await registerMerchant(emu, { mode: 'partner' })
  ticket = (await post('/__emulator/components', { componentAppId: COMPONENT, secret: SECRET, authorizedAppIds: [sp.subAppId] })).json.verifyTicket
})
afterAll(() => emu.close())

describe('component access token', () => {
  test('the pushed ticket buys a 7200 s token', async () => {
    expect(ticket).toMatch(/^ticket@@@/)
    const a = await post('/cgi-bin/component/api_component_token', { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: ticket })
    expect(a.status).toBe(200)
    expect(a.json).toEqual({ component_access_token: expect.any(String), expires_in: 7200 })
  })

  test.each([
    ['a wrong secret', { component_appsecret: 'nope' }, 40125],
    ['an unknown ticket', { component_verify_ticket: 'ticket@@@forged' }, 61006],
    ['an unknown component', { component_appid: 'wxnotacomponent00' }, 61011],
    ['no component_appid', { component_appid: undefined }, 41018],
  ])('refuses %s with its errcode (HTTP 200)', async (_name, over, errcode) => {
    const a = await post('/cgi-bin/component/api_component_token', { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: ticket, ...over })
    expect(a.status).toBe(200)
    expect(a.json).toMatchObject({ errcode, errmsg: expect.any(String) })
    expect(a.json.component_access_token).toBeUndefined()
  })

})

describe('component jscode2session', () => {
  test('logs a user of the authorised mini-program in, openid scoped to that appid, code used once', async () => {
    const t = await token()
    const code = await emu.login(sp.subAppId as string, 'o-third-user')
    const a = await componentLogin(sp.subAppId as string, code, t)
    expect(a.status).toBe(200)
    expect(a.type).toMatch(/^text\/plain/)
    expect(a.json).toEqual({ openid: 'o-third-user', session_key: expect.any(String) })
    expect((await componentLogin(sp.subAppId as string, code, t)).json.errcode).toBe(40029)
  })

  test('a mini-program that did not authorise the component: 61003', async () => {
    const code = await emu.login(other.subAppId as string)
    const a = await componentLogin(other.subAppId as string, code, await token())
    expect(a.json).toMatchObject({ errcode: 61003, errmsg: expect.stringContaining('component is not authorized by this account') })
  })

  test('a code of another mini-program, a made-up code, a forged token', async () => {
    const t = await token()
    expect((await componentLogin(sp.subAppId as string, await emu.login(sp.appId), t)).json.errcode).toBe(40029)
    expect((await componentLogin(sp.subAppId as string, 'not-a-code', t)).json.errcode).toBe(40029)
    expect((await componentLogin(sp.subAppId as string, await emu.login(sp.subAppId as string), 'forged')).json.errcode).toBe(40001)
  })

  test('the plain jscode2session still needs the mini-program’s own secret', async () => {
    const code = await emu.login(sp.subAppId as string)
    const a = await get('/sns/jscode2session', { appid: sp.subAppId as string, secret: SECRET, js_code: code, grant_type: 'authorization_code' })
    expect(a.json.errcode).toBe(40125)
  })
})

describe('scenarios: the appid that pays must be the one that ordered', () => {
  const order = (payer: Record<string, string>, over: Record<string, unknown> = {}) => ({
    sp_appid: sp.appId,
    sp_mchid: sp.mchid,
    sub_mchid: sp.subMchid,
    description: '场景测试',
    out_trade_no: tradeNo('S'),
    notify_url: 'https://merchant.example.com/notify',
    amount: { total: 100, currency: 'CNY' },
    payer,
    ...over,
  })

  test('centralized: sp_appid + sp_openid, paid from the provider’s mini-program only', async () => {
    await emu.login(sp.appId, 'o-central')
    const client = clientFor(emu, sp)
    const { prepay_id } = await client.createPartnerJsapiOrder(order({ sp_openid: 'o-central' }) as never)
    expect(await emu.pay(client.requestPayment(sp.subAppId as string, prepay_id), { appId: sp.subAppId as string })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
    expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId })).toBe('requestPayment:ok')
  })

  test('outsourced and thirdparty: sub_appid + sub_openid, paid from the shop’s mini-program only', async () => {
    const t = await token()
    const openid = (await componentLogin(sp.subAppId as string, await emu.login(sp.subAppId as string, 'o-third-pay'), t)).json.openid as string
    const client = clientFor(emu, sp)
    const { prepay_id } = await client.createPartnerJsapiOrder(order({ sub_openid: openid }, { sub_appid: sp.subAppId }) as never)
    // paySign over the provider's appid while the shop's mini-program pays: the signature check fails.
    expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.subAppId as string })).toBe('requestPayment:fail 支付验证签名失败')
    expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
    expect(await emu.pay(client.requestPayment(sp.subAppId as string, prepay_id), { appId: sp.subAppId as string })).toBe('requestPayment:ok')
  })

  test.each([
    ['a thirdparty openid sent as sp_openid (it belongs to the shop’s appid)', () => order({ sp_openid: 'o-third-user' }), 'PARAM_ERROR', 'appid和openid不匹配'],
    ['a provider openid sent as sub_openid', () => order({ sub_openid: 'o-central' }, { sub_appid: sp.subAppId }), 'PARAM_ERROR', 'appid和openid不匹配'],
    ['a sub_appid not bound to the shop', () => order({ sub_openid: 'o-third-user' }, { sub_appid: other.subAppId }), 'APPID_MCHID_NOT_MATCH', 'sub_appid和sub_mchid不匹配'],
    ['sub_openid without sub_appid', () => order({ sub_openid: 'o-third-user' }), 'PARAM_ERROR', undefined],
  ])('the order is refused for %s', async (_name, body, code, message) => {
    await emu.login(sp.appId, 'o-central')
    await emu.login(sp.subAppId as string, 'o-third-user')
    const a = await call(emu, sp, '/v3/pay/partner/transactions/jsapi', { body: body() })
    expect([a.status, a.json.code]).toEqual([400, code])
    if (message) expect(a.json.message).toBe(message)
  })
})

describe('expiry on the emulated clock (an emulator of its own: moving its clock would spoil v3 signatures)', () => {
  let late: EmulatorHandle
  beforeAll(async () => {
    late = await startEmulator()
    await fetch(`${late.url}/__emulator/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 'wxshopapp00000001', secret: 's' }) })
  })
  afterAll(() => late.close())
  const lpost = async (path: string, body: unknown) => (await (await fetch(late.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

  test('a token lives 7200 s (42001 after), a ticket 12 hours (61005 after)', async () => {
    const { verifyTicket } = await lpost('/__emulator/components', { componentAppId: COMPONENT, secret: SECRET, authorizedAppIds: ['wxshopapp00000001'] })
    const tokenBody = { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: verifyTicket }
    const t = (await lpost('/cgi-bin/component/api_component_token', tokenBody)).component_access_token as string
    const login = async () => {
      const q = new URLSearchParams({ appid: 'wxshopapp00000001', js_code: await late.login('wxshopapp00000001'), grant_type: 'authorization_code', component_appid: COMPONENT, component_access_token: t })
      return JSON.parse(await (await fetch(`${late.url}/sns/component/jscode2session?${q}`)).text()) as Record<string, unknown>
    }
    expect(await login()).toMatchObject({ openid: expect.any(String) })
    await late.advanceClock(7200 * 1000)
    expect(await login()).toMatchObject({ errcode: 42001 })
    await late.advanceClock(10 * 3600 * 1000)
    expect((await lpost('/cgi-bin/component/api_component_token', tokenBody)).errcode).toBe(61005)
  })
})

test('components, their tickets and tokens survive a restart from the state file', async () => {
  const statePath = join(mkdtempSync(join(tmpdir(), 'emu-component-')), 'state.json')
  const first = await startEmulator({ statePath })
  const send = async (e: EmulatorHandle, path: string, body: unknown) => (await (await fetch(e.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  const { verifyTicket } = await send(first, '/__emulator/components', { componentAppId: COMPONENT, secret: SECRET, authorizedAppIds: ['wxshopapp00000002'] })
  const { component_access_token: t } = await send(first, '/cgi-bin/component/api_component_token', { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: verifyTicket })
  await first.close()
  const second = await startEmulator({ statePath })
  try {
    expect((await send(second, '/cgi-bin/component/api_component_token', { component_appid: COMPONENT, component_appsecret: SECRET, component_verify_ticket: verifyTicket })).expires_in).toBe(7200)
    const q = new URLSearchParams({ appid: 'wxshopapp00000002', js_code: await second.login('wxshopapp00000002', 'o-kept'), grant_type: 'authorization_code', component_appid: COMPONENT, component_access_token: t })
    expect(JSON.parse(await (await fetch(`${second.url}/sns/component/jscode2session?${q}`)).text())).toMatchObject({ openid: 'o-kept' })
  } finally {
    await second.close()
  }
})
