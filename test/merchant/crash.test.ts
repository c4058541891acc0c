// Issue 11, the crash test: 100+ orders with payments, duplicated notifications and refunds while the
// backend process is SIGKILLed at random moments and restarted on the same file database. Afterwards
// every order paid at the emulator is paid in the backend, nothing is refunded twice, and the sum
// refunded never exceeds what was paid.
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { backendProcess, type BackendProcess } from '../support/backend-process'
import { waitFor } from './helpers'

const ORDERS = 100
const USERS = 4
/** SIGKILLs per run, at seeded points. */
const KILLS = 8
const ADMIN = { 'x-admin-token': 'test-admin-token-0123456789' }

let emu: EmulatorHandle
let merchant: TestMerchant
let proc: BackendProcess

/** Seeded uniform [0, 1) (mulberry32), so the run's choices are reproducible. */
function seeded(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = seeded(20261201)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.002 })
  merchant = await registerMerchant(emu)
  // The reconciler settles whatever a kill left pending; rate limits are not under test here.
  proc = await backendProcess(emu, merchant, { RECONCILE_INTERVAL_SECONDS: '1', RATE_LIMIT_ORDERS_PER_MIN: '100000' })
  await proc.start()
})
afterAll(async () => {
  proc?.cleanup()
  await emu?.close()
})

/** One HTTP call that rides out kills: a lost connection is retried as is (same requestId) once the backend is back. */
async function api(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (;;) {
    try {
      const res = await fetch(`${proc.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    } catch {
      await sleep(100)
    }
  }
}

test(`${ORDERS} orders with payments, duplicate notifications and refunds while the backend is SIGKILLed at random`, async () => {
  await emu.faults({ notify: { duplicate: 10_000 } })
  const tokens: string[] = []
  for (let u = 0; u < USERS; u++) {
    const code = await emu.login(merchant.appId, `o-crash-${u}`)
    const res = await api('POST', '/api/session', {}, { code })
    expect(res.status).toBe(200)
    tokens.push(res.body.token)
  }

  // Kills at seeded orders, each a seeded 0–400 ms into that order's requests (creating, paying or
  // refunding it), so the count does not depend on how fast this machine runs the loop.
  const killAt = new Map<number, number>()
  while (killAt.size < KILLS) killAt.set(Math.floor(random() * ORDERS), Math.floor(random() * 400))
  let kills = 0
  const killSoon = async (delayMs: number) => {
    await sleep(delayMs)
    await proc.kill()
    kills++
    await proc.start()
  }

  const orders: Array<{ orderNo: string; amount: number; token: string; refundRequests: number }> = []
  let refundsAsked = 0
  for (let i = 0; i < ORDERS; i++) {
    const delay = killAt.get(i)
    const killing = delay === undefined ? null : killSoon(delay)
    const token = tokens[i % USERS]
    const auth = { authorization: `Bearer ${token}` }
    const amount = 100 + Math.floor(random() * 9900)
    const requestId = `crash-order-${i}`
    let created
    do created = await api('POST', '/api/orders', auth, { amount, description: `崩溃测试 ${i}`, requestId })
    while (created.status >= 500)
    expect([200, 201]).toContain(created.status)
    const { orderNo } = created.body.order
    const record = { orderNo, amount, token, refundRequests: 0 }
    orders.push(record)
    if (created.body.payment) expect(await emu.pay(created.body.payment, { appId: merchant.appId, openid: `o-crash-${i % USERS}` })).toBe('requestPayment:ok')

    if (random() < 0.4) {
      // Refunds need the backend to know the order paid (a GET asks WeChat Pay if the notification is late).
      await waitFor(async () => ['paid', 'refunded'].includes((await api('GET', `/api/orders/${orderNo}`, auth)).body?.order?.status), `order ${orderNo} paid`, 30_000)
      const parts = random() < 0.3 ? [Math.floor(amount / 2), amount - Math.floor(amount / 2)] : [1 + Math.floor(random() * (amount - 1))]
      for (const [k, part] of parts.entries()) {
        record.refundRequests++
        refundsAsked++
        // Same requestId on every retry: a refund whose answer a kill swallowed is the same refund.
        for (;;) {
          const res = await api('POST', `/api/admin/orders/${orderNo}/refunds`, ADMIN, { amount: part, reason: '崩溃测试退款', requestId: `crash-refund-${i}-${k}` })
          if (res.status === 200 || res.status === 201) break
          if (res.status !== 502 && res.status !== 409 && res.status < 500) throw new Error(`refund refused: ${res.status} ${JSON.stringify(res.body)}`)
          await sleep(200) // outcome unknown or the previous refund still pending: ask again with the same requestId
        }
      }
    }
    await killing
  }

  // Settled state: WeChat Pay's word (the emulator) against the backend's, once the reconciler has run.
  let refundedAtEmulator = 0
  await waitFor(async () => {
    refundedAtEmulator = 0
    for (const o of orders) {
      const emuOrder = await (await fetch(`${emu.url}/__emulator/orders/${o.orderNo}_1`)).json() as { tradeState: string; refunds: Array<{ status: string; amount: { refund: number } }> }
      const back = (await api('GET', `/api/orders/${o.orderNo}`, { authorization: `Bearer ${o.token}` })).body.order
      if (!['SUCCESS', 'REFUND'].includes(emuOrder.tradeState)) return false
      if (!['paid', 'refunded'].includes(back.status)) return false
      const live = emuOrder.refunds.filter((r) => r.status === 'SUCCESS' || r.status === 'PROCESSING')
      const sum = live.reduce((s, r) => s + r.amount.refund, 0)
      // Nothing refunded twice: at most one refund at WeChat Pay per refund asked; never more than paid.
      expect(emuOrder.refunds.length).toBeLessThanOrEqual(o.refundRequests)
      expect(sum).toBeLessThanOrEqual(o.amount)
      if (back.refundedAmount !== sum) return false
      refundedAtEmulator += sum
    }
    return true
  }, 'every paid order paid in the backend with the refunded amount WeChat Pay has', 60_000)

  const deliveries = await emu.deliveries()
  console.log(`crash test: ${ORDERS} orders paid, ${refundsAsked} refunds asked (${refundedAtEmulator} fen refunded), ${kills} SIGKILLs, ` +
    `${deliveries.filter((d) => d.kind === 'duplicate').length} duplicate notifications, ${deliveries.filter((d) => !d.delivered).length} failed deliveries`)
  expect(kills).toBe(KILLS)
}, 300_000)
