// Issue 11: a seeded, property-based run of malformed requests across the emulator's v3 routes, signed
// correctly (so validation is reached) or not: no 5xx, WeChat Pay's error body, no order or refund
// created by a refused request, and the emulator still healthy afterwards.
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { signRequest } from '../../server/wechatpay'
import { buildEmulator } from '../../server/emulator/app'
import { pooledPlatformKey, registerMerchant, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { badSegment, MALFORMED_SEED, mutatedJson, type RawRequest } from '../support/malformed'

const RUNS = 500

let app: ReturnType<typeof buildEmulator>
let url: string
let merchant: TestMerchant

beforeAll(async () => {
  app = buildEmulator({ generateKey: pooledPlatformKey, signtestRate: 0 })
  await app.listen({ host: '127.0.0.1', port: 0 })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  merchant = await registerMerchant({ url } as EmulatorHandle)
})
afterAll(async () => {
  await app?.close()
})

const order = (m: TestMerchant) => ({
  appid: m.appId,
  mchid: m.mchid,
  description: '咖啡',
  out_trade_no: 'FUZZ0000000001',
  notify_url: 'https://shop.example.com/notify',
  amount: { total: 100, currency: 'CNY' },
  payer: { openid: 'o_fuzz' },
})

/** v3 routes with malformed bodies and paths; the Authorization is right, stale, foreign or missing. */
function requests(): fc.Arbitrary<RawRequest & { sign: 'valid' | 'none' | 'garbage' | 'otherBody' }> {
  const no = fc.oneof(fc.constant('FUZZ0000000001'), badSegment)
  const sign = fc.constantFrom('valid' as const, 'valid' as const, 'valid' as const, 'none' as const, 'garbage' as const, 'otherBody' as const)
  return fc.oneof(
    fc.tuple(mutatedJson(order(merchant)), sign).map(([body, s]) => ({ method: 'POST', path: '/v3/pay/transactions/jsapi', headers: {}, body, sign: s })),
    fc.tuple(mutatedJson({ sp_appid: merchant.appId, sp_mchid: merchant.mchid, sub_mchid: '1900000001', description: 'x', out_trade_no: 'FUZZ2', notify_url: 'https://a.example.com/n', amount: { total: 1 }, payer: { sp_openid: 'o' } }), sign)
      .map(([body, s]) => ({ method: 'POST', path: '/v3/pay/partner/transactions/jsapi', headers: {}, body, sign: s })),
    fc.tuple(no, sign).map(([n, s]) => ({ method: 'GET', path: `/v3/pay/transactions/out-trade-no/${n}?mchid=${merchant.mchid}`, headers: {}, sign: s })),
    fc.tuple(no, mutatedJson({ mchid: merchant.mchid }), sign).map(([n, body, s]) => ({ method: 'POST', path: `/v3/pay/transactions/out-trade-no/${n}/close`, headers: {}, body, sign: s })),
    fc.tuple(mutatedJson({ out_trade_no: 'FUZZ0000000001', out_refund_no: 'R1', amount: { refund: 1, total: 100, currency: 'CNY' } }), sign)
      .map(([body, s]) => ({ method: 'POST', path: '/v3/refund/domestic/refunds', headers: {}, body, sign: s })),
    fc.tuple(no, sign).map(([n, s]) => ({ method: 'GET', path: `/v3/refund/domestic/refunds/${n}`, headers: {}, sign: s })),
    fc.tuple(fc.uint8Array({ maxLength: 256 }), fc.constantFrom('multipart/form-data; boundary=x', 'multipart/form-data', 'application/json'), sign)
      .map(([bytes, type, s]) => ({ method: 'POST', path: '/v3/merchant/media/upload', headers: { 'content-type': type }, body: Buffer.from(bytes), sign: s })),
    fc.tuple(mutatedJson({ out_request_no: 'APPLY-1', organization_type: '2401' }), sign).map(([body, s]) => ({ method: 'POST', path: '/v3/ecommerce/applyments/', headers: {}, body, sign: s })),
  )
}

test(`${RUNS} malformed v3 requests: no 5xx, WeChat Pay's error body, nothing created by a refusal`, async () => {
  const data = app.emulator.ctx.store.data
  let accepted = 0
  await fc.assert(
    fc.asyncProperty(requests(), async (req) => {
      const bodyText = req.body === undefined ? '' : req.body.toString()
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'fuzz/1.0', ...req.headers }
      if (req.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
      if (req.sign !== 'none') {
        headers.authorization = req.sign === 'garbage'
          ? 'WECHATPAY2-SHA256-RSA2048 mchid="1",serial_no="x",signature="AAAA"'
          : signRequest(merchant, req.method, req.path, req.sign === 'otherBody' ? `${bodyText}x` : bodyText)
      }
      const before = Object.keys(data.orders).length + Object.keys(data.refunds).length
      const res = await fetch(`${url}${req.path}`, { method: req.method, headers, body: req.body })
      const text = await res.text()
      expect(res.status).toBeLessThan(500)
      const created = Object.keys(data.orders).length + Object.keys(data.refunds).length - before
      if (res.status >= 400) {
        expect(JSON.parse(text)).toMatchObject({ code: expect.any(String), message: expect.any(String) })
        expect(created).toBe(0)
      } else accepted++
    }),
    { seed: MALFORMED_SEED, numRuns: RUNS, endOnFailure: true },
  )
  expect(accepted).toBeLessThan(RUNS) // the generators do produce refusals
  expect((await fetch(`${url}/healthz`)).status).toBe(200)
}, 180_000)
