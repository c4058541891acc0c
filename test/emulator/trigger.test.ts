/**
 * `npm run trigger` (scripts/trigger.ts) against a real emulator, and the control routes it uses:
 * GET /__emulator/orders, POST /__emulator/orders/:outTradeNo/pay, POST /__emulator/notifications/:id/redeliver.
 */
import { join } from 'node:path'
import { runTrigger } from '../../scripts/trigger'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { applymentBody, query, submit } from './applyment-fixtures'
import { clientFor, directOrder, eventually, withNotifyEndpoint } from './helpers'

jest.setTimeout(30_000) // RSA keys for the emulator and merchants are generated in beforeAll: slow on a busy machine

const OPENID = 'o-trigger-user'
const ROOT = join(__dirname, '../..')

let emu: EmulatorHandle
let m: TestMerchant

beforeAll(async () => {
  emu = await startEmulator({ retryScale: 0.001 })
  m = await registerMerchant(emu)
  await emu.login(m.appId, OPENID)
})
afterAll(() => emu.close())

const trigger = (...args: string[]) => runTrigger(['--emulator', emu.url, ...args])

async function unpaidOrder(notifyUrl?: string) {
  const body = directOrder(m, OPENID, notifyUrl)
  await clientFor(emu, m).createJsapiOrder(body)
  return body.out_trade_no
}

async function orderView(outTradeNo: string) {
  return (await (await fetch(`${emu.url}/__emulator/orders/${outTradeNo}`)).json()) as { tradeState: string; transactionId?: string }
}

describe('payment.success', () => {
  test('pays an unpaid order as the phone would: SUCCESS, a transaction id, and TRANSACTION.SUCCESS notified', async () => {
    await withNotifyEndpoint([204], async (notify) => {
      const no = await unpaidOrder(notify.url)
      const r = await trigger('payment.success', no)
      expect(r.ok).toBe(true)
      expect(r.line).toMatch(new RegExp(`^paid ${no}: SUCCESS, transaction 42\\d+; TRANSACTION.SUCCESS is being notified$`))
      const view = await orderView(no)
      expect(view.tradeState).toBe('SUCCESS')
      const [received] = await notify.waitFor(1)
      const parsed = await clientFor(emu, m).parseNotification(received.headers as Record<string, string>, received.body)
      expect(parsed.ok && parsed.event.kind === 'transaction' && parsed.event.transaction).toMatchObject({ out_trade_no: no, trade_state: 'SUCCESS', transaction_id: view.transactionId })
    })
  })

  test('a paid order: exit 1 with the emulator\'s reason (409 ORDER_PAID)', async () => {
    const no = await unpaidOrder()
    expect((await trigger('payment.success', no)).ok).toBe(true)
    const again = await trigger('payment.success', no)
    expect(again).toEqual({ ok: false, line: `trigger: payment.success failed: POST /__emulator/orders/${no}/pay → 409 ORDER_PAID: order ${no} is already paid` })
  })

  test('a closed order: 409 ORDER_CLOSED; an unknown one: 404 ORDER_NOT_FOUND', async () => {
    const no = await unpaidOrder()
    await clientFor(emu, m).closeOrder(no)
    expect((await trigger('payment.success', no)).line).toContain('409 ORDER_CLOSED')
    const unknown = await trigger('payment.success', 'NO_SUCH_ORDER_1')
    expect(unknown.ok).toBe(false)
    expect(unknown.line).toContain('404 ORDER_NOT_FOUND: no order NO_SUCH_ORDER_1')
  })
})

