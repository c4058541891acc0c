/**
 * Verification and keys against the real emulator (issue 11): a move from platform certificates to
 * the WeChat Pay public key with both configured, a failing 12-hourly certificate download, and an
 * expired certificate.
 */
import { loadPublicKey, WechatPayClient, WechatPayError, type PlatformVerification } from '../../server/wechatpay'
import { emulatorSuite, type EmulatorHandle, registerMerchant, startEmulator, type TestMerchant } from '../support/emulator'
import { call, clientFor, directOrder, eventually, notifyEndpoint, switchTo } from './helpers'
import { rejectionOf } from '../support/rejection'

// RSA-2048 key generation (emulator and merchant keys) is slow on a busy machine.
jest.setTimeout(30_000)

const HOUR = 3_600_000
const YEAR = 365 * 24 * HOUR

const rejection = (p: Promise<unknown>) => rejectionOf(p, WechatPayError)

/** A client for the merchant whose clock follows the emulated one (advanced by `offset.ms`). */
const clientOf = (emu: EmulatorHandle, m: TestMerchant, platform: PlatformVerification, offset = { ms: 0 }, reported: unknown[] = []) =>
  clientFor(emu, m, { platform, clock: () => Date.now() + offset.ms, onCertificateRefreshError: (e) => reported.push(e) })

/** Creates an order outside the client (another process that does not announce a key) and pays it; returns the notification. */
async function paidElsewhere(emu: EmulatorHandle, m: TestMerchant, notifyUrl: string, payer: WechatPayClient, openid: string) {
  await emu.login(m.appId, openid)
  const body = directOrder(m, openid, notifyUrl)
  const created = await call(emu, m, '/v3/pay/transactions/jsapi', { body })
  expect(created.status).toBe(200)
  expect(await emu.pay(payer.requestPayment(m.appId, created.json.prepay_id), { appId: m.appId, openid })).toBe('requestPayment:ok')
  return body.out_trade_no
}

/** Each describe has its own emulator in certificate mode: they switch keys or move the clock. */
const CERTIFICATE_MODE = { platformMode: 'certificate', retryScale: 0.001 } as const

describe('moving from platform certificates to the public key (alsoCertificates)', () => {
  const world = emulatorSuite(CERTIFICATE_MODE)

  test('notifications and answers signed by the certificate or the public key are all accepted', async () => {
    const { emu, merchant: m } = world
    const notify = await notifyEndpoint([204])
    const clients: WechatPayClient[] = []
    try {
      const { platform: next } = await switchTo(emu, m.mchid, { mode: 'publicKey' })
      const publicKey = { mode: 'publicKey' as const, publicKeyId: next.serialNo, publicKey: loadPublicKey(next.publicKeyPem) }
      const both = clientOf(emu, m, { ...publicKey, alsoCertificates: true })
      const keyOnly = clientOf(emu, m, publicKey)
      clients.push(both, keyOnly)

      // Nobody announced the new key yet: WeChat Pay still signs this notification with the certificate.
      await paidElsewhere(emu, m, notify.url, keyOnly, 'o-migrate-1')
      const [byCertificate] = await notify.waitFor(1)
      expect(byCertificate.headers['wechatpay-serial']).toBe(m.platform.serialNo)
      expect(await keyOnly.parseNotification(byCertificate.headers, byCertificate.body)).toMatchObject({ ok: false, reason: 'UNKNOWN_SERIAL' })
      expect(await both.parseNotification(byCertificate.headers, byCertificate.body)).toMatchObject({ ok: true, event: { serial: m.platform.serialNo, kind: 'transaction' } })

      // The client announces the public key: answers and later notifications are signed with it.
      await emu.login(m.appId, 'o-migrate-2')
      const order = directOrder(m, 'o-migrate-2', notify.url)
      const { prepay_id } = await both.createJsapiOrder(order)
      expect(await emu.pay(both.requestPayment(m.appId, prepay_id), { appId: m.appId, openid: 'o-migrate-2' })).toBe('requestPayment:ok')
      const [, byPublicKey] = await notify.waitFor(2)
      expect(byPublicKey.headers['wechatpay-serial']).toBe(next.serialNo)
      expect(await both.parseNotification(byPublicKey.headers, byPublicKey.body)).toMatchObject({ ok: true, event: { serial: next.serialNo } })

      // An answer still signed with the certificate (this request names the certificate's serial) verifies too.
      const path = `/v3/pay/transactions/out-trade-no/${order.out_trade_no}?mchid=${m.mchid}`
      await expect(both.call('GET', path, { extraHeaders: { 'Wechatpay-Serial': m.platform.serialNo } })).resolves.toMatchObject({ data: { trade_state: 'SUCCESS' } })
      expect(both.platformKeys.serials().sort()).toEqual([m.platform.serialNo, next.serialNo].sort())

      // The switch completes: certificates are gone (404) and the client carries on with the public key.
      await switchTo(emu, m.mchid, { complete: true })
      await expect(both.queryOrderByOutTradeNo(order.out_trade_no)).resolves.toMatchObject({ trade_state: 'SUCCESS' })
    } finally {
      for (const c of clients) c.close()
      await notify.close()
    }
  })
})

