import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { issueCertificate } from '../../server/wechatpay'
import { runDoctor } from '../../server/merchant/doctor'
import { ENV_KEYS } from '../../server/merchant/config'
import { DIRECT_ENV, fakeReadFile, privatePem as pem, publicPem as pub } from '../support/config-env'
import { pooledKey, spareKey } from '../support/test-keys'

const merchant = pooledKey()
const other = spareKey()
const cert = issueCertificate({ subject: [['CN', '1900000109']], issuer: [['CN', 'test']], serialHex: 'ABCDEF0123456789', notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86400_000), publicKey: merchant, signingKey: other })

const files: Record<string, string> = {
  '/k/apiclient_key.pem': pem(merchant),
  '/k/apiclient_cert.pem': cert,
  '/k/pub_key.pem': pub(other),
  '/k/own_pub.pem': pub(merchant),
  '/o/apiclient_key.pem': pem(other),
}
const readFile = fakeReadFile(files)
/** The serial is the certificate's. */
const good = { ...DIRECT_ENV, WECHATPAY_SERIAL_NO: 'ABCDEF0123456789' }

describe('npm run doctor', () => {
  test('a good configuration has no problem and passes the paySign self-test', () => {
    const report = runDoctor(good, readFile)
    expect(report.problems).toEqual([])
    expect(report.passed.join('\n')).toMatch(/paySign self-test ok/)
    expect(report.passed.join('\n')).toMatch(/private key matches apiclient_cert.pem/)
  })

  test('each problem is one line saying what to fix', () => {
    const report = runDoctor({
      ...good,
      WECHATPAY_SERIAL_NO: '1111111111111111',
      WECHATPAY_APIV3_KEY: 'short',
      WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: '/k/own_pub.pem',
      NOTIFY_URL: 'http://shop.example.org/notify',
      ADMIN_TOKEN: 'change-me-change-me',
      WECHAT_APP_SECRET: undefined,
    } as Record<string, string | undefined>, readFile)
    const text = report.problems.join('\n')
    expect(text).toMatch(/^WECHAT_APP_SECRET is missing/m)
    expect(text).toMatch(/^WECHATPAY_APIV3_KEY is 5 bytes/m)
    expect(text).toMatch(/^NOTIFY_URL must be https/m)
    expect(text).toMatch(/^ADMIN_TOKEN looks like a placeholder/m)
    for (const line of report.problems) expect(line).not.toContain('\n')
  })

  test('a serial that is not the certificate’s, a key that is not the certificate’s, and the merchant’s own key as platform key', () => {
    const serial = runDoctor({ ...good, WECHATPAY_SERIAL_NO: '1111111111111111' }, readFile).problems.join('\n')
    expect(serial).toMatch(/WECHATPAY_SERIAL_NO is 1111111111111111 but .* has serial ABCDEF0123456789/)
    files['/o/apiclient_cert.pem'] = cert
    const key = runDoctor({ ...good, WECHATPAY_PRIVATE_KEY_PATH: '/o/apiclient_key.pem' }, readFile).problems.join('\n')
    expect(key).toMatch(/is not the key of/)
    const own = runDoctor({ ...good, WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: '/k/own_pub.pem' }, readFile).problems.join('\n')
    expect(own).toMatch(/merchant's own public key/)
  })

  test('hosts that are not WeChat\'s own are reported (the emulator in production would be a mistake)', () => {
    const { problems } = runDoctor({ ...good, WECHATPAY_BASE_URL: 'http://127.0.0.1:3100', WECHAT_API_BASE: 'https://api.weixin.qq.com' }, readFile)
    expect(problems).toEqual([expect.stringMatching(/^WECHATPAY_BASE_URL points at 127\.0\.0\.1, not WeChat's own api\.mch\.weixin\.qq\.com or api2\.wechatpay\.cn/)])
  })

  test('partner mode without a sub-merchant is reported', () => {
    expect(runDoctor({ ...good, WECHATPAY_MODE: 'partner' }, readFile).problems.join('\n')).toMatch(/WECHATPAY_SUB_MCHID is missing/)
  })

  test('partner and ecommerce mode without a data encryption key are reported, each problem once', () => {
    const partner = runDoctor({ ...good, WECHATPAY_MODE: 'partner' }, readFile).problems
    expect(partner.join('\n')).toMatch(/WECHATPAY_SUB_MCHID is missing[^\n]*\nDATA_ENCRYPTION_KEY is missing/)
    const ecommerce = runDoctor({ ...good, WECHATPAY_MODE: 'ecommerce' }, readFile).problems
    expect(ecommerce.filter((p) => p.startsWith('DATA_ENCRYPTION_KEY'))).toHaveLength(1)
    expect(runDoctor({ ...good, WECHATPAY_MODE: 'ecommerce', DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }, readFile).problems.join('\n')).not.toMatch(/DATA_ENCRYPTION_KEY/)
  })

  test('.env.example documents every setting', () => {
    const example = readFileSync(join(__dirname, '../../server/merchant/.env.example'), 'utf8')
    for (const key of ENV_KEYS) expect(example).toMatch(new RegExp(`^${key}=`, 'm'))
  })
})