describe('notify.redeliver', () => {
  test('sends a delivered notification again, now, recorded as a new delivery (by notification id and by delivery id)', async () => {
    await withNotifyEndpoint([204], async (notify) => {
      const no = await unpaidOrder(notify.url)
      await trigger('payment.success', no)
      await notify.waitFor(1)
      const first = await eventually(async () => (await emu.deliveries()).find((d) => d.outTradeNo === no && d.delivered))
      const r = await trigger('notify.redeliver', first.notificationId)
      expect(r).toEqual({ ok: true, line: `redelivered TRANSACTION.SUCCESS ${first.notificationId} to ${notify.url}: HTTP 204, delivered` })
      const byDelivery = await trigger('notify.redeliver', first.id)
      expect(byDelivery.ok).toBe(true)
      const received = await notify.waitFor(3)
      // The same notification (id and body), freshly signed.
      expect(new Set(received.map((x) => x.body)).size).toBe(1)
      expect(received[2].headers['wechatpay-signature']).not.toBe(received[0].headers['wechatpay-signature'])
      const mine = (await emu.deliveries()).filter((d) => d.outTradeNo === no)
      expect(mine.map((d) => d.kind)).toEqual(['attempt', 'redelivery', 'redelivery'])
    })
  })

  test('a notify_url that fails the resend: exit 1 naming the answer', async () => {
    await withNotifyEndpoint([204, 500], async (notify) => {
      const no = await unpaidOrder(notify.url)
      await trigger('payment.success', no)
      const first = await eventually(async () => (await emu.deliveries()).find((d) => d.outTradeNo === no && d.delivered))
      const r = await trigger('notify.redeliver', first.notificationId)
      expect(r).toEqual({ ok: false, line: `redelivered TRANSACTION.SUCCESS ${first.notificationId} to ${notify.url}: HTTP 500, not delivered` })
    })
  })

  test('an unknown id: exit 1, 404 NOTIFICATION_NOT_FOUND', async () => {
    const r = await trigger('notify.redeliver', 'nope')
    expect(r).toEqual({ ok: false, line: 'trigger: notify.redeliver failed: POST /__emulator/notifications/nope/redeliver → 404 NOTIFICATION_NOT_FOUND: no notification or delivery nope' })
  })
})

describe('clock.advance', () => {
  // Its own emulator: a clock days ahead would put the other tests' signatures out of the 5-minute window.
  let emu: EmulatorHandle
  beforeAll(async () => {
    emu = await startEmulator()
  })
  afterAll(() => emu.close())
  const trigger = (...args: string[]) => runTrigger(['--emulator', emu.url, ...args])

  test.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s moves the emulated clock by %i ms', async (arg, ms) => {
    const before = (await (await fetch(`${emu.url}/__emulator/clock`)).json()) as { offsetMs: number }
    const r = await trigger('clock.advance', arg)
    expect(r.ok).toBe(true)
    expect(r.line).toMatch(new RegExp(`^clock advanced ${arg}: emulated now \\d{4}-\\d\\d-\\d\\dT`))
    const after = (await (await fetch(`${emu.url}/__emulator/clock`)).json()) as { offsetMs: number }
    expect(after.offsetMs - before.offsetMs).toBe(ms)
  })

  test.each(['2', '2w', '-1h', ''])('a bad duration "%s" is one usage line, exit 1, and nothing is sent', async (arg) => {
    const sent: string[] = []
    const r = await runTrigger(['--emulator', emu.url, 'clock.advance', ...(arg ? [arg] : [])], { fetch: async (u) => (sent.push(String(u)), new Response('{}')) })
    expect(r.ok).toBe(false)
    expect(r.line).toMatch(/^trigger: clock\.advance needs a duration like 30s, 15m, 2h or 1d, got .*\. usage: npm run trigger -- /)
    expect(sent).toEqual([])
  })
})

