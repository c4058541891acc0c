import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto'
import { WechatPayConfigError } from './errors'

/** WeChat Pay public key ids look like PUB_KEY_ID_ + digits (wechatpay-v3.md §2.3). */
export const PUBLIC_KEY_ID_PATTERN = /^PUB_KEY_ID_\d{10,64}$/
export const APIV3_KEY_BYTES = 32

const describe = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e))

function requireRsa2048(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new WechatPayConfigError(`${what}: expected an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`)
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < 2048) throw new WechatPayConfigError(`${what}: RSA key is ${bits} bits, WeChat Pay requires 2048`)
  return key
}

/** Parses the merchant API private key (apiclient_key.pem, PKCS#8 or PKCS#1) once into a KeyObject. */
export function loadPrivateKey(pem: string | Buffer, what = 'merchant private key'): KeyObject {
  const text = pem.toString()
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) {
    throw new WechatPayConfigError(`${what}: not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`)
  }
  let key: KeyObject
  try {
    key = createPrivateKey(text)
  } catch (e) {
    throw new WechatPayConfigError(`${what}: cannot parse PEM (${describe(e)})`)
  }
  return requireRsa2048(key, what)
}

/** Parses a public key from a PUBLIC KEY PEM, an RSA PUBLIC KEY PEM or an X.509 CERTIFICATE PEM. */
export function loadPublicKey(pem: string | Buffer, what = 'public key'): KeyObject {
  const text = pem.toString()
  let key: KeyObject
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) key = new X509Certificate(text).publicKey
    else if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) key = createPublicKey(text)
    else throw new Error('expected "-----BEGIN PUBLIC KEY-----" or "-----BEGIN CERTIFICATE-----"')
  } catch (e) {
    throw new WechatPayConfigError(`${what}: cannot parse PEM (${describe(e)})`)
  }
  return requireRsa2048(key, what)
}

export interface LoadedCertificate {
  serialNo: string
  publicKey: KeyObject
  validFrom: Date
  validTo: Date
  subject: string
  issuer: string
}

/** Parses an X.509 certificate: its serial (upper-case hex), key and validity. */
export function loadCertificate(pem: string | Buffer, what = 'certificate'): LoadedCertificate {
  let x: X509Certificate
  try {
    x = new X509Certificate(pem)
  } catch (e) {
    throw new WechatPayConfigError(`${what}: cannot parse certificate PEM (${describe(e)})`)
  }
  return {
    serialNo: x.serialNumber.toUpperCase(),
    publicKey: requireRsa2048(x.publicKey, what),
    validFrom: new Date(x.validFrom),
    validTo: new Date(x.validTo),
    subject: x.subject,
    issuer: x.issuer,
  }
}

/** The APIv3 key: exactly 32 bytes (wechatpay-v3.md §3). A 16- or 31-byte key is a configuration error. */
export function loadApiV3Key(key: string | Buffer, what = 'APIv3 key'): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key)
  if (bytes.length !== APIV3_KEY_BYTES) {
    throw new WechatPayConfigError(`${what}: must be exactly ${APIV3_KEY_BYTES} bytes, got ${bytes.length}`)
  }
  return bytes
}

/** True when both keys are the same RSA key (e.g. a platform key that is really the merchant's own). */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  const pub = (k: KeyObject) => (k.type === 'private' ? createPublicKey(k) : k)
  return pub(a).export({ type: 'spki', format: 'der' }).equals(pub(b).export({ type: 'spki', format: 'der' }))
}

/** The public half of a key, as SPKI PEM. */
export const publicKeyPem = (key: KeyObject): string =>
  (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'pem' }).toString()
