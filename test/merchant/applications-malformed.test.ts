// Onboarding's routes under a seeded, property-based run of malformed requests (like malformed-input.test.ts):
// no 5xx, the contract's error body, no application or applyment created that the answers did not report.
import fc from 'fast-check'
import { registerMerchant, startEmulator, type EmulatorHandle } from '../support/emulator'
import { badSegment, bearerVariants, fuzzBackend, mutatedJson, type RawRequest } from '../support/malformed'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call } from './helpers'
import { emulatedApplyments, jpeg, microBody, png } from './onboarding-helpers'

const RUNS = 600
const ADMIN_TOKEN = 'test-admin-token-0123456789'

let emulator: EmulatorHandle
let backend: BackendHandle
let token: string
let valid: Record<string, unknown>
let applicationNo: string

beforeAll(async () => {
  emulator = await startEmulator()
  const merchant = await registerMerchant(emulator, { mode: 'ecommerce' })
  backend = await startBackend({ emulator, merchant, env: { MEDIA_MAX_BYTES: '4096' }, overrides: { rateLimitOrdersPerMin: 1e6 } })
  token = await backend.loginToken()
  valid = await microBody(backend, token)
  const res = await call(backend, 'POST', '/api/applications', { token, payload: valid })
  applicationNo = res.body.application.applicationNo
}, 30_000)
afterAll(async () => {
  await backend?.close()
  await emulator?.close()
})

const jsonHeaders = { 'content-type': 'application/json' }

/** A multipart body with one part: any field name, filename and type, image or garbage bytes, or cut short. */
const multipart: fc.Arbitrary<{ headers: Record<string, string>; body: Buffer }> = fc
  .tuple(
    fc.constantFrom('file', 'image', ''),
    fc.constantFrom('a.png', 'a.jpg', 'a.bmp', 'a.gif', '', 'x"y.png', '../../etc/passwd'),
    fc.constantFrom('image/png', 'image/jpeg', 'application/octet-stream', 'text/plain', ''),
    fc.oneof(fc.constant(png()), fc.constant(jpeg()), fc.constant(png(80)), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))),
    fc.boolean(),
  )
  .map(([field, filename, type, bytes, truncated]) => {
    const boundary = 'fuzzboundary'
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`
    const whole = Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)])
    return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: truncated ? whole.subarray(0, Math.max(10, whole.length - 20)) : whole }
  })

/** One group of the valid body (idCard, bankAccount, …) mutated, the rest kept. */
const nestedMutation = (group: string) => mutatedJson(valid[group] as Record<string, unknown>).map((inner) => {
  let parsed: unknown
  try {
    parsed = JSON.parse(String(inner))
  } catch {
    return inner
  }
  return JSON.stringify({ ...valid, [group]: parsed })
})

function requests(): fc.Arbitrary<RawRequest> {
  // Mostly the right token, so the bodies reach the checks behind authentication.
  const auth = fc.oneof({ arbitrary: fc.constant({ authorization: `Bearer ${token}` }), weight: 3 }, { arbitrary: bearerVariants(token), weight: 1 })
  const body = fc.oneof(mutatedJson(valid), ...['idCard', 'bankAccount', 'contact', 'store'].map(nestedMutation))
  const no = fc.oneof(fc.constant(applicationNo), badSegment)
  return fc.oneof(
    fc.tuple(body, auth).map(([b, a]) => ({ method: 'POST', path: '/api/applications', headers: { ...jsonHeaders, ...a }, body: b })),
    fc.tuple(no, body, auth).map(([n, b, a]) => ({ method: 'PUT', path: `/api/applications/${n}`, headers: { ...jsonHeaders, ...a }, body: b })),
    fc.tuple(no, auth).map(([n, a]) => ({ method: 'GET', path: `/api/applications/${n}`, headers: a })),
    auth.map((a) => ({ method: 'GET', path: '/api/applications', headers: a })),
    fc.constantFrom(ADMIN_TOKEN, '', 'wrong-token-0123456789').map((t) => ({ method: 'GET', path: '/api/admin/applications', headers: (t ? { 'x-admin-token': t } : {}) as Record<string, string> })),
    fc.tuple(multipart, auth).map(([m, a]) => ({ method: 'POST', path: '/api/media', headers: { ...m.headers, ...a }, body: m.body })),
    fc.tuple(mutatedJson({ file: 'abc' }), auth).map(([b, a]) => ({ method: 'POST', path: '/api/media', headers: { ...jsonHeaders, ...a }, body: b })),
    badSegment.map((s) => ({ method: 'GET', path: `/api/shops/${s}`, headers: {} })),
    fc.tuple(fc.oneof(badSegment, fc.jsonValue().map((v) => JSON.stringify(v))), auth).map(([shopId, a]) => ({
      method: 'POST',
      path: '/api/orders',
      headers: { ...jsonHeaders, ...a },
      body: JSON.stringify({ amount: 100, description: '咖啡', requestId: 'req-fuzz-shop-1', shopId }),
    })),
  )
}

test(`${RUNS} malformed onboarding requests: no 5xx, the contract's error body, nothing created unannounced`, async () => {
  const applicationsBefore = (await backend.app.storage.applications.listAll(1e6)).length
  const applymentsBefore = (await emulatedApplyments(emulator)).length
  const created = await fuzzBackend(backend.url, requests(), RUNS, '/api/applications')
  expect((await backend.app.storage.applications.listAll(1e6)).length - applicationsBefore).toBe(created)
  expect((await emulatedApplyments(emulator)).length - applymentsBefore).toBe(created)
  expect(await backend.app.storage.orders.listUnpaid(0, 1e6)).toHaveLength(0)
  expect((await fetch(`${backend.url}/healthz`)).status).toBe(200)
}, 180_000)
