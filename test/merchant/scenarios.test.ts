/**
 * The three scenarios of platform.md through the real emulator: login → order → pay → notification
 * for centralized, outsourced and thirdparty, and the error a developer sees for each mismatch.
 */
import { randomBytes } from 'node:crypto'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, createOrder, waitFor } from './helpers'

let emu: EmulatorHandle
let sp: TestMerchant
let stranger: TestMerchant
const COMPONENT_APPID = `wx${randomBytes(8).toString('hex')}`
const COMPONENT_SECRET = randomBytes(16).toString('hex')
const ADMIN = { 'x-admin-token': 'test-admin-token-0123456789' }
const backends: BackendHandle[] = []

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001 })
  sp = await registerMerchant(emu, { mode: 'partner' })
  stranger = await registerMerchant(emu, { mode: 'partner' })
})
afterAll(async () => {
  for (const b of backends) await b.close()
  await emu.close()
})

const start = async (env: Record<string, string>) => {
  const b = await startBackend({ emulator: emu, merchant: sp, env, overrides: { rateLimitOrdersPerMin: 1000 } })
  backends.push(b)
  return b
}
const component = async (authorizedAppIds: string[]) =>
  ((await (await fetch(`${emu.url}/__emulator/components`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ componentAppId: COMPONENT_APPID, secret: COMPONENT_SECRET, authorizedAppIds }) })).json()) as { verifyTicket: string }).verifyTicket
const emulatorOrder = async (outTradeNo: string): Promise<Record<string, any>> => (await fetch(`${emu.url}/__emulator/orders/${outTradeNo}`)).json() as Promise<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
const thirdpartyEnv = { WECHATPAY_SCENARIO: 'thirdparty', WECHAT_COMPONENT_APPID: COMPONENT_APPID, WECHAT_COMPONENT_APPSECRET: COMPONENT_SECRET }

/** login → order → pay from `payAppId` → the notification makes it paid; answers the emulator's view of the attempt. */
async function payThrough(b: BackendHandle, openid: string) {
  const token = await b.loginToken(openid)
  const { order, payment } = await createOrder(b, token, { amount: 321 })
  expect(await emu.pay(payment, { appId: b.config.miniProgramAppId })).toBe('requestPayment:ok')
  await waitFor(async () => (await call(b, 'GET', `/api/orders/${order.orderNo}`, { token })).body.order.status === 'paid', 'paid')
  const delivered = await waitFor(async () => (await emu.deliveries()).find((d) => d.outTradeNo.startsWith(order.orderNo) && d.delivered), 'notification')
  return { token, order, payment, view: await emulatorOrder(delivered.outTradeNo) }
}

test('centralized: the provider’s mini-program logs in, orders with sp_appid + sp_openid and signs paySign for sp_appid', async () => {
  const b = await start({ WECHATPAY_SUB_APPID: '', WECHAT_APP_SECRET: sp.appSecret })
  expect([b.config.scenario, b.config.miniProgramAppId]).toEqual(['centralized', sp.appId])
  const { view, payment } = await payThrough(b, 'o-central-1')
  expect(view).toMatchObject({ appid: sp.appId, subMchid: sp.subMchid, payer: { sp_openid: 'o-central-1' }, payAppId: sp.appId, tradeState: 'SUCCESS' })
  expect(view.subAppid).toBeUndefined()
  // A mismatch a developer meets: the shop's mini-program tries to pay the provider's order.
  const again = await createOrder(b, await b.loginToken('o-central-1'))
  expect(await emu.pay(again.payment, { appId: sp.subAppId as string })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
  expect(payment.signType).toBe('RSA')
})

test('outsourced (the default with WECHATPAY_SUB_APPID): the shop’s mini-program and secret, sub_appid + sub_openid', async () => {
  const b = await start({})
  expect([b.config.scenario, b.config.miniProgramAppId]).toEqual(['outsourced', sp.subAppId])
  const { view } = await payThrough(b, 'o-outsourced-1')
  expect(view).toMatchObject({ appid: sp.appId, subAppid: sp.subAppId, payer: { sub_openid: 'o-outsourced-1' }, payAppId: sp.subAppId })
  const again = await createOrder(b, await b.loginToken('o-outsourced-1'))
  expect(await emu.pay(again.payment, { appId: sp.appId })).toBe('requestPayment:fail 调用支付JSAPI的appid与下单appid不一致')
})

test('thirdparty: login through the component with the ticket the admin handed over; sub_appid + sub_openid', async () => {
  const ticket = await component([sp.subAppId as string])
  const b = await start({ ...thirdpartyEnv, WECHAT_APP_SECRET: '' })
  expect([b.config.scenario, b.config.miniProgramAppId, b.config.appSecret]).toEqual(['thirdparty', sp.subAppId, undefined])
  // Before the ticket arrives, login cannot work and says why.
  const code = await emu.login(sp.subAppId as string, 'o-third-1')
  const early = await call(b, 'POST', '/api/session', { payload: { code } })
  expect([early.status, early.body.error.code]).toEqual([502, 'UPSTREAM_ERROR'])
  expect(early.body.error.message).toMatch(/component verify ticket/)
  expect((await call(b, 'POST', '/api/admin/component/ticket', { payload: { ticket } })).status).toBe(401)
  expect(await call(b, 'POST', '/api/admin/component/ticket', { payload: { ticket }, headers: ADMIN })).toMatchObject({ status: 200, body: { stored: true } })
  const { view } = await payThrough(b, 'o-third-1')
  expect(view).toMatchObject({ subAppid: sp.subAppId, payer: { sub_openid: 'o-third-1' }, payAppId: sp.subAppId })
})

test('thirdparty: a shop mini-program that did not authorise the component fails login with 61003', async () => {
  const ticket = await component([stranger.subAppId as string])
  const b = await start({ ...thirdpartyEnv })
  await call(b, 'POST', '/api/admin/component/ticket', { payload: { ticket }, headers: ADMIN })
  const res = await call(b, 'POST', '/api/session', { payload: { code: await emu.login(sp.subAppId as string) } })
  expect([res.status, res.body.error.code]).toEqual([502, 'UPSTREAM_ERROR'])
  expect(res.body.error.message).toMatch(/61003/)
})

test('outsourced with a sub_appid not bound to the shop: the order fails with WeChat Pay’s APPID_MCHID_NOT_MATCH', async () => {
  const b = await start({ WECHATPAY_SUB_APPID: stranger.subAppId as string, WECHAT_APP_SECRET: stranger.subAppSecret as string })
  const token = await b.loginToken('o-wrong-shop')
  const res = await call(b, 'POST', '/api/orders', { token, payload: { amount: 100, description: '错配', requestId: `req-${Date.now()}` } })
  expect([res.status, res.body.error.code]).toEqual([502, 'UPSTREAM_ERROR'])
  expect(res.body.error.message).toMatch(/APPID_MCHID_NOT_MATCH/)
})

test('the ticket route exists only in the thirdparty scenario', async () => {
  const b = await start({})
  expect((await call(b, 'POST', '/api/admin/component/ticket', { payload: { ticket: 't' }, headers: ADMIN })).status).toBe(404)
})
