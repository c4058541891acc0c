/** HTTP surface: CORS for the H5 build, unknown routes, control-API errors. */
import { startEmulator } from '../support/emulator'

test.each([
  [undefined, 'http://127.0.0.1:10086', true],
  [undefined, 'http://localhost:5173', true],
  [undefined, 'https://evil.example.com', false],
  [['https://shop.example.com'], 'https://shop.example.com', true],
  [['https://shop.example.com'], 'http://127.0.0.1:10086', false],
])('CORS origins %j: %s allowed = %s', async (corsOrigins, origin, allowed) => {
  const emu = await startEmulator({ corsOrigins })
  try {
    const res = await fetch(`${emu.url}/__emulator/pay`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null)
  } finally {
    await emu.close()
  }
})

test('unknown routes: v3 answers a WeChat Pay body, control answers the project’s error body', async () => {
  const emu = await startEmulator()
  const json = async (path: string, init?: RequestInit) => {
    const res = await fetch(emu.url + path, init)
    return [res.status, (await res.json()) as Record<string, any>] as const // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  const post = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body })
  try {
    const [v3Status, v3] = await json('/v3/nothing/here')
    expect([v3Status, v3.code]).toEqual([404, 'NOT_FOUND'])
    const [controlStatus, control] = await json('/__emulator/nothing')
    expect([controlStatus, control.error.code]).toEqual([404, 'NOT_FOUND'])
    const [badJsonStatus, badJson] = await json('/__emulator/apps', post('{"appId":'))
    expect([badJsonStatus, badJson.error.code]).toEqual([400, 'BAD_REQUEST'])
    const [badMerchantStatus, badMerchant] = await json('/__emulator/merchants', post(JSON.stringify({ mchid: '1900000001', serialNo: 'ABCDEF0123', publicKeyPem: 'not a key', apiV3Key: 'short', appIds: [] })))
    expect([badMerchantStatus, badMerchant.error.code]).toEqual([400, 'BAD_REQUEST'])
    expect(badMerchant.error.message).toMatch(/publicKeyPem/)
    expect((await json('/healthz'))[1]).toEqual({ ok: true })
  } finally {
    await emu.close()
  }
})
