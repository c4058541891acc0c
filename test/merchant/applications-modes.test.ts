/**
 * Onboarding in certificate mode (platform certificates from /v3/certificates, the serial sent as
 * Wechatpay-Serial) and in partner mode, where orders without a shopId still go to the default shop.
 */
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, requestId, waitFor } from './helpers'
import { advance, emulatedApplyment, microBody, PERSON } from './onboarding-helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
let backend: BackendHandle

beforeAll(async () => {
  emu = await startEmulator({ platformMode: 'certificate' })
  merchant = await registerMerchant(emu, { mode: 'partner' })
  backend = await startBackend({ emulator: emu, merchant })
})
afterAll(async () => {
  await backend?.close()
  await emu?.close()
})

test('certificate mode, partner: fields encrypted for the platform certificate named in Wechatpay-Serial; orders go to the chosen shop or the default', async () => {
  expect(backend.config.platform.mode).toBe('certificate')
  const owner = await backend.loginToken('o-cert-owner')
  // The backend runs as the sub appid (WECHATPAY_SUB_APPID): the shop binds that mini-program, so its orders carry it as sub_appid.
  const body = await microBody(backend, owner)
  const res = await call(backend, 'POST', '/api/applications', { token: owner, payload: { ...body, store: { ...body.store, miniProgramSubAppid: merchant.subAppId } } })
  expect(res.status).toBe(201)
  const no = res.body.application.applicationNo
  expect(res.body.application.state).toBe('checking')
  const sent = await emulatedApplyment(emu, no)
  expect(sent.decrypted['/id_card_info/id_card_number']).toBe(PERSON.number)
  expect(JSON.stringify(sent.request)).not.toContain(PERSON.mobile)

  await advance(emu, no, 'AUDITING', 'NEED_SIGN', 'FINISH')
  await backend.app.reconciler.runOnce()
  const { shopId, subMchid } = (await backend.app.storage.applications.get(no)) as { shopId: string; subMchid: string }
  expect(shopId).toBeTruthy()
  expect(subMchid).not.toBe(merchant.subMchid)

  const buyer = await backend.loginToken('o-cert-buyer')
  const appId = merchant.subAppId ?? merchant.appId
  for (const [shop, expected] of [[shopId, subMchid], [undefined, merchant.subMchid]] as const) {
    const order = await call(backend, 'POST', '/api/orders', { token: buyer, payload: { amount: 500, description: '证书模式', requestId: requestId(), ...(shop ? { shopId: shop } : {}) } })
    expect(order).toMatchObject({ status: 201 })
    const seen = (await (await fetch(`${emu.url}/__emulator/orders/${order.body.order.orderNo}_1?mchid=${merchant.mchid}`)).json()) as { subMchid: string }
    expect(seen.subMchid).toBe(expected)
    expect(await emu.pay(order.body.payment, { appId, openid: 'o-cert-buyer' })).toBe('requestPayment:ok')
    await waitFor(async () => (await backend.app.storage.orders.get(order.body.order.orderNo))?.status === 'paid', 'order paid')
  }
})
