/** Profit-sharing test helpers: the suite's emulator and backends, a shop with its own max_ratio at the emulator. */
import { createPublicKey } from 'node:crypto'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { manualClock } from './helpers'

/**
 * Call at the top of a suite: beforeAll starts the emulator (real retry pace) with a partner service
 * provider `sp`, afterAll closes it and every backend `start` made. All backends move with the
 * emulated clock (one offset for all, as the emulator has one clock).
 */
export function splitSuite() {
  const backends: BackendHandle[] = []
  const clock = manualClock()
  const suite = {
    emu: undefined as unknown as EmulatorHandle,
    sp: undefined as unknown as TestMerchant,
    clock,
    /** A backend for `merchant` (default: sp) with `env`, on the suite's clock. */
    start: async (env: Record<string, string>, merchant?: TestMerchant): Promise<BackendHandle> => {
      const b = await startBackend({ emulator: suite.emu, merchant: merchant ?? suite.sp, clock, env, overrides: { rateLimitOrdersPerMin: 1000 } })
      backends.push(b)
      return b
    },
    /** Moves the backends' and the emulator's clocks together. */
    advance: async (ms: number): Promise<void> => {
      clock.advance(ms)
      await suite.emu.advanceClock(ms)
    },
    /** The emulator's view of a WeChat Pay order (its profitSharing, refunds, …). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    emulatorOrder: async (outTradeNo: string): Promise<Record<string, any>> => (await fetch(`${suite.emu.url}/__emulator/orders/${outTradeNo}`)).json() as Promise<Record<string, any>>,
  }
  beforeAll(async () => {
    suite.emu = await startEmulator({ retryScale: 1 })
    suite.sp = await registerMerchant(suite.emu, { mode: 'partner' })
  })
  afterAll(async () => {
    for (const b of backends) await b.close()
    await suite.emu.close()
  })
  return suite
}

/** Registers a partner merchant again with `maxRatioBps` for its sub-merchant (what merchant-configs answers as max_ratio). */
export async function capShop(emu: EmulatorHandle, m: TestMerchant, maxRatioBps: number): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/merchants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      mchid: m.mchid,
      serialNo: m.serialNo,
      publicKeyPem: createPublicKey(m.privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      apiV3Key: m.apiV3Key,
      appIds: [m.appId],
      subMchids: [{ mchid: m.subMchid, appIds: [m.subAppId], maxRatioBps }],
    }),
  })
  if (res.status !== 200) throw new Error(`registering the shop's cap failed: ${res.status} ${await res.text()}`)
}
