// Issue 11: a seeded, property-based run of 1,000+ malformed requests across every backend route.
// Each answer: no 5xx, the contract's error body, and nothing created that the answer did not report;
// afterwards the server is still healthy.
import fc from 'fast-check'
import { registerMerchant, startEmulator, type EmulatorHandle } from '../support/emulator'
import { badSegment, bearerVariants, fuzzBackend, mutatedJson, type RawRequest } from '../support/malformed'
import { startBackend, type BackendHandle } from '../support/merchant'

const RUNS = 1100
const ADMIN_TOKEN = 'test-admin-token-0123456789'

let emulator: EmulatorHandle
let backend: BackendHandle
let token: string
let orderNo: string

beforeAll(async () => {
  emulator = await startEmulator()
  const merchant = await registerMerchant(emulator)
  backend = await startBackend({ emulator, merchant, overrides: { rateLimitOrdersPerMin: 1e6 } })
  token = await backend.loginToken()
  const res = await fetch(`${backend.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ amount: 100, description: '基准订单', requestId: 'req-fuzz-seed' }),
  })
  orderNo = ((await res.json()) as { order: { orderNo: string } }).order.orderNo
}, 30_000)
afterAll(async () => {
  await backend?.close()
  await emulator?.close()
})

const jsonHeaders = { 'content-type': 'application/json' }

/** Every route of the backend, each with the malformations that fit it. */
function requests(): fc.Arbitrary<RawRequest> {
  const orderPath = fc.oneof(fc.constant(orderNo), badSegment)
  const auth = bearerVariants(token)
  const createBody = mutatedJson({ amount: 100, description: '咖啡', requestId: 'req-fuzz-0001' })
  return fc.oneof(
    fc.tuple(mutatedJson({ code: 'abc' }), fc.constantFrom(jsonHeaders, {}, { 'content-type': 'text/plain' })).map(([body, headers]) => ({ method: 'POST', path: '/api/session', headers, body })),
    fc.tuple(createBody, auth).map(([body, a]) => ({ method: 'POST', path: '/api/orders', headers: { ...jsonHeaders, ...a }, body })),
    auth.map((a) => ({ method: 'GET', path: '/api/orders', headers: a })),
    fc.tuple(orderPath, auth).map(([no, a]) => ({ method: 'GET', path: `/api/orders/${no}`, headers: a })),
    fc.tuple(orderPath, auth, fc.constantFrom('payment', 'close')).map(([no, a, action]) => ({ method: 'POST', path: `/api/orders/${no}/${action}`, headers: { ...jsonHeaders, ...a }, body: '{}' })),
    fc.tuple(orderPath, mutatedJson({ amount: 1, reason: '退款', requestId: 'req-fuzz-refund' }), fc.constantFrom(ADMIN_TOKEN, '', 'wrong-token-0123456789', ADMIN_TOKEN.slice(1))).map(([no, body, admin]) => ({
      method: 'POST',
      path: `/api/admin/orders/${no}/refunds`,
      headers: { ...jsonHeaders, ...(admin ? { 'x-admin-token': admin } : {}) },
      body,
    })),
    fc.tuple(mutatedJson({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: {} }), fc.record({
      'wechatpay-serial': fc.string({ maxLength: 40 }),
      'wechatpay-signature': fc.base64String({ maxLength: 344 }),
      'wechatpay-timestamp': fc.oneof(fc.integer().map(String), fc.constant(String(Math.floor(Date.now() / 1000)))),
      'wechatpay-nonce': fc.string({ maxLength: 32 }),
    }, { requiredKeys: [] })).map(([body, h]) => ({
      method: 'POST',
      path: '/api/wechatpay/notify',
      headers: { ...jsonHeaders, ...Object.fromEntries(Object.entries(h).filter(([, v]) => /^[\x20-\x7e]*$/.test(v as string))) },
      body,
    })),
    fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), fc.constantFrom('/api/orders', '/api/session', `/api/orders/${orderNo}`)).map(([method, path]) => ({ method, path, headers: {} })),
  )
}

test(`${RUNS} malformed requests: no 5xx, the contract's error body, nothing created unannounced, still healthy`, async () => {
  // Every order the fuzzed user has, whatever its status (the fuzz may close the seed order).
  const userId = (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { u: string }).u
  const orderCount = async () => (await backend.app.storage.orders.listByUser(userId, 1e6)).length
  const ordersBefore = await orderCount()
  const created = await fuzzBackend(backend.url, requests(), RUNS, '/api/orders')
  expect((await orderCount()) - ordersBefore).toBe(created)
  expect(await backend.app.storage.refunds.listUnsettled(1e6)).toHaveLength(0)
  expect((await fetch(`${backend.url}/healthz`)).status).toBe(200)
}, 180_000)
