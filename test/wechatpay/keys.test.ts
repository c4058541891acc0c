import { generateKeyPairSync } from 'node:crypto'
import { loadApiV3Key, loadCertificate, loadPrivateKey, loadPublicKey, sameKey, WechatPayClient, WechatPayConfigError } from '../../server/wechatpay'
import { apiV3Key, merchant, platform } from './support/keys'

const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki') => k.export({ type, format: 'pem' }).toString()

describe('keys are parsed once and fail at construction with a clear message', () => {
  test('a truncated private key PEM names the key and the problem', () => {
    const broken = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'pkcs8').slice(0, 400) + '\n-----END PRIVATE KEY-----\n'
    expect(() => loadPrivateKey(broken, 'WECHATPAY_PRIVATE_KEY_PATH')).toThrow(WechatPayConfigError)
    expect(() => loadPrivateKey(broken, 'WECHATPAY_PRIVATE_KEY_PATH')).toThrow(/^WECHATPAY_PRIVATE_KEY_PATH: cannot parse PEM/)
  })

  test('a certificate handed over as the private key is refused', () => {
    expect(() => loadPrivateKey('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')).toThrow(/not a PEM private key/)
  })

  test('a 1024-bit RSA key and an EC key are refused', () => {
    expect(() => loadPrivateKey(pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'pkcs8'))).toThrow(/1024 bits, WeChat Pay requires 2048/)
    expect(() => loadPublicKey(pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'spki'))).toThrow(/expected an RSA key, got ec/)
  })

  test.each([
    ['31 bytes', 'x'.repeat(31), 31],
    ['16 bytes (an AES-128 key)', 'testAPIv3Key0000', 16],
    ['33 bytes', 'x'.repeat(33), 33],
    ['32 characters but 34 bytes', '中' + 'x'.repeat(31), 34],
  ])('an APIv3 key of %s is refused', (_name, key, bytes) => {
    expect(() => loadApiV3Key(key)).toThrow(`APIv3 key: must be exactly 32 bytes, got ${bytes}`)
  })

  test('the client refuses a bad APIv3 key before any request', () => {
    expect(
      () => new WechatPayClient({ ...merchant, apiV3Key: apiV3Key.slice(1), platform: { mode: 'publicKey', publicKeyId: platform.publicKeyId, publicKey: platform.publicKey } }),
    ).toThrow(/must be exactly 32 bytes, got 31/)
  })

  test('the client refuses a public key id that is not PUB_KEY_ID_…', () => {
    expect(() => new WechatPayClient({ ...merchant, apiV3Key, platform: { mode: 'publicKey', publicKeyId: 'A5FFF8E3', publicKey: platform.publicKey } })).toThrow(/PUB_KEY_ID_/)
  })

  test('sameKey tells the merchant key from the platform key', () => {
    expect(sameKey(merchant.privateKey, merchant.publicKey)).toBe(true)
    expect(sameKey(merchant.privateKey, platform.publicKey)).toBe(false)
  })

  test('loadCertificate rejects garbage', () => {
    expect(() => loadCertificate('nope', 'platform certificate')).toThrow(/^platform certificate: cannot parse certificate PEM/)
  })
})
