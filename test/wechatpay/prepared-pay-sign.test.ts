/**
 * After an order call, the client signs the wx.requestPayment parameters on the thread pool and
 * hands them to the requestPayment that follows: same parameters a fresh signature would give (they
 * verify with the merchant key), once, only for the appid the order named, and only while fresh.
 */
import { createPublicKey } from 'node:crypto'
import { verifyRequestPayment, WechatPayClient, type PlatformVerification } from '../../server/wechatpay'
import { PREPARED_PAY_SIGN_MAX_AGE_MS, PreparedPaySigns } from '../../server/wechatpay/pay-sign-cache'
import { fakeWechatPay } from './support/fake-wechatpay'
import { apiV3Key, jsapiOrder, merchant, platform } from './support/keys'

const START = 1_767_225_600_000
const PREPAY = 'wx2026010100000000000000000000001'
const platformMode: PlatformVerification = { mode: 'publicKey', publicKeyId: platform.publicKeyId, publicKey: platform.publicKey }
const merchantPublic = createPublicKey(merchant.privateKey)
const order = jsapiOrder

/** A client whose clock the test moves and whose nonces are numbered, so a prepared paySign is told from a fresh one. */
function setup() {
  let now = START
  let n = 0
  const clock = () => now
  const fake = fakeWechatPay(() => ({ status: 200, body: { prepay_id: PREPAY } }), clock)
  const client = new WechatPayClient({ ...merchant, apiV3Key, platform: platformMode, fetch: fake.fetch, clock, nonce: () => `nonce${String(++n).padStart(27, '0')}` })
  return { client, advance: (ms: number) => (now += ms), nonces: () => n }
}

test('requestPayment right after createJsapiOrder returns the parameters signed during the call, once', async () => {
  const { client, nonces } = setup()
  await client.createJsapiOrder(order)
  const drawn = nonces() // the request's Authorization and the prepared paySign
  const first = client.requestPayment(order.appid, PREPAY)
  expect(nonces()).toBe(drawn) // nothing signed now
  expect(first.package).toBe(`prepay_id=${PREPAY}`)
  expect(verifyRequestPayment(order.appid, first, merchantPublic)).toBe(true)
  const second = client.requestPayment(order.appid, PREPAY)
  expect(nonces()).toBe(drawn + 1) // signed anew
  expect(second.nonceStr).not.toBe(first.nonceStr)
  expect(verifyRequestPayment(order.appid, second, merchantPublic)).toBe(true)
})

test('another appid, or a request more than 5 s later, gets freshly signed parameters', async () => {
  const { client, advance, nonces } = setup()
  await client.createJsapiOrder(order)
  const drawn = nonces()
  const other = client.requestPayment('wx0000000000000000', PREPAY)
  expect(nonces()).toBe(drawn + 1)
  expect(verifyRequestPayment('wx0000000000000000', other, merchantPublic)).toBe(true)

  await client.createJsapiOrder(order)
  advance(PREPARED_PAY_SIGN_MAX_AGE_MS + 1)
  const before = nonces()
  const late = client.requestPayment(order.appid, PREPAY)
  expect(nonces()).toBe(before + 1)
  expect(late.timeStamp).toBe(String(Math.floor((START + PREPARED_PAY_SIGN_MAX_AGE_MS + 1) / 1000)))
})

test('partner orders prepare for the sub_appid when there is one, else the sp_appid', async () => {
  const { client, nonces } = setup()
  const partner = { sp_appid: 'wxsp00000000000001', sp_mchid: merchant.mchid, sub_mchid: '1900000109', description: 'x', out_trade_no: 'P1', notify_url: 'https://shop.example.com/n', amount: { total: 1, currency: 'CNY' as const }, payer: { sp_openid: 'o1' } }
  await client.createPartnerJsapiOrder(partner)
  let drawn = nonces()
  client.requestPayment('wxsp00000000000001', PREPAY)
  expect(nonces()).toBe(drawn)
  await client.createPartnerJsapiOrder({ ...partner, sub_appid: 'wxsub0000000000001', payer: { sub_openid: 'o1' } })
  drawn = nonces()
  client.requestPayment('wxsub0000000000001', PREPAY)
  expect(nonces()).toBe(drawn)
})

test('the store keeps at most 1,000 unclaimed entries and drops stale ones', () => {
  let now = START
  const store = new PreparedPaySigns(() => now)
  const params = { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=x', signType: 'RSA' as const, paySign: 's' }
  for (let i = 0; i < 1_001; i++) store.put('wx1', `p${i}`, params)
  expect(store.take('wx1', 'p0')).toBeUndefined() // the oldest went
  expect(store.take('wx1', 'p1000')).toBe(params)
  now += PREPARED_PAY_SIGN_MAX_AGE_MS + 1
  store.put('wx1', 'fresh', params)
  expect(store.take('wx1', 'p999')).toBeUndefined() // stale: dropped
  expect(store.take('wx1', 'fresh')).toBe(params)
})
