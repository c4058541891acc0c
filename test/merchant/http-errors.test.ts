// Issue 11 §Inputs and limits: errors made by the HTTP layer use the contract's `{ error }` body,
// unknown fields are stripped or refused per route, and logins / forged notifications are throttled
// per source address.
import { backendSuite } from '../support/merchant'

const suite = backendSuite({ backend: { env: { RATE_LIMIT_LOGINS_PER_MIN: '3' } }, login: true })

const send = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${suite.backend.url}${path}`, init)
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}
const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${suite.token}`, ...extra },
})

describe('HTTP-layer errors in the contract body', () => {
  test.each([
    ['an over-long order number', `/api/orders/${'A'.repeat(5000)}`, () => ({}), 414, 'URI_TOO_LONG'],
    ['a malformed URL', '/api/orders/%E0%A4%A', () => ({}), 400, 'BAD_REQUEST'],
    ['an unknown route', '/api/nope', () => ({}), 404, 'NOT_FOUND'],
    ['a wrong method', '/api/orders', () => ({ method: 'DELETE' }), 404, 'NOT_FOUND'],
    ['a body over 16 KiB', '/api/orders', () => json({ amount: 1, description: 'x'.repeat(20_000), requestId: 'req-http-001' }), 413, 'PAYLOAD_TOO_LARGE'],
    ['malformed JSON', '/api/orders', () => json('{"amount":'), 400, 'BAD_REQUEST'],
    ['a non-JSON content type', '/api/orders', () => ({ method: 'POST', body: '<x/>', headers: { 'content-type': 'text/xml', authorization: `Bearer ${suite.token}` } }), 415, 'BAD_REQUEST'],
  ])('%s', async (_n, path, init, status, code) => {
    const res = await send(path, init() as RequestInit)
    expect(res.status).toBe(status)
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } })
  })
})

describe('unknown fields, decided per route', () => {
  test('POST /api/orders strips them (a newer app may send more) and creates the order', async () => {
    const res = await send('/api/orders', json({ amount: 1, description: 'x', requestId: 'req-http-strip', coupon: 'FREE' }))
    expect(res.status).toBe(201)
    expect(res.body.order).toMatchObject({ amount: 1, status: 'unpaid' })
  })

  test('POST /api/admin/orders/:orderNo/refunds refuses them: nothing is refunded on a misspelt field', async () => {
    const res = await send('/api/admin/orders/20260101000000ABCDEFGH/refunds', json({ amount: 1, requestId: 'req-http-refund', amont: 2 }, { 'x-admin-token': 'test-admin-token-0123456789' }))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
  })
})

describe('throttles per source address', () => {
  test('logins beyond RATE_LIMIT_LOGINS_PER_MIN get 429 RATE_LIMITED before any call to WeChat', async () => {
    // One login was used in beforeAll; the limit is 3 per minute.
    const codes = await Promise.all([1, 2, 3, 4].map(() => suite.emu.login(suite.backend.config.miniProgramAppId)))
    const answers = []
    for (const code of codes) answers.push(await send('/api/session', { method: 'POST', body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } }))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429])
    expect(answers[2].body.error.code).toBe('RATE_LIMITED')
  })

  test('a flood of forged notifications is refused, and only the first 30 per minute are written to the log', async () => {
    const before = (await suite.backend.app.storage.notifications.list(10_000)).length
    const forged = { id: 'x', create_time: '2026-01-01T00:00:00+08:00', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', summary: 'x', resource: {} }
    const answers = await Promise.all(Array.from({ length: 60 }, () => send('/api/wechatpay/notify', { method: 'POST', body: JSON.stringify(forged), headers: { 'content-type': 'application/json' } })))
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401]))
    expect((await suite.backend.app.storage.notifications.list(10_000)).length - before).toBe(30)
  })
})
