import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { backendProcess } from '../support/backend-process'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend } from '../support/merchant'
import { call, requestId, waitFor } from './helpers'
import type { Json } from '../support/json'

let emu: EmulatorHandle
let merchant: TestMerchant
const OPENID = 'o-restart-user-1'

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.01 })
  merchant = await registerMerchant(emu)
})
afterAll(async () => {
  await emu?.close()
})

describe('restart between order and notification', () => {
  test('backend closed when WeChat Pay notifies: the emulator retries and the restarted backend applies it', async () => {
    const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'merchant-restart-')), 'm.db')}`
    const first = await startBackend({ emulator: emu, merchant, overrides: { databaseUrl } })
    const port = Number(new URL(first.url).port)
    const token = await first.loginToken(OPENID)
    const created = await call(first, 'POST', '/api/orders', { token, payload: { amount: 990, description: '重启测试', requestId: requestId() } })
    expect(created.status).toBe(201)
    const { orderNo } = created.body.order
    await first.close()

    expect(await emu.pay(created.body.payment, { appId: merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
    await waitFor(async () => (await emu.deliveries()).some((d) => d.outTradeNo === `${orderNo}_1` && !d.delivered), 'a failed delivery')

    const second = await startBackend({ emulator: emu, merchant, overrides: { databaseUrl }, port })
    try {
      await waitFor(async () => (await second.app.storage.orders.get(orderNo))?.status === 'paid', 'paid by the retried notification', 20_000)
      // The row is paid (committed) a moment before the 204 is written back to WeChat Pay.
      const lastStatus = async () => (await emu.deliveries()).filter((d) => d.outTradeNo === `${orderNo}_1` && d.kind === 'attempt').at(-1)?.status
      await waitFor(async () => (await lastStatus()) === 204, 'the retried delivery answered 204')
      // The session survives too (same secret), and the order is where it was.
      const list = await call(second, 'GET', '/api/orders', { token })
      expect(list.body.orders.map((o: { orderNo: string }) => o.orderNo)).toContain(orderNo)
    } finally {
      await second.close()
    }
  })

  test('backend killed with SIGKILL (a real process, file database): after restart the order is paid, nothing lost', async () => {
    const proc = await backendProcess(emu, merchant)
    const base = proc.url
    try {
      await proc.start()
      const code = await emu.login(merchant.appId, OPENID)
      const session: Json = await (await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()
      const auth = { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }
      const created: Json = await (await fetch(`${base}/api/orders`, { method: 'POST', headers: auth, body: JSON.stringify({ amount: 1990, description: '进程被杀', requestId: requestId() }) })).json()
      const { orderNo } = created.order

      await proc.kill()
      expect(await emu.pay(created.payment, { appId: merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
      await waitFor(async () => (await emu.deliveries()).some((d) => d.outTradeNo === `${orderNo}_1` && !d.delivered), 'a failed delivery')

      await proc.start()
      const paid = await waitFor(async () => {
        const res = await fetch(`${base}/api/orders/${orderNo}`, { headers: auth })
        const body: Json = await res.json()
        return body.order?.status === 'paid' && body.order
      }, 'order paid after restart', 20_000)
      expect(paid).toMatchObject({ amount: 1990, description: '进程被杀', transactionId: expect.any(String) })
      const list: Json = await (await fetch(`${base}/api/orders`, { headers: auth })).json()
      expect(list.orders.filter((o: { orderNo: string }) => o.orderNo === orderNo)).toHaveLength(1)
    } finally {
      proc.cleanup()
    }
  }, 60_000)
})