describe('certificate mode', () => {
  const world = emulatorSuite(CERTIFICATE_MODE)

  test('the 12-hourly download fails: calls and notifications are served from the cache, the refresh happens in the background', async () => {
    const { emu, merchant: m } = world
    const notify = await notifyEndpoint([204])
    const offset = { ms: 0 }
    const reported: unknown[] = []
    const client = clientOf(emu, m, { mode: 'certificate' }, offset, reported)
    const advance = async (ms: number) => {
      await emu.advanceClock(ms)
      offset.ms += ms
    }
    try {
      expect(await rejection(client.queryOrderByOutTradeNo('NOPE123456'))).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST' })
      expect(client.platformKeys.serials()).toEqual([m.platform.serialNo])

      await advance(12 * HOUR + 60_000)
      await emu.faults({ 'GET /v3/certificates': { status: 500, times: 1 } })
      await emu.login(m.appId, 'o-refresh')
      const order = directOrder(m, 'o-refresh', notify.url)
      const { prepay_id } = await client.createJsapiOrder(order)
      await eventually(async () => (reported.length ? true : undefined))
      expect(reported[0]).toMatchObject({ status: 500, code: 'SYSTEM_ERROR' })

      expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId, openid: 'o-refresh' })).toBe('requestPayment:ok')
      const [n] = await notify.waitFor(1)
      expect(await client.parseNotification(n.headers, n.body)).toMatchObject({ ok: true, event: { transaction: { out_trade_no: order.out_trade_no, trade_state: 'SUCCESS' } } })
      await expect(client.queryOrderByOutTradeNo(order.out_trade_no)).resolves.toMatchObject({ trade_state: 'SUCCESS' })

      // WeChat Pay publishes a new certificate; a minute later the background refresh succeeds and picks it up.
      const { platform: next } = await switchTo(emu, m.mchid, { mode: 'certificate' })
      await advance(61_000)
      await client.queryOrderByOutTradeNo(order.out_trade_no)
      await eventually(async () => (client.platformKeys.serials().includes(next.serialNo) ? true : undefined))
      expect(reported).toHaveLength(1)
    } finally {
      client.close()
      await notify.close()
    }
  })


  test('with the main host down, the certificate download and the call both go to the backup host', async () => {
    const { emu } = world
    const m3 = await registerMerchant(emu)
    const { offsetMs } = (await (await fetch(`${emu.url}/__emulator/clock`)).json()) as { offsetMs: number }
    const client = new WechatPayClient({
      mchid: m3.mchid,
      serialNo: m3.serialNo,
      privateKey: m3.privateKey,
      apiV3Key: m3.apiV3Key,
      platform: { mode: 'certificate' },
      baseUrl: 'http://127.0.0.1:1', // nothing listens there
      backupBaseUrl: emu.url,
      maxRetries: 0,
      clock: () => Date.now() + offsetMs, // the emulated clock
    })
    try {
      expect(await rejection(client.queryOrderByOutTradeNo('NOPE123456'))).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST' })
      expect(client.platformKeys.serials().length).toBeGreaterThan(0)
    } finally {
      client.close()
    }
  })
})

describe('an expired platform certificate', () => {
  let emu: EmulatorHandle
  beforeAll(async () => {
    emu = await startEmulator(CERTIFICATE_MODE)
  })
  afterAll(() => emu.close())

  test('never verifies, even while WeChat Pay still lists it', async () => {
    const offset = { ms: 0 }
    const m2 = await registerMerchant(emu)
    const client = clientOf(emu, m2, { mode: 'certificate' }, offset)
    try {
      expect(await rejection(client.queryOrderByOutTradeNo('NOPE123456'))).toMatchObject({ code: 'ORDER_NOT_EXIST' })
      const fiveYearsAndTwoDays = 5 * YEAR + 48 * HOUR
      await emu.advanceClock(fiveYearsAndTwoDays)
      offset.ms += fiveYearsAndTwoDays
      expect(client.platformKeys.serials()).toEqual([])
      const e = await rejection(client.queryOrderByOutTradeNo('NOPE123456'))
      expect(e).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', detail: { reason: 'UNKNOWN_SERIAL', serial: m2.platform.serialNo } })
      expect(client.platformKeys.serials()).toEqual([])
    } finally {
      client.close()
    }
  })
})
