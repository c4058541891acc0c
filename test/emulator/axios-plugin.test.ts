/**
 * An independent client, wechatpay-axios-plugin 0.9.6, creates, queries and closes an order against
 * the emulator and accepts its signed answers (it verifies every 2xx with the platform key).
 */
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { directOrder } from './helpers'

// The plugin ships CommonJS without types for this entry point.
const { Wechatpay, Rsa } = require('wechatpay-axios-plugin') as {
  Wechatpay: new (config: Record<string, unknown>) => any // eslint-disable-line @typescript-eslint/no-explicit-any
  Rsa: { from(pem: string, type: string): unknown; KEY_TYPE_PUBLIC: string; KEY_TYPE_PRIVATE: string }
}

let emu: EmulatorHandle
let m: TestMerchant
withEmulator({ retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]), { login: 'o-axios-user' })

const plugin = (platformPem = m.platform.publicKeyPem) =>
  new Wechatpay({
    mchid: m.mchid,
    serial: m.serialNo,
    privateKey: Rsa.from(m.privateKeyPem, Rsa.KEY_TYPE_PRIVATE),
    certs: { [m.platform.serialNo]: Rsa.from(platformPem, Rsa.KEY_TYPE_PUBLIC) },
    baseURL: `${emu.url}/`,
  })

test('create, query and close an order; every answer passes the plugin’s verification', async () => {
  const wxpay = plugin()
  const body = directOrder(m, 'o-axios-user')
  const created = await wxpay.v3.pay.transactions.jsapi.post(body)
  expect(created.status).toBe(200)
  expect(created.data.prepay_id).toMatch(/^wx/)

  const queried = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: m.mchid }, out_trade_no: body.out_trade_no })
  expect(queried.data).toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'NOTPAY', amount: { total: 100 } })

  const closed = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ mchid: m.mchid }, { out_trade_no: body.out_trade_no })
  expect(closed.status).toBe(204)

  const after = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: m.mchid }, out_trade_no: body.out_trade_no })
  expect(after.data.trade_state).toBe('CLOSED')
})

test('the plugin refuses the answer when it holds a different platform key (the signature is real)', async () => {
  const { generateKeyPairSync } = await import('node:crypto')
  const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
  await expect(plugin(wrong).v3.pay.transactions.jsapi.post(directOrder(m, 'o-axios-user'))).rejects.toThrow()
})

test('an error answer reaches the plugin with WeChat Pay’s status and body', async () => {
  const error = await plugin()
    .v3.pay.transactions.jsapi.post(directOrder(m, 'o-axios-user', 'https://merchant.example.com/n?x=1'))
    .catch((e: { response: { status: number; data: unknown } }) => e)
  expect(error.response.status).toBe(400)
  expect(error.response.data).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/notify_url' } })
})
