// Issue 12: a storage call that cannot reach the database (StorageUnavailableError) is a 503 in the
// contract's body — the notify route's own `{code:"FAIL"}` body, so WeChat Pay redelivers — logged
// once for the burst, and the app serves again as soon as the storage answers. The outage is made by
// making the storage's calls fail (the real thing, a PostgreSQL cut mid-run, is database-outage.test.ts).
import { Writable } from 'node:stream'
import { createOutageLog, OUTAGE_QUIET_MS, OUTAGE_REMINDER_MS } from '../../../server/merchant/plugins/outage'
import type { PaymentGateway } from '../../../server/merchant/services/wechatpay-gateway'
import { StorageUnavailableError } from '../../../server/merchant/storage/errors'
import { injectApp, type InjectedApp } from '../../support/inject-app'

const lines: Array<{ level: number; msg: string }> = []
const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) })
const outageLines = () => lines.filter((l) => l.msg.startsWith('database unavailable')).length
let t: InjectedApp

beforeAll(async () => {
  t = await injectApp({ overrides: { rateLimitOrdersPerMin: 1000 }, logger: { level: 'warn', stream: sink } })
})
afterAll(() => t?.close())
afterEach(() => jest.restoreAllMocks())

/** Every call through the storage's transactions and the order reads fails as an unreachable database does. */
function databaseDown() {
  const down = () => Promise.reject(new StorageUnavailableError('connect ECONNREFUSED 127.0.0.1:5432'))
  jest.spyOn(t.app.storage, 'transaction').mockImplementation(down)
  for (const method of ['get', 'listByUser', 'findByRequest'] as const) jest.spyOn(t.app.storage.orders, method).mockImplementation(down)
  jest.spyOn(t.app.storage.notifications, 'append').mockImplementation(down)
}

type Event = Extract<Awaited<ReturnType<PaymentGateway['parseNotification']>>, { ok: true }>['event']

test('API calls answer 503 SERVICE_UNAVAILABLE while the database is away, one log line for the burst, then 200 again', async () => {
  const token = await t.login('o-outage-routes')
  const created = await t.request('POST', '/api/orders', { token, payload: { amount: 100, description: '中断', requestId: 'req-outage-routes-1' } })
  expect(created.status).toBe(201)
  const before = outageLines()

  databaseDown()
  for (let i = 0; i < 5; i++) {
    expect(await t.request('GET', '/api/orders', { token })).toEqual({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } } })
  }
  expect((await t.request('GET', `/api/orders/${created.body.order.orderNo}`, { token })).status).toBe(503)
  expect((await t.request('POST', '/api/orders', { token, payload: { amount: 100, description: '中断', requestId: 'req-outage-routes-2' } })).status).toBe(503)

  // A genuine payment notification: 503 with WeChat Pay's FAIL body, so it is sent again later.
  const outTradeNo = `${created.body.order.orderNo}_1`
  t.gateway.nextNotification = { ok: true, event: { id: 'EV-OUT', eventType: 'TRANSACTION.SUCCESS', createTime: '', summary: '', serial: 'S', kind: 'transaction', transaction: t.gateway.pay(outTradeNo) } as Event }
  const refused = await t.request('POST', '/api/wechatpay/notify', { payload: '{}', headers: { 'content-type': 'application/json' } })
  expect(refused).toEqual({ status: 503, body: { code: 'FAIL', message: expect.any(String) } })
  expect(outageLines() - before).toBe(1)

  jest.restoreAllMocks()
  expect((await t.request('GET', '/api/orders', { token })).status).toBe(200)
  expect((await t.request('POST', '/api/wechatpay/notify', { payload: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(204)
  expect((await t.app.storage.orders.get(created.body.order.orderNo))?.status).toBe('paid')
})

test('the outage log: one line per burst, a reminder while it lasts, a new burst after a quiet spell', () => {
  let now = 0
  const logged: unknown[] = []
  const log = { error: (obj: unknown) => logged.push(obj) } as unknown as Parameters<ReturnType<typeof createOutageLog>['failed']>[0]
  const outage = createOutageLog(() => now)
  const err = new StorageUnavailableError('down')
  for (let i = 0; i < 100; i++, now += 100) outage.failed(log, err)
  expect(logged).toHaveLength(1)
  for (; now < OUTAGE_REMINDER_MS + 1000; now += 1000) outage.failed(log, err)
  expect(logged).toHaveLength(2)
  expect(logged[1]).toMatchObject({ failures: expect.any(Number) })
  now += OUTAGE_QUIET_MS + 1
  outage.failed(log, err)
  expect(logged).toHaveLength(3)
  expect(logged[2]).toMatchObject({ failures: 1, forMs: 0 })
})
