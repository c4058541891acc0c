/**
 * Every vector of test/fixtures/wechatpay-vectors.json (copied from the design reference)
 * reproduced by the library's own functions: known-answer tests, negatives included.
 */
import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, type KeyObject } from 'node:crypto'
import vectors from '../fixtures/wechatpay-vectors.json'
import {
  buildRequestPayment,
  checkAuthorization,
  decryptAead,
  decryptSensitive,
  encryptSensitive,
  formatAuthorization,
  loadCertificate,
  loadPrivateKey,
  loadPublicKey,
  parseNotification,
  paySignMessage,
  PlatformKeys,
  requestMessage,
  responseMessage,
  signMessage,
  verifySignature,
  verifyWechatpaySignature,
  WechatPayCryptoError,
} from '../../server/wechatpay'
import type { Json } from '../support/json'

type AnyVector = Record<string, Json> & { id: string; kind: string }
type KeyEntry = { private_key_pem?: string; public_key_pem?: string; certificate_pem?: string; mchid?: string; serial_no?: string; value?: string; public_key_id?: string; certificate_serial?: string }

const keys = vectors.keys as Record<string, KeyEntry>
const all = vectors.vectors as AnyVector[]
const ofKind = (kind: string) => all.filter((v) => v.kind === kind).map((v) => [v.id, v] as const)
const privateKeyOf = (ref: string) => loadPrivateKey(keys[ref].private_key_pem as string)
const publicKeyOf = (ref: string): KeyObject => {
  const k = keys[ref]
  if (k.public_key_pem) return loadPublicKey(k.public_key_pem)
  if (k.certificate_pem) return loadPublicKey(k.certificate_pem)
  return createPublicKey(createPrivateKey(k.private_key_pem as string))
}
const trustFor = (v: AnyVector) => new PlatformKeys([[v.verifier_serial, publicKeyOf(v.verifier)]])
const outcomeName = { MISSING_HEADERS: 'missing_header', STALE_TIMESTAMP: 'stale_timestamp', UNKNOWN_SERIAL: 'unknown_serial', BAD_SIGNATURE: 'invalid_signature' } as const

const cryptoCode = (fn: () => unknown): string => {
  try {
    fn()
    return 'decrypted'
  } catch (e) {
    return e instanceof WechatPayCryptoError ? e.code : 'unexpected'
  }
}

test('the fixture holds all 32 vectors of the reference', () => {
  expect(all).toHaveLength(32)
})

describe('request signature (wechatpay-v3.md §1)', () => {
  test.each(ofKind('request_signature'))('%s', (_id, v) => {
    const message = requestMessage({ method: v.method, pathWithQuery: v.url, timestamp: v.timestamp, nonce: v.nonce_str, body: v.body ?? '' })
    expect(message).toBe(v.expected_message)
    const signature = signMessage(message, privateKeyOf(v.key))
    expect(signature).toBe(v.expected_signature)
    expect(verifySignature(message, signature, publicKeyOf(v.key))).toBe(true)
    const k = keys[v.key]
    if (v.expected_authorization) {
      expect(formatAuthorization({ mchid: k.mchid as string, nonce_str: v.nonce_str, signature, timestamp: v.timestamp, serial_no: k.serial_no as string })).toBe(v.expected_authorization)
    }
    if (v.body_utf8_bytes !== undefined) expect(Buffer.byteLength(v.body, 'utf8')).toBe(v.body_utf8_bytes)
    if (v.file_base64) {
      expect(createHash('sha256').update(Buffer.from(v.file_base64, 'base64')).digest('hex')).toBe(JSON.parse(v.body).sha256)
    }
  })
})

