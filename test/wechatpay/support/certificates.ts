/** Platform certificates for unit tests: issued by a test "Tenpay.com Root CA", served as GET /v3/certificates serves them. */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto'
import { encryptResource, issueCertificate } from '../../../server/wechatpay'
import { apiV3Key } from './keys'

const DAY_MS = 86_400_000
const ca = generateKeyPairSync('rsa', { modulusLength: 2048 })
const issuer: Array<['C' | 'O' | 'CN', string]> = [['C', 'CN'], ['O', 'Tenpay.com'], ['CN', 'Tenpay.com Root CA']]

export interface TestCertificate {
  serial: string
  pem: string
  privateKey: KeyObject
}

/** A platform certificate valid from a day before `now` until `notAfter` (default: five years on). */
export function makePlatformCertificate(serialHex: string, now: number, notAfter = new Date(now + 5 * 365 * DAY_MS)): TestCertificate {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = issueCertificate({
    subject: [['C', 'CN'], ['O', '财付通支付科技有限公司'], ['CN', 'Tenpay.com sign']],
    issuer,
    serialHex,
    notBefore: new Date(now - DAY_MS),
    notAfter,
    publicKey: pair.publicKey,
    signingKey: ca.privateKey,
  })
  return { serial: new X509Certificate(pem).serialNumber, pem, privateKey: pair.privateKey }
}

/** The body of GET /v3/certificates listing these certificates, each encrypted with the test APIv3 key. */
export const certificatesBody = (certs: Array<{ serial: string; pem: string }>) => ({
  data: certs.map((c) => {
    const { algorithm, nonce, associated_data, ciphertext } = encryptResource(c.pem, apiV3Key, 'certificate', 'certificate')
    return {
      serial_no: c.serial,
      effective_time: '2026-01-01T08:00:00+08:00',
      expire_time: '2031-01-01T08:00:00+08:00',
      encrypt_certificate: { algorithm, nonce, associated_data: associated_data as string, ciphertext },
    }
  }),
})
