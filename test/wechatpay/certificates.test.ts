/**
 * The certificate life cycle with a scripted WeChat Pay (the emulator versions are in
 * test/emulator/verification.test.ts): expiry, a failing 12-hourly download, and the migration
 * from certificates to the public key where both verify.
 */
import { buildNotification, WechatPayClient, WechatPayError, type PlatformSigner } from '../../server/wechatpay'
import { certificatesBody, makePlatformCertificate, type TestCertificate } from './support/certificates'
import { fakeWechatPay, type FakeAnswer, type SeenRequest } from './support/fake-wechatpay'
import { apiV3Key, merchant, platform } from './support/keys'
import { rejectionOf } from '../support/rejection'
import { waitFor } from '../support/wait-for'

const NOW = 1_767_225_600_000 // 2026-01-01T00:00:00Z
const HOUR = 3_600_000
const CERTS = '/v3/certificates'

const rejection = (p: Promise<unknown>) => rejectionOf(p, WechatPayError)

/** A scripted WeChat Pay whose clock, signing key and certificate list the test moves. */
function world(platformOption: ConstructorParameters<typeof WechatPayClient>[0]['platform'], first: TestCertificate) {
  const state = { now: NOW, signWith: { serial: first.serial, privateKey: first.privateKey } as Pick<PlatformSigner, 'serial' | 'privateKey'>, published: [first], certificatesAnswer: null as FakeAnswer | null }
  const signer = (): PlatformSigner => ({ ...state.signWith, clock: () => state.now })
  const fake = fakeWechatPay((req: SeenRequest) => {
    if (req.pathWithQuery === CERTS) return state.certificatesAnswer ?? { status: 200, body: certificatesBody(state.published), signer: signer() }
    return { status: 200, body: { out_trade_no: 'X123456', trade_state: 'NOTPAY' }, signer: signer() }
  }, () => state.now)
  const reported: unknown[] = []
  let onReport: (() => void) | null = null
  const client = new WechatPayClient({
    ...merchant,
    apiV3Key,
    platform: platformOption,
    fetch: fake.fetch,
    clock: () => state.now,
    maxRetries: 0,
    onCertificateRefreshError: (e) => {
      reported.push(e)
      onReport?.()
    },
  })
  const downloads = () => fake.seen.filter((r) => r.pathWithQuery === CERTS).length
  const nextReport = () => new Promise<void>((resolve) => (onReport = resolve))
  const notification = () =>
    buildNotification(
      { id: `EV-${state.now}`, createTime: '2026-01-01T08:00:01+08:00', eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext: JSON.stringify({ out_trade_no: 'X123456', trade_state: 'SUCCESS' }) },
      apiV3Key,
      signer(),
    )
  return { state, client, fake, reported, downloads, nextReport, notification }
}

