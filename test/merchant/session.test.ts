import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, manualClock } from './helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
let backend: BackendHandle
const clock = manualClock()

beforeAll(async () => {
  emu = await startEmulator()
  merchant = await registerMerchant(emu)
  backend = await startBackend({ emulator: emu, merchant, clock })
})
afterAll(async () => {
  await backend?.close()
  await emu?.close()
})

describe('POST /api/session', () => {
  test('a wx.login code gives a token; openid and session_key never leave the server', async () => {
    const code = await emu.login(merchant.appId, 'o-session-user-1')
    const res = await call(backend, 'POST', '/api/session', { payload: { code } })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ token: expect.any(String), expiresIn: 7200 })
    expect(JSON.stringify(res.body)).not.toContain('o-session-user-1')
    expect(Buffer.from(res.body.token.split('.')[0], 'base64url').toString()).not.toContain('o-session-user-1')
    expect(JSON.stringify(res.body)).not.toMatch(/session_key/)
    const orders = await call(backend, 'GET', '/api/orders', { token: res.body.token })
    expect(orders.status).toBe(200)
  })

  test('a reused code is 401 UNAUTHENTICATED', async () => {
    const code = await emu.login(merchant.appId)
    expect((await call(backend, 'POST', '/api/session', { payload: { code } })).status).toBe(200)
    const again = await call(backend, 'POST', '/api/session', { payload: { code } })
    expect(again.status).toBe(401)
    expect(again.body.error.code).toBe('UNAUTHENTICATED')
  })

  test('an unknown code is 401 UNAUTHENTICATED', async () => {
    const res = await call(backend, 'POST', '/api/session', { payload: { code: 'not-a-real-code' } })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  test('an expired code (older than 5 minutes) is 401 UNAUTHENTICATED', async () => {
    const code = await emu.login(merchant.appId)
    await emu.advanceClock(6 * 60_000)
    const res = await call(backend, 'POST', '/api/session', { payload: { code } })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  test.each([
    ['no body', undefined],
    ['no code', {}],
    ['empty code', { code: '' }],
    ['numeric code', { code: 12345 }],
  ])('%s is 400 BAD_REQUEST', async (_name, payload) => {
    const res = await call(backend, 'POST', '/api/session', { payload: payload as object })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
  })
})

describe('bearer tokens', () => {
  test('missing, malformed, tampered and expired tokens are 401 UNAUTHENTICATED', async () => {
    const token = await backend.loginToken()
    const [payload, sig] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ u: 'someone-else', exp: 9_999_999_999 })).toString('base64url')
    for (const bad of [undefined, 'garbage', `${payload}.${sig}x`, `${forged}.${sig}`, `${payload}`]) {
      const res = await call(backend, 'GET', '/api/orders', { token: bad })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
    expect((await call(backend, 'GET', '/api/orders', { token })).status).toBe(200)
    clock.advance(7201 * 1000)
    const expired = await call(backend, 'GET', '/api/orders', { token })
    expect(expired.status).toBe(401)
    expect(expired.body.error.message).toMatch(/expired/)
  })
})
