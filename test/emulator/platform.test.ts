/**
 * Platform keys (wechatpay-v3.md §2.3, §2.4): GET /v3/certificates in both modes, the platform-key
 * switch where the request's Wechatpay-Serial picks the signing key, and media upload (§11.1).
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { decryptAead, loadPublicKey, PlatformKeys, verifyWechatpaySignature } from '../../server/wechatpay'
import { createPlatformKey } from '../../server/emulator/platform'
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { call, clientFor, directOrder, signedByPlatform, switchTo, withNotifyEndpoint } from './helpers'

const verifiesWith = (a: { headers: Headers; text: string }, serial: string, pem: string) =>
  verifyWechatpaySignature({ headers: a.headers, body: Buffer.from(a.text), keys: new PlatformKeys([[serial, loadPublicKey(pem)]]), now: Math.floor(Date.now() / 1000) }).ok

test('a certificate serial reads back as issued, whatever its first digit (never a leading zero byte that DER drops)', () => {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  for (let first = 0; first < 15; first++) {
    // The first draw picks the first digit; zeros after it make "X000…", the case a leading "0" breaks.
    let draws = 0
    const random = () => (draws++ === 0 ? first / 15 : 0)
    const k = createPlatformKey({ mode: 'certificate', privateKey, caKey: privateKey, now: Date.now(), random })
    expect(new X509Certificate(k.certificatePem as string).serialNumber.toUpperCase()).toBe(k.serialNo)
  }
})

describe('certificate mode', () => {
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ platformMode: 'certificate', retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]))

  test('GET /v3/certificates lists the certificate, encrypted with the APIv3 key, signed by it', async () => {
    const a = await call(emu, m, '/v3/certificates')
    expect(a.status).toBe(200)
    const [item] = a.json.data
    expect(item).toMatchObject({ serial_no: m.platform.serialNo, effective_time: expect.stringMatching(/\+08:00$/), expire_time: expect.stringMatching(/\+08:00$/), encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate' } })
    const e = item.encrypt_certificate
    const pem = decryptAead({ apiV3Key: m.apiV3Key, nonce: e.nonce, associatedData: e.associated_data, ciphertext: e.ciphertext })
    const x = new X509Certificate(pem)
    expect(x.serialNumber.toUpperCase()).toBe(m.platform.serialNo)
    expect(x.subject).toContain('CN=Tenpay.com sign')
    expect(x.issuer).toContain('CN=Tenpay.com Root CA')
    expect(a.headers.get('wechatpay-serial')).toBe(m.platform.serialNo)
    expect(verifiesWith(a, m.platform.serialNo, pem)).toBe(true)
    // The library's certificate-mode client downloads and trusts it.
    const certs = await clientFor(emu, m).downloadCertificates()
    expect(certs.map((c) => c.serialNo)).toEqual([m.platform.serialNo])
  })

  test('switch to a public key: the request’s Wechatpay-Serial decides which key signs; notifications follow', async () => {
    await withNotifyEndpoint([204], async (notify) => {
      const { platform: next, previous } = await switchTo(emu, m.mchid, { mode: 'publicKey' })
      expect(next.serialNo).toMatch(/^PUB_KEY_ID_/)
      expect(previous?.serialNo).toBe(m.platform.serialNo)
      const body = directOrder(m, 'o-switch-user', notify.url)
      await emu.login(m.appId, 'o-switch-user')
      const legacy = await call(emu, m, '/v3/pay/transactions/jsapi', { body })
      expect(legacy.headers.get('wechatpay-serial')).toBe(m.platform.serialNo)
      expect(signedByPlatform(m, legacy)).toBe(true)
      const announced = await call(emu, m, '/v3/pay/transactions/jsapi', { body, headers: { 'Wechatpay-Serial': next.serialNo } })
      expect(announced.headers.get('wechatpay-serial')).toBe(next.serialNo)
      expect(verifiesWith(announced, next.serialNo, next.publicKeyPem)).toBe(true)
      // Certificates are still listed during the switch.
      expect((await call(emu, m, '/v3/certificates')).status).toBe(200)
      // The merchant announced the new key, so its notifications are signed with it.
      const client = clientFor(emu, m)
      expect(await emu.pay(client.requestPayment(m.appId, announced.json.prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
      const [n] = await notify.waitFor(1)
      expect(n.headers['wechatpay-serial']).toBe(next.serialNo)
      // Completing the switch: the public key signs everything, certificates are gone.
      await switchTo(emu, m.mchid, { complete: true })
      const after = await call(emu, m, `/v3/pay/transactions/out-trade-no/${body.out_trade_no}?mchid=${m.mchid}`)
      expect(after.headers.get('wechatpay-serial')).toBe(next.serialNo)
      const certs = await call(emu, m, '/v3/certificates')
      expect([certs.status, certs.json.code]).toEqual([404, 'RESOURCE_NOT_EXISTS'])
    })
  })
})

describe('public-key mode', () => {
  let emu: EmulatorHandle
  let m: TestMerchant
  withEmulator({ retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]))

  test('GET /v3/certificates is 404 RESOURCE_NOT_EXISTS with the real message', async () => {
    const a = await call(emu, m, '/v3/certificates')
    expect(a.status).toBe(404)
    expect(a.json.code).toBe('RESOURCE_NOT_EXISTS')
    expect(a.json.message).toMatch(/^无可用的平台证书/)
  })

  test('a public-key rotation: old key by default, new key for requests that announce it', async () => {
    const { platform: next } = await switchTo(emu, m.mchid, {})
    expect(next.serialNo).not.toBe(m.platform.serialNo)
    const q = `/v3/pay/transactions/out-trade-no/NOPE123456?mchid=${m.mchid}`
    expect((await call(emu, m, q)).headers.get('wechatpay-serial')).toBe(m.platform.serialNo)
    expect((await call(emu, m, q, { headers: { 'Wechatpay-Serial': next.serialNo } })).headers.get('wechatpay-serial')).toBe(next.serialNo)
  })

  test('switching an unknown merchant is a control error', async () => {
    const res = await fetch(`${emu.url}/__emulator/merchants/1000000000/platform-switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(404)
  })

  describe('POST /v3/merchant/media/upload', () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)])
    const multipart = (meta: string, filename: string, content: Buffer) => {
      const boundary = '----emulatortest'
      return {
        contentType: `multipart/form-data; boundary=${boundary}`,
        bytes: Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${meta}\r\n`),
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`),
          content,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      }
    }
    const upload = async (meta: string, filename: string, content: Buffer, signed = meta) => {
      const { signRequest } = await import('../../server/wechatpay')
      const { contentType, bytes } = multipart(meta, filename, content)
      const res = await fetch(`${emu.url}/v3/merchant/media/upload`, {
        method: 'POST',
        headers: { Authorization: signRequest(m, 'POST', '/v3/merchant/media/upload', signed), Accept: 'application/json', 'User-Agent': 'test', 'Content-Type': contentType },
        body: bytes,
      })
      return { status: res.status, json: JSON.parse(await res.text()) }
    }
    const metaOf = (filename: string, content: Buffer) => JSON.stringify({ filename, sha256: createHash('sha256').update(content).digest('hex') })

    test('the library’s uploadMedia gets a media_id', async () => {
      const { media_id } = await clientFor(emu, m).uploadMedia('license.png', png)
      expect(media_id).toMatch(/^V1_/)
    })

    test.each([
      ['a signature over other meta bytes', () => upload(metaOf('a.png', png), 'a.png', png, metaOf('b.png', png)), 401, 'SIGN_ERROR'],
      ['a sha256 that is not the file’s', () => upload(metaOf('a.png', Buffer.from('other')), 'a.png', png), 400, 'PARAM_ERROR'],
      ['a .gif', () => upload(metaOf('a.gif', png), 'a.gif', png), 400, 'PARAM_ERROR'],
      ['a file name other than meta.filename', () => upload(metaOf('a.png', png), 'b.png', png), 400, 'PARAM_ERROR'],
      ['a file over 2 MB', () => { const big = Buffer.alloc(2 * 1024 * 1024 + 1); return upload(metaOf('a.png', big), 'a.png', big) }, 400, 'PARAM_ERROR'],
    ])('refuses %s', async (_name, run, status, code) => {
      const a = await run()
      expect([a.status, a.json.code]).toEqual([status, code])
    })
  })
})