describe('certificate mode', () => {
  test('an expired certificate is dropped from the key map and no longer verifies', async () => {
    const expiring = makePlatformCertificate('6666666666666666666666666666666666666661', NOW, new Date(NOW + HOUR))
    const lasting = makePlatformCertificate('6666666666666666666666666666666666666662', NOW)
    const w = world({ mode: 'certificate' }, expiring)
    w.state.published = [expiring, lasting]
    await w.client.queryOrderByOutTradeNo('X123456')
    expect(w.client.platformKeys.serials().sort()).toEqual([expiring.serial, lasting.serial].sort())
    w.state.now += 2 * HOUR
    expect(w.client.platformKeys.serials()).toEqual([lasting.serial])
    // Still signed with the expired certificate: refused, even after a fresh download lists it again.
    expect(await rejection(w.client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ detail: { reason: 'UNKNOWN_SERIAL', serial: expiring.serial } })
    expect(w.client.platformKeys.get(expiring.serial)).toBeUndefined()
    expect((await w.client.encryptSensitive('张三')).serial).toBe(lasting.serial)
  })

  test('a failing 12-hourly download: calls and notifications keep using the cache; retried in the background at most once a minute', async () => {
    const cert = makePlatformCertificate('7777777777777777777777777777777777777777', NOW)
    const w = world({ mode: 'certificate' }, cert)
    await w.client.queryOrderByOutTradeNo('X123456')
    expect(w.downloads()).toBe(1)

    w.state.now += 12 * HOUR + 1000
    w.state.certificatesAnswer = { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统繁忙，请稍后重试' } }
    const reported = w.nextReport()
    await expect(w.client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    // Started in the background, not awaited (its request is signed on the thread pool, so it may
    // reach the server after the call's own answer).
    await waitFor(() => w.downloads() === 2, 'the background certificate download')
    await reported
    expect(w.reported[0]).toMatchObject({ status: 500, code: 'SYSTEM_ERROR' })

    const n = w.notification()
    await expect(w.client.parseNotification(n.headers, n.body)).resolves.toMatchObject({ ok: true })
    await w.client.queryOrderByOutTradeNo('X123456')
    expect(w.downloads()).toBe(2) // within the minute after a failure: no new attempt

    w.state.now += 61_000
    w.state.certificatesAnswer = null
    const next = makePlatformCertificate('7777777777777777777777777777777777777778', w.state.now)
    w.state.published = [cert, next]
    await w.client.queryOrderByOutTradeNo('X123456')
    await waitFor(() => w.downloads() === 3, 'the background certificate download after the minute')
    // The refresh finishes in the background; the new certificate then verifies.
    w.state.signWith = next
    await expect(w.client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    expect(w.reported).toHaveLength(1)
  })
})

describe('moving from certificates to the public key (alsoCertificates)', () => {
  const both = { mode: 'publicKey' as const, publicKeyId: platform.publicKeyId, publicKey: platform.publicKey, alsoCertificates: true }

  test('answers and notifications signed by either key verify; the public key is announced', async () => {
    const cert = makePlatformCertificate('8888888888888888888888888888888888888888', NOW)
    const w = world(both, cert)
    // Signed by the certificate: fetched on first sight of its serial.
    await expect(w.client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    const certNotice = w.notification()
    await expect(w.client.parseNotification(certNotice.headers, certNotice.body)).resolves.toMatchObject({ ok: true, event: { serial: cert.serial } })
    // Signed by the public key.
    w.state.signWith = { serial: platform.publicKeyId, privateKey: platform.privateKey }
    await expect(w.client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    const keyNotice = w.notification()
    await expect(w.client.parseNotification(keyNotice.headers, keyNotice.body)).resolves.toMatchObject({ ok: true, event: { serial: platform.publicKeyId } })
    expect(w.fake.seen.filter((r) => r.pathWithQuery !== CERTS).every((r) => r.headers.get('wechatpay-serial') === platform.publicKeyId)).toBe(true)
    expect(w.client.platformKeys.serials().sort()).toEqual([cert.serial, platform.publicKeyId].sort())
    // Sensitive fields use the public key, as announced.
    expect((await w.client.encryptSensitive('张三')).serial).toBe(platform.publicKeyId)
  })

  test('once certificates are gone (404), public-key answers still verify and nothing waits on the download', async () => {
    const cert = makePlatformCertificate('9999999999999999999999999999999999999999', NOW)
    const w = world(both, cert)
    w.state.signWith = { serial: platform.publicKeyId, privateKey: platform.privateKey }
    w.state.certificatesAnswer = { status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。' } }
    const reported = w.nextReport()
    await expect(w.client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    await reported
    expect(w.reported[0]).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' })
    // A forged serial costs at most one download a minute.
    const forged = w.notification()
    const before = w.downloads()
    const parsed = await w.client.parseNotification({ ...forged.headers, 'Wechatpay-Serial': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, forged.body)
    expect(parsed).toMatchObject({ ok: false, reason: 'UNKNOWN_SERIAL' })
    expect(w.downloads()).toBe(before)
  })
})
