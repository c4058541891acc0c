/**
 * Cross-check against an independent implementation, wechatpay-axios-plugin 0.9.6: for fresh
 * random inputs both produce and accept the same signatures, paySigns and ciphertexts.
 */
import { randomBytes, randomInt } from 'node:crypto'
// The plugin ships CommonJS without TypeScript types for these internals.
const { Formatter, Rsa, Aes } = require('wechatpay-axios-plugin') as {
  Formatter: { request(...a: string[]): string; response(...a: string[]): string; joinedByLineFeed(...a: string[]): string; authorization(...a: string[]): string; nonce(n?: number): string }
  Rsa: { sign(m: string, k: unknown): string; verify(m: string, s: string, k: unknown): boolean; encrypt(p: string, k: unknown): string; decrypt(c: string, k: unknown): string }
  Aes: { AesGcm: { encrypt(p: string, k: string, iv: string, aad: string): string; decrypt(c: string, k: string, iv: string, aad: string): string } }
}
import {
  buildRequestPayment,
  checkAuthorization,
  decryptAead,
  decryptSensitive,
  encryptResource,
  encryptSensitive,
  parseAuthorization,
  PlatformKeys,
  requestMessage,
  signMessage,
  signRequest,
  signWechatpayMessage,
  verifyWechatpaySignature,
} from '../../server/wechatpay'
import { apiV3Key, merchant, platform } from './support/keys'

const NOW = 1_767_225_600
const samples = Array.from({ length: 12 }, (_, i) => ({
  method: ['GET', 'POST', 'PUT', 'PATCH'][i % 4],
  url: `/v3/pay/transactions/out-trade-no/T${randomBytes(6).toString('hex')}?mchid=${merchant.mchid}`,
  body: i % 4 === 0 ? '' : JSON.stringify({ description: `商品${i}-${'é😀'.repeat(i % 3)}`, amount: { total: randomInt(1, 5_000_000) } }),
  nonce: Formatter.nonce(32),
  timestamp: String(NOW - i),
}))

test.each(samples.map((s, i) => [i, s] as const))('request %i: same message, same signature, each side accepts the other', (_i, s) => {
  const ours = requestMessage({ method: s.method, pathWithQuery: s.url, timestamp: s.timestamp, nonce: s.nonce, body: s.body })
  expect(ours).toBe(Formatter.request(s.method, s.url, s.timestamp, s.nonce, s.body))
  const signature = signMessage(ours, merchant.privateKey)
  expect(signature).toBe(Rsa.sign(ours, merchant.privateKey))
  expect(Rsa.verify(ours, signature, merchant.publicKey)).toBe(true)
  // The plugin's Authorization (other field order) passes our server-side check.
  const pluginHeader = Formatter.authorization(merchant.mchid, s.nonce, Rsa.sign(ours, merchant.privateKey), s.timestamp, merchant.serialNo)
  const check = checkAuthorization({ header: pluginHeader, method: s.method, pathWithQuery: s.url, body: s.body, now: NOW, merchant: () => merchant })
  expect(check.ok).toBe(true)
})

test('our Authorization header carries what the plugin would sign', () => {
  const header = signRequest({ ...merchant, clock: () => NOW * 1000 }, 'POST', '/v3/pay/transactions/jsapi', '{"a":1}')
  const f = parseAuthorization(header)
  expect(f).not.toBeNull()
  const message = Formatter.request('POST', '/v3/pay/transactions/jsapi', f!.timestamp, f!.nonce_str, '{"a":1}')
  expect(Rsa.verify(message, f!.signature, merchant.publicKey)).toBe(true)
})

test('answers we sign as WeChat Pay verify with the plugin, and the plugin\'s verify with us', () => {
  const keys = new PlatformKeys([[platform.publicKeyId, platform.publicKey]])
  for (const body of ['', '{"prepay_id":"wx1"}', JSON.stringify({ msg: '支付成功 ✓' })]) {
    const h = signWechatpayMessage({ serial: platform.publicKeyId, privateKey: platform.privateKey, clock: () => NOW * 1000 }, body)
    expect(Rsa.verify(Formatter.response(h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], body), h['Wechatpay-Signature'], platform.publicKey)).toBe(true)
    const nonce = Formatter.nonce(32)
    const theirs = { 'Wechatpay-Timestamp': String(NOW), 'Wechatpay-Nonce': nonce, 'Wechatpay-Serial': platform.publicKeyId, 'Wechatpay-Signature': Rsa.sign(Formatter.response(String(NOW), nonce, body), platform.privateKey) }
    expect(verifyWechatpaySignature({ headers: theirs, body: Buffer.from(body), keys, now: NOW }).ok).toBe(true)
  }
})

test('paySign matches the plugin\'s four-line join', () => {
  for (let i = 0; i < 5; i++) {
    const p = buildRequestPayment({ appId: 'wxd678efh567hg6787', prepayId: `wx${randomBytes(14).toString('hex')}`, privateKey: merchant.privateKey })
    expect(p.paySign).toBe(Rsa.sign(Formatter.joinedByLineFeed('wxd678efh567hg6787', p.timeStamp, p.nonceStr, p.package), merchant.privateKey))
  }
})

test('AES-256-GCM resources decrypt across implementations', () => {
  for (const plaintext of ['{"trade_state":"SUCCESS"}', '退款成功'.repeat(50)]) {
    const r = encryptResource(plaintext, apiV3Key, 'transaction', 'transaction')
    expect(Aes.AesGcm.decrypt(r.ciphertext, apiV3Key, r.nonce, 'transaction')).toBe(plaintext)
    const nonce = Formatter.nonce(12)
    const theirs = Aes.AesGcm.encrypt(plaintext, apiV3Key, nonce, 'refund')
    expect(decryptAead({ apiV3Key, nonce, associatedData: 'refund', ciphertext: theirs })).toBe(plaintext)
  }
})

test('RSA-OAEP sensitive fields decrypt across implementations', () => {
  for (const plaintext of ['张三', '110101199003077777', '13800138000']) {
    expect(Rsa.decrypt(encryptSensitive(plaintext, platform.publicKey), platform.privateKey)).toBe(plaintext)
    expect(decryptSensitive(Rsa.encrypt(plaintext, platform.publicKey), platform.privateKey)).toBe(plaintext)
  }
})