describe('refund.* and applyment.*: requests and failures', () => {
  /** Calls the real emulator, remembering what was sent. */
  const recording = () => {
    const sent: Array<{ url: string; body: unknown }> = []
    const f: typeof fetch = async (url, init) => {
      sent.push({ url: String(url), body: init?.body ? JSON.parse(String(init.body)) : undefined })
      return fetch(url, init)
    }
    return { sent, f }
  }

  test.each([
    ['refund.success', 'SUCCESS'],
    ['refund.abnormal', 'ABNORMAL'],
    ['refund.closed', 'CLOSED'],
  ])('%s posts {status:"%s"} to /__emulator/refunds/:outRefundNo/settle; a 404 is exit 1 with one line', async (event, status) => {
    const { sent, f } = recording()
    const r = await runTrigger(['--emulator', emu.url, event, 'R_UNKNOWN_1'], { fetch: f })
    expect(sent).toEqual([{ url: `${emu.url}/__emulator/refunds/R_UNKNOWN_1/settle`, body: { status } }])
    expect(r.ok).toBe(false)
    expect(r.line).toMatch(new RegExp(`^trigger: ${event.replace('.', '\\.')} failed: POST /__emulator/refunds/R_UNKNOWN_1/settle → 404 [A-Z_]+: `))
    expect(r.line).not.toContain('\n')
  })

  test('applyment.finish walks AUDITING → NEED_SIGN → FINISH; applyment.reject posts REJECTED with the reason; a 404 is exit 1 with one line', async () => {
    const { sent, f } = recording()
    const finish = await runTrigger(['--emulator', emu.url, 'applyment.finish', '2000002000000001'], { fetch: f })
    const reject = await runTrigger(['--emulator', emu.url, 'applyment.reject', '2000002000000001', '身份证模糊，', '请重新上传', '--field', 'id_card_national'], { fetch: f })
    expect(sent).toEqual([
      { url: `${emu.url}/__emulator/applyments/2000002000000001/advance`, body: { to: 'AUDITING' } },
      { url: `${emu.url}/__emulator/applyments/2000002000000001/advance`, body: { to: 'REJECTED', auditDetail: [{ param_name: 'id_card_national', reject_reason: '身份证模糊， 请重新上传' }] } },
    ])
    for (const r of [finish, reject]) {
      expect(r.ok).toBe(false)
      expect(r.line).toMatch(/^trigger: applyment\.(finish|reject) failed: POST \/__emulator\/applyments\/2000002000000001\/advance → 404 [A-Z_]+: /)
    }
  })

  test('the answers of those routes become one line (stand-in emulator answering as platform.md says)', async () => {
    const answer = (body: unknown) => (async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })) as typeof fetch
    expect(await runTrigger(['refund.abnormal', 'R1'], { fetch: answer({ refund: {} }) })).toEqual({ ok: true, line: 'refund R1: ABNORMAL; REFUND.ABNORMAL is being notified' })
    expect(await runTrigger(['applyment.finish', 'A1'], { fetch: answer({ applyment: { applymentId: 'A1', state: 'FINISH', subMchid: '1900000109' } }) })).toEqual({ ok: true, line: 'applyment A1: FINISH, sub_mchid 1900000109' })
  })
})

describe('the command line', () => {
  test.each([
    [[], 'no event given'],
    [['payment.refund', 'X'], 'unknown event "payment.refund"'],
    [['payment.success'], 'payment.success needs an out_trade_no'],
    [['--color', 'payment.success', 'X'], 'unknown option --color'],
    [['--emulator', 'localhost:3100', 'clock.advance', '1h'], '--emulator: expected an http(s) URL, got "localhost:3100"'],
  ])('%j → exit 1: %s, with the usage', async (argv, why) => {
    const r = await runTrigger(argv)
    expect(r.ok).toBe(false)
    expect(r.line.startsWith(`trigger: ${why}. usage: npm run trigger -- `)).toBe(true)
  })

  test('no emulator listening: one line saying how to start it', async () => {
    const gone = await startEmulator()
    const url = gone.url
    await gone.close()
    const r = await runTrigger(['--emulator', url, 'clock.advance', '1h'])
    expect(r).toEqual({ ok: false, line: `trigger: cannot reach the emulator at ${url} (start it with npm run emulator or npm run stack, or pass --emulator URL)` })
  })
})

