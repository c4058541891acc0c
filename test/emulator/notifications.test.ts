/**
 * Notification delivery (wechatpay-v3.md §8): only 200/204 in time counts, failures are retried on
 * the real schedule (scaled), every attempt is recorded; probes, drops and duplicates on demand.
 */
import { RETRY_INTERVALS_S } from '../../server/emulator/notifier'
import { type EmulatorHandle, registerMerchant, startEmulator, type TestMerchant, withEmulator } from '../support/emulator'
import { clientFor, directOrder, eventually, notifyEndpoint, withNotifyEndpoint } from './helpers'

const OPENID = 'o-notify-user'

async function paidOrder(emu: EmulatorHandle, m: TestMerchant, notifyUrl: string, clock?: () => number) {
  const client = clientFor(emu, m, clock ? { clock } : {})
  await emu.login(m.appId, OPENID)
  const body = directOrder(m, OPENID, notifyUrl)
  const { prepay_id } = await client.createJsapiOrder(body)
  expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
  return { client, body }
}

describe('retries on the scaled real schedule', () => {
  const retryScale = 0.01 // 15 s → 150 ms
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ retryScale, notifyTimeoutMs: 1000 }, (e, merchant) => ([emu, m] = [e, merchant]))

  test('an endpoint that fails twice then succeeds gets exactly three attempts, spaced 15 s and 15 s (scaled)', async () => {
    await withNotifyEndpoint([500, 503, 204], async (notify) => {
      const { client } = await paidOrder(emu, m, notify.url)
      const received = await notify.waitFor(3)
      // No fourth attempt once it succeeded: the third attempt has finished and nothing is in flight.
      await emu.idle()
      expect(received).toHaveLength(3)
      const gaps = [received[1].at - received[0].at, received[2].at - received[1].at]
      for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(RETRY_INTERVALS_S[i] * 1000 * retryScale * 0.8)
      // Every attempt carries the same notification, freshly signed, and verifies.
      const ids = new Set(received.map((r) => JSON.parse(r.body).id))
      expect(ids.size).toBe(1)
      for (const r of received) expect((await client.parseNotification(r.headers as Record<string, string>, r.body)).ok).toBe(true)
      const deliveries = (await emu.deliveries()).filter((d) => d.url === notify.url)
      expect(deliveries.map((d) => [d.attempt, d.status, d.delivered])).toEqual([
        [1, 500, false],
        [2, 503, false],
        [3, 204, true],
      ])
      expect(deliveries[0].request.headers).toMatchObject({ 'Content-Type': 'application/json', 'Wechatpay-Serial': m.platform.serialNo, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' })
      expect(deliveries[0].request.body).toBe(received[0].body)
      expect(deliveries[0].response?.body).toBe(JSON.stringify({ code: 'FAIL', message: '失败' }))
    })
  })

  test('a 201 or 202 is not success: only 200 and 204 stop the retries', async () => {
    await withNotifyEndpoint([202, 200], async (notify) => {
      await paidOrder(emu, m, notify.url)
      // The endpoint sees a request before the emulator records its answer: wait for the record.
      const deliveries = await eventually(async () => {
        const d = (await emu.deliveries()).filter((x) => x.url === notify.url)
        return d.some((x) => x.delivered) ? d : undefined
      })
      expect(deliveries.map((d) => [d.status, d.delivered])).toEqual([[202, false], [200, true]])
    })
  })
})

test('an answer slower than the notify timeout counts as a failure and is retried', async () => {
  const emu = await startEmulator({ retryScale: 0.001, notifyTimeoutMs: 100 })
  const notify = await notifyEndpoint([{ status: 204, delayMs: 400 }, 204])
  try {
    const m = await registerMerchant(emu)
    await paidOrder(emu, m, notify.url)
    const deliveries = await eventually(async () => {
      const d = await emu.deliveries()
      return d.some((x) => x.delivered) ? d : undefined
    })
    expect(deliveries.map((d) => [d.attempt, d.status, d.delivered])).toEqual([[1, 0, false], [2, 204, true]])
    expect(deliveries[0].error).toBe('no answer within 100 ms')
  } finally {
    await notify.close()
    await emu.close()
  }
})

describe('the real schedule on the emulated clock', () => {
  let now = Date.UTC(2026, 0, 1, 2, 0, 0)
  const clock = () => now
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ clock, retryScale: 1 }, (e, merchant) => ([emu, m] = [e, merchant]))
  const advance = async (ms: number) => {
    now += ms
    await emu.advanceClock(0) // the emulator re-reads its clock and runs what is due
  }
  const attempts = async (url: string) => (await emu.deliveries()).filter((d) => d.url === url && d.kind === 'attempt').length

  test('15 retries at 15 s, 15 s, 30 s, 3 min … 6 h, then WeChat Pay gives up', async () => {
    await withNotifyEndpoint([500], async (notify) => {
      await paidOrder(emu, m, notify.url, clock)
      await eventually(async () => ((await attempts(notify.url)) === 1 ? true : undefined))
      for (const [i, seconds] of RETRY_INTERVALS_S.entries()) {
        // Moving the clock runs whatever became due at once; idle() waits for those attempts to finish.
        await advance(seconds * 1000 - 1000)
        await emu.idle() // whatever became due has run
        expect(await attempts(notify.url)).toBe(i + 1) // not yet
        await advance(1000)
        await emu.idle()
        expect(await attempts(notify.url)).toBe(i + 2)
      }
      await advance(24 * 3600 * 1000)
      await emu.idle()
      expect(await attempts(notify.url)).toBe(16)
      expect(notify.received).toHaveLength(16)
    })
  })
})

describe('injected notification faults', () => {
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]))

  test('a WECHATPAY/SIGNTEST/ probe comes first with a bad signature; the real notification follows', async () => {
    await withNotifyEndpoint([401, 204], async (notify) => {
      await emu.faults({ notify: { signtest: 1 } })
      const { client } = await paidOrder(emu, m, notify.url)
      const [probe, real] = await notify.waitFor(2)
      expect(String(probe.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//)
      expect(await client.parseNotification(probe.headers as Record<string, string>, probe.body)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
      expect((await client.parseNotification(real.headers as Record<string, string>, real.body)).ok).toBe(true)
      const deliveries = await eventually(async () => {
        const d = (await emu.deliveries()).filter((x) => x.url === notify.url)
        return d.some((x) => x.delivered) ? d : undefined
      })
      expect(deliveries.map((d) => [d.kind, d.status])).toEqual([['probe', 401], ['attempt', 204]])
    })
  })

  test('a dropped notification never arrives and is recorded as dropped', async () => {
    await withNotifyEndpoint([204], async (notify) => {
      await emu.faults({ notify: { drop: 1 } })
      const { body } = await paidOrder(emu, m, notify.url)
      const dropped = await eventually(async () => (await emu.deliveries()).find((d) => d.outTradeNo === body.out_trade_no))
      expect([dropped.kind, dropped.status, dropped.delivered]).toEqual(['dropped', 0, false])
      await emu.idle()
      expect(notify.received).toHaveLength(0)
    })
  })

  test('a duplicated notification arrives twice with the same id, both verifiable', async () => {
    await withNotifyEndpoint([204], async (notify) => {
      await emu.faults({ notify: { duplicate: 1 } })
      const { client } = await paidOrder(emu, m, notify.url)
      const [a, b] = await notify.waitFor(2)
      expect(JSON.parse(a.body).id).toBe(JSON.parse(b.body).id)
      for (const r of [a, b]) expect((await client.parseNotification(r.headers as Record<string, string>, r.body)).ok).toBe(true)
    })
  })
})