describe('paySign (wechatpay-v3.md §6)', () => {
  test.each(ofKind('pay_sign'))('%s', (_id, v) => {
    const message = paySignMessage(v.appId, v.timeStamp, v.nonceStr, v.fourth_line)
    expect(message).toBe(v.expected_message)
    expect(signMessage(message, privateKeyOf(v.key))).toBe(v.expected_signature)
  })

  test.each(ofKind('pay_sign').filter(([, v]) => v.fourth_line.startsWith('prepay_id=')))('%s through buildRequestPayment', (_id, v) => {
    const params = buildRequestPayment({
      appId: v.appId,
      prepayId: v.fourth_line.slice('prepay_id='.length),
      privateKey: privateKeyOf(v.key),
      clock: () => Number(v.timeStamp) * 1000 + 999,
      nonce: () => v.nonceStr,
    })
    expect(params).toEqual(v.expected_request_payment ?? { timeStamp: v.timeStamp, nonceStr: v.nonceStr, package: v.fourth_line, signType: 'RSA', paySign: v.expected_signature })
  })
})

test.each(ofKind('raw_signature'))('raw SHA256withRSA %s', (_id, v) => {
  expect(signMessage(v.message, privateKeyOf(v.key))).toBe(v.expected_signature)
})

describe('response verification (wechatpay-v3.md §2)', () => {
  test.each(ofKind('response_verify'))('%s', (_id, v) => {
    const result = verifyWechatpaySignature({ headers: v.headers, body: v.body, keys: trustFor(v), now: v.now })
    expect(result.ok ? 'valid' : outcomeName[result.reason]).toBe(v.expected)
    // The raw bytes give the same answer as the string.
    const fromBytes = verifyWechatpaySignature({ headers: v.headers, body: Buffer.from(v.body, 'utf8'), keys: trustFor(v), now: v.now })
    expect(fromBytes.ok).toBe(result.ok)
    if (v.expected_message) expect(responseMessage(v.headers['Wechatpay-Timestamp'], v.headers['Wechatpay-Nonce'], v.body)).toBe(v.expected_message)
  })
})

describe('notifications (wechatpay-v3.md §8)', () => {
  test.each(ofKind('notification'))('%s verifies, decrypts and types', (_id, v) => {
    const parsed = parseNotification(v.headers, Buffer.from(v.body, 'utf8'), { keys: trustFor(v), apiV3Key: keys[v.api_v3_key_ref].value as string, now: v.now })
    expect(parsed.ok).toBe(v.expected_signature_valid)
    if (!parsed.ok) return
    const expected = JSON.parse(v.expected_plaintext)
    const event = parsed.event
    if (event.kind === 'transaction') expect(event.transaction).toEqual(expected)
    else if (event.kind === 'refund') expect(event.refund).toEqual(expected)
    else throw new Error(`unexpected kind ${event.kind}`)
    const envelope = JSON.parse(v.body)
    expect(event).toMatchObject({ id: envelope.id, eventType: envelope.event_type, serial: v.verifier_serial })
    const r = envelope.resource
    expect(decryptAead({ apiV3Key: keys[v.api_v3_key_ref].value as string, nonce: r.nonce, associatedData: r.associated_data, ciphertext: r.ciphertext })).toBe(v.expected_plaintext)
  })
})