describe('GET /__emulator/orders', () => {
  test('lists orders newest first with amount in fen, filtered by mchid', async () => {
    const other = await registerMerchant(emu)
    const a = await unpaidOrder()
    await emu.advanceClock(1000)
    const b = await unpaidOrder()
    await trigger('payment.success', b)
    const res = (await (await fetch(`${emu.url}/__emulator/orders?mchid=${m.mchid}`)).json()) as { orders: Array<Record<string, unknown>> }
    const [first, second] = res.orders
    expect(first).toEqual({ outTradeNo: b, mchid: m.mchid, description: expect.any(String), amount: expect.any(Number), tradeState: 'SUCCESS', createdAt: expect.stringMatching(/Z$/) })
    expect(second).toMatchObject({ outTradeNo: a, tradeState: 'NOTPAY' })
    const dates = res.orders.map((o) => Date.parse(o.createdAt as string))
    expect([...dates].sort((x, y) => y - x)).toEqual(dates)
    expect(((await (await fetch(`${emu.url}/__emulator/orders?mchid=${other.mchid}`)).json()) as { orders: unknown[] }).orders).toEqual([])
  })
})

test('npm run trigger: the line goes to stderr and the exit code is 1 on failure', async () => {
  const { execFile } = await import('node:child_process')
  // Asynchronously: the emulator answering it runs in this process.
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/trigger.ts', '--emulator', emu.url, 'payment.success', 'NO_SUCH_ORDER_2'], { cwd: ROOT }, (_e, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    )
  })
  expect(r).toEqual({ code: 1, stdout: '', stderr: 'trigger: payment.success failed: POST /__emulator/orders/NO_SUCH_ORDER_2/pay → 404 ORDER_NOT_FOUND: no order NO_SUCH_ORDER_2\n' })
}, 30_000)

describe('refund.* and applyment.* against the real control routes', () => {
  test.each([
    ['refund.success', 'SUCCESS'],
    ['refund.abnormal', 'ABNORMAL'],
    ['refund.closed', 'CLOSED'],
  ])('%s ends a PROCESSING refund as %s and its REFUND.%s notification goes out', async (event, status) => {
    await withNotifyEndpoint([204], async (notify) => {
      const outTradeNo = await unpaidOrder(notify.url)
      expect((await trigger('payment.success', outTradeNo)).ok).toBe(true)
      await emu.faults({ refund: { processing: 1 } }) // held PROCESSING until settled
      const outRefundNo = `R${outTradeNo}`
      await clientFor(emu, m).createRefund({ out_trade_no: outTradeNo, out_refund_no: outRefundNo, notify_url: notify.url, amount: { refund: 1, total: 100, currency: 'CNY' } })
      const r = await trigger(event, outRefundNo)
      expect(r).toEqual({ ok: true, line: `refund ${outRefundNo}: ${status}; REFUND.${status} is being notified` })
      const view = (await (await fetch(`${emu.url}/__emulator/orders/${outTradeNo}`)).json()) as { refunds: Array<{ out_refund_no: string; status: string }> }
      expect(view.refunds.find((x) => x.out_refund_no === outRefundNo)?.status).toBe(status)
      await eventually(async () => (await emu.deliveries()).some((d) => d.eventType === `REFUND.${status}` && d.outRefundNo === outRefundNo && d.delivered))
      // A settled refund cannot be settled again: one line, exit 1.
      expect((await trigger(event, outRefundNo)).line).toMatch(/→ 409 REFUND_NOT_PROCESSING/)
    })
  })

  test('applyment.finish and applyment.reject move a submitted applyment (reject with its reason on a field)', async () => {
    const sp = await registerMerchant(emu, { mode: 'partner' })
    const client = clientFor(emu, sp)
    const first = await applymentBody(client, '2401')
    const a = await submit(client, first.body, first.serial)
    expect(await trigger('applyment.reject', String(a.applyment_id), '身份证模糊', '--field', 'id_card_copy')).toEqual({ ok: true, line: `applyment ${a.applyment_id}: REJECTED` })
    expect((await query(client, { id: a.applyment_id })).audit_detail).toEqual([{ param_name: 'id_card_copy', reject_reason: '身份证模糊' }])
    const second = await applymentBody(client, '2401')
    const b = await submit(client, second.body, second.serial)
    const finished = await trigger('applyment.finish', String(b.applyment_id))
    expect(finished.ok).toBe(true)
    expect(finished.line).toMatch(new RegExp(`^applyment ${b.applyment_id}: FINISH, sub_mchid \\d+$`))
    expect((await query(client, { id: b.applyment_id })).applyment_state).toBe('FINISH')
  })
})
