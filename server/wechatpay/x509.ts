import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto'

/**
 * A minimal X.509 v3 issuer (DER by hand, SHA256withRSA). node:crypto parses certificates but
 * cannot mint them; the emulator's certificate mode and the dev-key script need real ones:
 * `new X509Certificate(pem)` reads the result like any CA-issued certificate.
 */

const der = (tag: number, content: Buffer): Buffer => {
  const len = content.length
  let header: Buffer
  if (len < 0x80) header = Buffer.from([tag, len])
  else if (len < 0x100) header = Buffer.from([tag, 0x81, len])
  else if (len < 0x10000) header = Buffer.from([tag, 0x82, len >> 8, len & 0xff])
  else header = Buffer.from([tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff])
  return Buffer.concat([header, content])
}
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items))
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items))
const integerFromBytes = (bytes: Buffer) => {
  let b = bytes
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1)
  return der(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b)
}
const oid = (dotted: string): Buffer => {
  const parts = dotted.split('.').map(Number)
  const out = [40 * parts[0] + parts[1]]
  for (const n of parts.slice(2)) {
    const stack = [n & 0x7f]
    for (let v = n >> 7; v > 0; v >>= 7) stack.unshift((v & 0x7f) | 0x80)
    out.push(...stack)
  }
  return der(0x06, Buffer.from(out))
}
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'))
const printable = (s: string) => der(0x13, Buffer.from(s, 'ascii'))
const bitString = (b: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), b]))
const time = (d: Date) => {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z' // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'ascii')) : der(0x18, Buffer.from(iso, 'ascii'))
}

const ATTRIBUTE_OIDS = { C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const
export type NameAttribute = [keyof typeof ATTRIBUTE_OIDS, string]

const name = (attrs: NameAttribute[]) =>
  seq(...attrs.map(([k, v]) => set(seq(oid(ATTRIBUTE_OIDS[k]), k === 'C' ? printable(v) : utf8(v)))))

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)))

export interface CertificateSpec {
  subject: NameAttribute[]
  issuer: NameAttribute[]
  /** Upper-case hex; random 20 bytes when omitted. */
  serialHex?: string
  notBefore: Date
  notAfter: Date
  /** The key being certified (public, or a private key whose public half is used). */
  publicKey: KeyObject
  /** The issuer's private key (the same key for a self-signed certificate). */
  signingKey: KeyObject
  isCa?: boolean
}

/** Issues an X.509 v3 certificate as PEM. */
export function issueCertificate(spec: CertificateSpec): string {
  const serial = Buffer.from(spec.serialHex ?? randomBytes(20).toString('hex').toUpperCase(), 'hex')
  const spki = (spec.publicKey.type === 'private' ? createPublicKey(spec.publicKey) : spec.publicKey).export({ type: 'spki', format: 'der' })
  const basicConstraints = seq(
    oid('2.5.29.19'),
    der(0x01, Buffer.from([0xff])), // critical
    der(0x04, spec.isCa ? seq(der(0x01, Buffer.from([0xff]))) : seq()),
  )
  const keyUsage = seq(
    oid('2.5.29.15'),
    der(0x01, Buffer.from([0xff])),
    der(0x04, spec.isCa ? der(0x03, Buffer.from([0x01, 0x06])) : der(0x03, Buffer.from([0x06, 0xc0]))), // CA: keyCertSign|cRLSign; leaf: digitalSignature|nonRepudiation
  )
  const tbs = seq(
    der(0xa0, integerFromBytes(Buffer.from([2]))),
    integerFromBytes(serial),
    SHA256_WITH_RSA,
    name(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    Buffer.from(spki),
    der(0xa3, seq(basicConstraints, keyUsage)),
  )
  const signature = sign('sha256', tbs, spec.signingKey)
  const cert = seq(tbs, SHA256_WITH_RSA, bitString(signature))
  const b64 = cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}
