// Issue 12, the two-process test: two backend processes on one PostgreSQL database, behind a
// round-robin balancer, against the real emulator. Every guard that used to live in one process's
// memory must now hold across both: one transition per notification, one live attempt per order,
// and one reconciler — which another process takes over when its holder is SIGKILLed.
import { openStorage, type Storage } from '../../server/merchant/storage'
import { backendProcess, type BackendProcess } from '../support/backend-process'
import { freshPostgresDatabase } from '../support/database'
import { postgresServerForSuite } from '../support/postgres-server'
import { startBalancer, type Balancer } from '../support/balancer'
import { emulatorSuite } from '../support/emulator'
import { waitFor } from './helpers'

const postgresServer = postgresServerForSuite()
const suite = emulatorSuite({ retryScale: 0.01 })
let lb: Balancer
let a: BackendProcess
let b: BackendProcess
let storage: Storage
let seq = 0

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; body: any }

async function api(root: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const res = await fetch(`${root}${path}`, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

async function login(openid: string): Promise<string> {
  const res = await api(lb.url, 'POST', '/api/session', { body: { code: await suite.emu.login(suite.merchant.appId, openid) } })
  expect(res.status).toBe(200)
  return res.body.token as string
}

/** The attempts the emulator holds for one order (out_trade_no → trade_state). */
async function attemptStates(orderNo: string): Promise<Record<string, string>> {
  const res = await fetch(`${suite.emu.url}/__emulator/orders?mchid=${suite.merchant.mchid}`)
  const { orders } = (await res.json()) as { orders: Array<{ outTradeNo: string; tradeState: string }> }
  return Object.fromEntries(orders.filter((o) => o.outTradeNo.startsWith(`${orderNo}_`)).map((o) => [o.outTradeNo, o.tradeState]))
}

/** The out_trade_nos the emulator holds for one order (its attempts at WeChat Pay). */
const attemptsAtWechatPay = async (orderNo: string) => Object.keys(await attemptStates(orderNo)).sort()

/** An order created (through the balancer) and paid at the emulator; `lost` drops its notification. */
async function paidOrder(token: string, openid: string, { lost = false } = {}): Promise<string> {
  const created = await api(lb.url, 'POST', '/api/orders', { token, body: { amount: 100 + seq, description: '双进程测试', requestId: `two-process-${process.pid}-${seq++}` } })
  expect(created.status).toBe(201)
  if (lost) await suite.emu.faults({ notify: { drop: 1 } })
  expect(await suite.emu.pay(created.body.payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  return created.body.order.orderNo as string
}

const paidInDatabase = async (orderNo: string) => (await storage.orders.get(orderNo))?.status === 'paid'

beforeAll(async () => {
  const databaseUrl = await freshPostgresDatabase(postgresServer())
  lb = await startBalancer([])
  // One deployment: the same settings everywhere, NOTIFY_URL the balancer's.
  const env = { DATABASE_URL: databaseUrl, NOTIFY_URL: `${lb.url}/api/wechatpay/notify`, RECONCILE_INTERVAL_SECONDS: '1', RATE_LIMIT_ORDERS_PER_MIN: '100000' }
  a = await backendProcess(suite.emu, suite.merchant, env)
  b = await backendProcess(suite.emu, suite.merchant, env)
  await a.start()
  lb.targets.push(a.url)
  storage = await openStorage(databaseUrl)
  // A alone first: a payment whose notification is lost is found by A's reconciler, so A leads it.
  const token = await login('o-two-process-setup')
  const orderNo = await paidOrder(token, 'o-two-process-setup', { lost: true })
  await waitFor(() => paidInDatabase(orderNo), 'the first process reconciling a lost notification', 30_000)
  await b.start()
  lb.targets.push(b.url)
}, 120_000)

afterAll(async () => {
  a?.cleanup()
  b?.cleanup()
  await storage?.close()
  await lb?.close()
})

test('50 copies of one signed notification spread over both processes at once → one transition, paid once', async () => {
  const openid = 'o-two-process-notify'
  const token = await login(openid)
  const created = await api(lb.url, 'POST', '/api/orders', { token, body: { amount: 555, description: '五十份通知', requestId: `two-process-copies-${process.pid}` } })
  expect(created.status).toBe(201)
  const orderNo = created.body.order.orderNo as string
  // Only the notification may pay it: WeChat Pay's query of this order fails, so neither the
  // reconcilers nor a GET learn of the payment first.
  await suite.emu.faults({ [`GET /v3/pay/transactions/out-trade-no/${orderNo}_1`]: { status: 503, times: 10_000 } })
  lb.hold = true
  expect(await suite.emu.pay(created.body.payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  const held = await waitFor(() => lb.held.find((r) => r.body.length > 0), 'the notification reaching the balancer')
  lb.hold = false

  // The exact bytes and signature headers WeChat Pay sent (hop-by-hop headers are the transport's).
  const headers = Object.fromEntries(Object.entries(held.headers).filter(([k]) => k.startsWith('wechatpay-') || k === 'content-type')) as Record<string, string>
  const copies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    fetch(`${i % 2 ? b.url : a.url}/api/wechatpay/notify`, { method: 'POST', headers, body: held.body }).then((r) => r.status)))
  expect(copies).toEqual(Array(50).fill(204))

  const order = await storage.orders.get(orderNo)
  expect(order).toMatchObject({ status: 'paid', paidOutTradeNo: `${orderNo}_1` })
  const log = (await storage.notifications.list(1000)).filter((e) => e.outTradeNo === `${orderNo}_1`)
  expect(log.filter((e) => e.outcome === 'applied')).toHaveLength(1)
  expect(log.filter((e) => e.outcome === 'duplicate').length).toBeGreaterThanOrEqual(49)
  // Both processes answer the same paid order.
  for (const root of [a.url, b.url]) expect((await api(root, 'GET', `/api/orders/${orderNo}`, { token })).body.order.status).toBe('paid')
  await suite.emu.faults({ reset: true })
}, 60_000)

test('the same order created and paid from both processes at once → one order, one live attempt, one prepay at WeChat Pay', async () => {
  const openid = 'o-two-process-race'
  const token = await login(openid)
  // A slow WeChat Pay widens the window in which a second attempt could be opened.
  await suite.emu.faults({ 'POST /v3/pay/transactions/jsapi': { latencyMs: 300, times: 5 } })
  const body = { amount: 888, description: '并发下单', requestId: `two-process-race-${process.pid}` }
  // 8 at once, 4 per process: a double tap many times over. Not 10+ per process: each loser of the
  // insert waits for the winner's order lock while holding its own, and the PostgreSQL lock pool has
  // 10 connections (a known limit: the 11th waits out the 5 s connect timeout and answers 503).
  const created = await Promise.all(Array.from({ length: 8 }, (_, i) => api(i % 2 ? b.url : a.url, 'POST', '/api/orders', { token, body })))
  expect(created.map((r) => r.status).sort()).toEqual([...Array(7).fill(200), 201])
  const orderNo = created[0].body.order.orderNo as string
  for (const r of created) expect(r.body.order.orderNo).toBe(orderNo)
  const prepay = created[0].body.payment.package as string
  for (const r of created) expect(r.body.payment.package).toBe(prepay)

  const renewed = await Promise.all(Array.from({ length: 20 }, (_, i) => api(i % 2 ? a.url : b.url, 'POST', `/api/orders/${orderNo}/payment`, { token })))
  for (const r of renewed) {
    expect(r.status).toBe(200)
    expect(r.body.payment.package).toBe(prepay)
  }
  expect(await attemptsAtWechatPay(orderNo)).toEqual([`${orderNo}_1`])
  expect(await storage.attempts.listByOrder(orderNo)).toHaveLength(1)

  // Two hours on, as far as the stored attempt knows: its prepay_id has expired, so paying needs a
  // new out_trade_no — opened by one process only, the old one closed first, the rest reuse it.
  await storage.attempts.update(`${orderNo}_1`, { prepayExpiresAt: Date.now() - 1 })
  const again = await Promise.all(Array.from({ length: 20 }, (_, i) => api(i % 2 ? b.url : a.url, 'POST', `/api/orders/${orderNo}/payment`, { token })))
  for (const r of again) expect(r.status).toBe(200)
  const fresh = again[0].body.payment.package as string
  expect(fresh).not.toBe(prepay)
  for (const r of again) expect(r.body.payment.package).toBe(fresh)
  expect(await attemptStates(orderNo)).toEqual({ [`${orderNo}_1`]: 'CLOSED', [`${orderNo}_2`]: 'NOTPAY' })
  expect((await storage.attempts.listByOrder(orderNo)).map((x) => x.status)).toEqual(['closed', 'open'])

  expect(await suite.emu.pay(again[0].body.payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  await waitFor(() => paidInDatabase(orderNo), 'the order paid')
  await suite.emu.faults({ reset: true })
}, 60_000)

test('one process SIGKILLed mid-run: the other carries on, and its reconciler takes over', async () => {
  const openid = 'o-two-process-kill'
  const token = await login(openid)
  // Every notification of this run is lost: only a reconciler can learn of these payments.
  const ORDERS = 12
  await suite.emu.idle()
  // A slow WeChat Pay keeps A's orders in flight (their attempts stored, their order locks held) when it dies.
  await suite.emu.faults({ notify: { drop: ORDERS }, 'POST /v3/pay/transactions/jsapi': { latencyMs: 400, times: ORDERS } })
  const requests = Array.from({ length: ORDERS }, (_, i) => ({ amount: 200 + i, description: '进程被杀', requestId: `two-process-kill-${process.pid}-${i}` }))
  // Orders go through the balancer while A (the reconciler's holder) is SIGKILLed a few ms in; a request
  // that dies with A is sent again, as a client would, with the same requestId.
  const placing = Promise.all(requests.map(async (body) => {
    for (;;) {
      const res = await api(lb.url, 'POST', '/api/orders', { token, body }).catch(() => null)
      if (res && (res.status === 200 || res.status === 201)) return res.body as { order: { orderNo: string }; payment: Record<string, unknown> }
      await new Promise((r) => setTimeout(r, 50))
    }
  }))
  await new Promise((r) => setTimeout(r, 150))
  await a.kill()
  lb.targets.splice(lb.targets.indexOf(a.url), 1)
  const placed = await placing

  for (const { payment } of placed) expect(await suite.emu.pay(payment, { appId: suite.merchant.appId, openid })).toBe('requestPayment:ok')
  // Nobody asks about these orders: B's reconciler must find every payment on its own.
  await waitFor(async () => (await Promise.all(placed.map((p) => paidInDatabase(p.order.orderNo)))).every(Boolean), 'the survivor reconciling every lost notification', 60_000)
  for (const { order } of placed) expect(await attemptsAtWechatPay(order.orderNo)).toEqual([`${order.orderNo}_1`])
  const listed = await api(b.url, 'GET', '/api/orders', { token })
  expect(listed.status).toBe(200)
  expect(listed.body.orders.filter((o: { status: string }) => o.status === 'paid')).toHaveLength(ORDERS)
}, 120_000)
