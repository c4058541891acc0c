import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { createOrder, manualClock, waitFor } from './helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
const OPENID = 'o-reconcile-user-1'

beforeAll(async () => {
  emu = await startEmulator()
  merchant = await registerMerchant(emu)
  await emu.faults({ notify: { drop: 10_000 } }) // every notification is lost in this file
})
afterAll(async () => {
  await emu?.close()
})

const create = (backend: BackendHandle, token: string) => createOrder(backend, token, { description: '对账' })

describe('reconciler', () => {
  test('one pass finds a paid order whose notification was lost', async () => {
    const backend = await startBackend({ emulator: emu, merchant })
    try {
      const token = await backend.loginToken(OPENID)
      const { order, payment } = await create(backend, token)
      expect(await emu.pay(payment, { appId: merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
      expect((await backend.app.orders.find(order.orderNo))?.status).toBe('unpaid')
      const pass = await backend.app.reconciler.runOnce()
      expect(pass.paid).toBeGreaterThanOrEqual(1)
      expect((await backend.app.orders.find(order.orderNo))?.status).toBe('paid')
    } finally {
      await backend.close()
    }
  })

  test('runs on its interval in the background and stops when the app closes', async () => {
    const backend = await startBackend({ emulator: emu, merchant, overrides: { reconcileIntervalMs: 50 } })
    let closed = false
    try {
      const token = await backend.loginToken(OPENID)
      const { order, payment } = await create(backend, token)
      expect(await emu.pay(payment, { appId: merchant.appId, openid: OPENID })).toBe('requestPayment:ok')
      await waitFor(async () => (await backend.app.orders.find(order.orderNo))?.status === 'paid', 'background pass marks it paid')
      await backend.close()
      closed = true
    } finally {
      if (!closed) await backend.close()
    }
  })
  // Last: it moves the emulator's clock for good.
  test('expired unpaid orders are closed here and at WeChat Pay', async () => {
    const clock = manualClock()
    const backend = await startBackend({ emulator: emu, merchant, clock, overrides: { orderExpireMinutes: 30 } })
    try {
      const token = await backend.loginToken(OPENID)
      const { order, payment } = await create(backend, token)
      await backend.app.reconciler.runOnce()
      expect((await backend.app.orders.find(order.orderNo))?.status).toBe('unpaid')
      clock.advance(31 * 60_000)
      await emu.advanceClock(31 * 60_000)
      await backend.app.reconciler.runOnce()
      expect((await backend.app.orders.find(order.orderNo))?.status).toBe('closed')
      expect(await emu.pay(payment, { appId: merchant.appId, openid: OPENID })).not.toBe('requestPayment:ok')
    } finally {
      await backend.close()
    }
  })

})
