import { injectApp, type InjectedApp } from '../../support/inject-app'
import { expectError } from './contract-body'

let t: InjectedApp
beforeAll(async () => {
  t = await injectApp()
})
afterAll(() => t?.close())
const login = (payload: unknown) => t.request('POST', '/api/session', { payload })

describe('POST /api/session (inject, fake login API)', () => {
  test('a good code is a token that authenticates; the openid is not in it', async () => {
    const res = await login({ code: 'code-o-session-1' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ token: expect.any(String), expiresIn: t.config.sessionTtlSeconds })
    expect(Buffer.from(res.body.token.split('.')[0], 'base64url').toString()).not.toMatch(/o-session-1/)
    expect((await t.request('GET', '/api/orders', { token: res.body.token })).status).toBe(200)
  })

  test.each([
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['a code with spaces', { code: 'a b' }],
    ['a number', { code: 123 }],
  ])('%s is 400 BAD_REQUEST', async (_name, body) => {
    expectError(await login(body), 'BAD_REQUEST')
  })

  test('a code WeChat rejects is 401; WeChat unreachable is 502', async () => {
    expectError(await login({ code: 'bad' }), 'UNAUTHENTICATED')
    expectError(await login({ code: 'down' }), 'UPSTREAM_ERROR')
  })
})
