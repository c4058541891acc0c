/** Fault injection (POST /__emulator/faults): upstream 5xx / 429 for N calls, latency, login faults. */
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { call, directOrder, signedByPlatform } from './helpers'

let emu: EmulatorHandle
let m: TestMerchant
withEmulator({ retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]), { login: 'o-fault-user' })
afterEach(() => emu.faults({ reset: true }))

const order = () => call(emu, m, '/v3/pay/transactions/jsapi', { body: directOrder(m, 'o-fault-user') })

test('500 SYSTEM_ERROR for exactly N calls of a route, then normal service', async () => {
  await emu.faults({ 'POST /v3/pay/transactions/jsapi': { status: 500, times: 2 } })
  const answers = [await order(), await order(), await order()]
  expect(answers.map((a) => [a.status, a.json.code ?? 'ok'])).toEqual([[500, 'SYSTEM_ERROR'], [500, 'SYSTEM_ERROR'], [200, 'ok']])
  expect(signedByPlatform(m, answers[0])).toBe(true)
})

test('429 FREQUENCY_LIMITED and 503 SERVICE_UNAVAILABLE; a route pattern or a concrete path selects the route', async () => {
  await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { status: 429 } })
  const limited = await call(emu, m, `/v3/pay/transactions/out-trade-no/ANY1234567?mchid=${m.mchid}`)
  expect([limited.status, limited.json.code]).toEqual([429, 'FREQUENCY_LIMITED'])
  await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/ANY1234567': { status: 503 } })
  const down = await call(emu, m, `/v3/pay/transactions/out-trade-no/ANY1234567?mchid=${m.mchid}`)
  expect([down.status, down.json.code]).toEqual([503, 'SERVICE_UNAVAILABLE'])
  const back = await call(emu, m, `/v3/pay/transactions/out-trade-no/ANY1234567?mchid=${m.mchid}`)
  expect([back.status, back.json.code]).toEqual([404, 'ORDER_NOT_EXIST'])
})

test('latency delays the answer (measured against the same call without it)', async () => {
  await emu.faults({ 'POST /v3/pay/transactions/jsapi': { latencyMs: 300 } })
  const started = performance.now()
  const a = await order()
  expect(a.status).toBe(200)
  expect(performance.now() - started).toBeGreaterThanOrEqual(290) // a lower bound only: never a budget
})

test('the login API fails with errcode -1 (system busy) under a fault', async () => {
  await emu.faults({ 'GET /sns/jscode2session': { status: 500 } })
  const code = await emu.login(m.appId, 'o-fault-user')
  const res = await fetch(`${emu.url}/sns/jscode2session?appid=${m.appId}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`)
  expect(JSON.parse(await res.text()).errcode).toBe(-1)
  // The code was not consumed by the failed call.
  const retry = await fetch(`${emu.url}/sns/jscode2session?appid=${m.appId}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`)
  expect(JSON.parse(await retry.text()).openid).toBe('o-fault-user')
})

test('GET /__emulator/faults shows what is armed; bad specs are refused whole', async () => {
  await emu.faults({ 'POST /v3/refund/domestic/refunds': { status: 502, times: 3 }, notify: { drop: 2 } })
  expect(await (await fetch(`${emu.url}/__emulator/faults`)).json()).toEqual({ 'POST /v3/refund/domestic/refunds': { status: 502, times: 3 }, notify: { drop: 2, duplicate: 0, signtest: 0 }, refund: { abnormal: 0, closed: 0, processing: 0 } })
  for (const bad of [{ 'POST /x': { status: 418 } }, { 'nonsense': { status: 500 } }, { 'POST /x': {} }, { notify: { drop: -1 } }, { 'POST /x': { status: 500, times: 1.5 } }]) {
    const res = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST')
  }
})