describe('AEAD_AES_256_GCM (wechatpay-v3.md §3)', () => {
  test.each(ofKind('aead_decrypt'))('%s', (_id, v) => {
    expect(decryptAead({ apiV3Key: v.api_v3_key, nonce: v.nonce, associatedData: v.associated_data, ciphertext: v.ciphertext })).toBe(v.expected_plaintext)
  })

  const codeName: Record<string, string> = { AEAD_AUTH_FAILED: 'auth_fail', AEAD_TOO_SHORT: 'reject_length', AEAD_KEY_LENGTH: 'reject_key', AEAD_NONCE_LENGTH: 'reject_nonce' }
  const negatives = all.filter((v) => v.kind === 'aead_decrypt_negative').flatMap((v) => v.cases.map((c: AnyVector) => [`${v.id}/${c.name}`, v, c] as const))
  test.each(negatives)('%s is refused', (_name, v, c) => {
    const code = cryptoCode(() => decryptAead({ apiV3Key: keys[v.api_v3_key_ref].value as string, nonce: c.nonce, associatedData: c.associated_data, ciphertext: c.ciphertext }))
    expect(codeName[code] ?? code).toBe(c.expected)
  })

  const traps = all.filter((v) => v.kind === 'aead_key_length_trap').flatMap((v) => v.cases.map((c: AnyVector) => [`${v.id}/${c.api_v3_key}`, c] as const))
  test.each(traps)('%s: a 16-byte key never silently becomes AES-128', (_name, c) => {
    expect(cryptoCode(() => decryptAead({ apiV3Key: c.api_v3_key, nonce: c.nonce, associatedData: c.associated_data, ciphertext: c.ciphertext }))).toBe('AEAD_KEY_LENGTH')
  })

  test.each(ofKind('certificates_decrypt'))('%s: /v3/certificates decrypts to the Tenpay certificate', (_id, v) => {
    const item = v.response_body.data[0]
    const e = item.encrypt_certificate
    const pem = decryptAead({ apiV3Key: v.api_v3_key, nonce: e.nonce, associatedData: e.associated_data, ciphertext: e.ciphertext })
    expect(createHash('sha256').update(pem).digest('hex')).toBe(v.expected_sha256_of_pem)
    const cert = loadCertificate(pem)
    expect(cert.serialNo).toBe(item.serial_no)
    expect(cert.serialNo).toBe(v.expected_serial_no)
    expect(cert.subject).toContain(`CN=${v.expected_subject_cn}`)
    expect(cert.issuer).toContain(`CN=${v.expected_issuer_cn}`)
  })
})

describe('RSA-OAEP sensitive fields (wechatpay-v3.md §11.2)', () => {
  test.each(ofKind('oaep'))('%s', (_id, v) => {
    const priv = privateKeyOf(v.encrypt_key)
    const pub = publicKeyOf(v.encrypt_key)
    for (const c of v.cases) {
      expect(decryptSensitive(c.ciphertext, priv)).toBe(c.plaintext)
      expect(decryptSensitive(encryptSensitive(c.plaintext, pub), priv)).toBe(c.plaintext)
      // OAEP-SHA256 must not open a SHA-1 ciphertext: the hash is part of the contract.
      expect(() => privateDecrypt({ key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(c.ciphertext, 'base64'))).toThrow()
    }
    expect(cryptoCode(() => encryptSensitive('x'.repeat(v.too_long_plaintext_bytes), pub))).toBe('OAEP_TOO_LONG')
    expect(cryptoCode(() => encryptSensitive('x'.repeat(v.too_long_plaintext_bytes - 1), pub))).toBe('decrypted')
  })
})

describe('Authorization check, WeChat Pay side (wechatpay-v3.md §1.3)', () => {
  const cases = all.filter((v) => v.kind === 'authorization_parse').flatMap((v) => v.cases.map((c: AnyVector) => [`${v.id}/${c.name}`, v, c] as const))
  test.each(cases)('%s', (_name, v, c) => {
    const k = keys[v.key]
    const result = checkAuthorization({
      header: c.header,
      method: v.method,
      pathWithQuery: v.url,
      body: v.body,
      now: v.now,
      merchant: (mchid) => (mchid === k.mchid ? { serialNo: k.serial_no as string, publicKey: publicKeyOf(v.key) } : undefined),
    })
    expect(result.ok ? 'ok' : 'SIGN_ERROR').toBe(c.expected)
  })
})

test('every key of the fixture is RSA-2048 and its public half matches', () => {
  for (const [name, k] of Object.entries(keys)) {
    if (!k.private_key_pem) continue
    const priv = loadPrivateKey(k.private_key_pem, name)
    if (k.public_key_pem) expect(verifySignature('m', signMessage('m', priv), loadPublicKey(k.public_key_pem))).toBe(true)
    if (k.certificate_pem) {
      expect(loadCertificate(k.certificate_pem).serialNo).toBe(k.certificate_serial)
      expect(verifySignature('m', signMessage('m', priv), loadPublicKey(k.certificate_pem))).toBe(true)
    }
  }
})
