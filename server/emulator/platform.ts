/**
 * WeChat Pay's own signing keys: a public key (`PUB_KEY_ID_…`, the default for new merchants) or a
 * platform certificate issued by a Tenpay-like root (wechatpay-v3.md §2.3).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { issueCertificate, publicKeyPem } from '../wechatpay'
import type { PlatformKeyRecord, PlatformMode } from './state/types'

/** Platform certificates live about five years (wechatpay-v3.md §2.3). */
export const CERTIFICATE_VALIDITY_MS = 5 * 365 * 24 * 3600 * 1000

/** A fresh RSA-2048 private key (the slow part: tests inject a pool). */
export const generateRsaKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey

const digits = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('')
const hex = (random: () => number, n: number) => Array.from({ length: n }, () => '0123456789ABCDEF'[Math.floor(random() * 16)]).join('')

const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString()

export const TENPAY_ROOT: Array<['C' | 'ST' | 'L' | 'O' | 'OU' | 'CN', string]> = [
  ['C', 'CN'],
  ['O', 'Tenpay.com'],
  ['OU', 'Tenpay.com CA Center'],
  ['CN', 'Tenpay.com Root CA'],
]

export interface NewPlatformKey {
  mode: PlatformMode
  privateKey: KeyObject
  /** Issuer key for certificate mode. */
  caKey?: KeyObject
  now: number
  random: () => number
}

/** Makes a platform key record: PUB_KEY_ID_ + 34 digits, or a certificate with a 40-hex serial. */
export function createPlatformKey({ mode, privateKey, caKey, now, random }: NewPlatformKey): PlatformKeyRecord {
  const base = { privateKeyPem: pem(privateKey), publicKeyPem: publicKeyPem(privateKey) }
  if (mode === 'publicKey') return { mode, serialNo: `PUB_KEY_ID_${digits(random, 34)}`, ...base }
  if (!caKey) throw new Error('certificate mode needs an issuer key')
  // The first digit is never 0: a serial starting with a zero byte is not the integer's minimal
  // encoding, so the certificate would carry (and clients read) it without that byte: "00AB…" → "AB…".
  const serialNo = `${'123456789ABCDEF'[Math.floor(random() * 15)]}${hex(random, 39)}`
  const notBefore = new Date(now - 24 * 3600 * 1000)
  const notAfter = new Date(now + CERTIFICATE_VALIDITY_MS)
  const certificatePem = issueCertificate({
    subject: [['C', 'CN'], ['ST', 'Guangdong'], ['L', 'Shenzhen'], ['O', 'Tenpay.com'], ['OU', 'Tenpay.com CA Center'], ['CN', 'Tenpay.com sign']],
    issuer: TENPAY_ROOT,
    serialHex: serialNo,
    notBefore,
    notAfter,
    publicKey: privateKey,
    signingKey: caKey,
  })
  return { mode, serialNo, ...base, certificatePem, effectiveTime: notBefore.toISOString(), expireTime: notAfter.toISOString() }
}

/** What a merchant is told about a platform key (never the private half). */
export const publicView = (k: PlatformKeyRecord) => ({
  mode: k.mode,
  serialNo: k.serialNo,
  publicKeyPem: k.publicKeyPem,
  ...(k.certificatePem ? { certificatePem: k.certificatePem } : {}),
})

/** Parses PEM keys once and keeps the KeyObjects. */
export class KeyCache {
  private readonly privateKeys = new Map<string, KeyObject>()
  private readonly publicKeys = new Map<string, KeyObject>()
  privateKey(pemText: string): KeyObject {
    let k = this.privateKeys.get(pemText)
    if (!k) this.privateKeys.set(pemText, (k = createPrivateKey(pemText)))
    return k
  }
  publicKey(pemText: string): KeyObject {
    let k = this.publicKeys.get(pemText)
    if (!k) this.publicKeys.set(pemText, (k = createPublicKey(pemText)))
    return k
  }
}
