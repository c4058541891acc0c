// Issue 12: PostgreSQL going away mid-run. The backend (a real process) reaches its database through a
// TCP proxy the test cuts: every connection dropped, new ones refused. Requests then get 503
// SERVICE_UNAVAILABLE in the contract's body, WeChat Pay's notification a 503 FAIL (so it is
// redelivered), one log line for the burst, no crash; once the database is reachable again the
// backend serves as before and the payment made during the outage ends paid.
import { backendProcess, type BackendProcess } from '../support/backend-process'
import { freshPostgresDatabase } from '../support/database'
import { postgresServerForSuite } from '../support/postgres-server'
import { emulatorSuite } from '../support/emulator'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy'
import { waitFor } from './helpers'

const postgresServer = postgresServerForSuite()
const suite = emulatorSuite({ retryScale: 0.01 })
let proxy: TcpProxy
let proc: BackendProcess
let viaProxy: URL

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${proc.url}${path}`, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

beforeAll(async () => {
  const direct = new URL(await freshPostgresDatabase(postgresServer()))
  proxy = await startTcpProxy(Number(direct.port))
  viaProxy = new URL(direct)
  viaProxy.port = String(proxy.port)
  proc = await backendProcess(suite.emu, suite.merchant, { DATABASE_URL: viaProxy.toString(), RECONCILE_INTERVAL_SECONDS: '1' })
  await proc.start()
}, 60_000)
afterAll(async () => {
  proc?.cleanup()
  await proxy?.close()
})

test('the database down mid-run: 503s and one log line, no crash; back up: served again, the payment made meanwhile ends paid', async () => {
  const openid = 'o-outage'
  const login = await api('POST', '/api/session', { body: { code: await suite.emu.login(suite.merchant.appId, openid) } })
  expect(login.status).toBe(200)
  const token = login.body.token as string
  const created = await api('POST', '/api/orders', { token, body: { amount: 321, description: '数据库中断', requestId: `outage-${process.pid}-1` } })
  expect(created.status).toBe(201)
  const { orderNo } = created.body.order as { orderNo: string }
  const logLines = () => proc.stdout().split('\n').filter((l) => l.includes('"msg":"database unavailable: answering 503')).length
  const before = logLines()

  await proxy.cut()
  for (let i = 0; i < 10; i++) {
    const res = await api('GET', '/api/orders', { token })
    expect(res).toEqual({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } } })
  }
  expect((await api('POST', '/api/orders', { token, body: { amount: 1, description: '中断时下单', requestId: `outage-${process.pid}-2` } })).status).toBe(503)
  // The user pays while the database is away: the notification is refused with a 5xx FAIL, so WeChat Pay redelivers.
  expect(await suite.emu.pay(created.body.payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  const refused = await waitFor(async () => (await suite.emu.deliveries()).find((d) => d.outTradeNo === `${orderNo}_1` && d.status === 503), 'a notification refused with 503')
  expect(JSON.parse(refused.response?.body ?? '{}')).toMatchObject({ code: 'FAIL' })
  expect(() => process.kill(proc.pid() as number, 0)).not.toThrow()
  expect(logLines() - before).toBe(1)

  await proxy.restore()
  await waitFor(async () => (await api('GET', '/api/orders', { token })).status === 200, 'the backend serving again', 30_000)
  await waitFor(async () => (await api('GET', `/api/orders/${orderNo}`, { token })).body.order.status === 'paid', 'the order paid after the outage', 30_000)
  const later = await api('POST', '/api/orders', { token, body: { amount: 1, description: '恢复后下单', requestId: `outage-${process.pid}-3` } })
  expect(later.status).toBe(201)
  // The reconciler leads again after the outage: a payment whose notification is lost is still found
  // (the list reads storage only; it never asks WeChat Pay).
  await suite.emu.faults({ notify: { drop: 1 } })
  expect(await suite.emu.pay(later.body.payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  await waitFor(async () => (await api('GET', '/api/orders', { token })).body.orders.find((o: { orderNo: string }) => o.orderNo === later.body.order.orderNo)?.status === 'paid', 'the reconciler finding a lost notification after the outage', 30_000)
}, 120_000)

test.each([['1'], ['2']])('WORKERS=%s: a database that refuses at start-up stops the start with one line naming DATABASE_URL', async (workers) => {
  await proxy.cut()
  try {
    const refused = await backendProcess(suite.emu, suite.merchant, { DATABASE_URL: viaProxy.toString(), WORKERS: workers })
    await expect(refused.start()).rejects.toThrow(/backend exited/)
    const lines = refused.stderr().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^DATABASE_URL: cannot use the PostgreSQL database/)
    expect(lines[0]).not.toContain(viaProxy.password)
  } finally {
    await proxy.restore()
  }
}, 60_000)
