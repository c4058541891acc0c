import {
  buildNotification,
  encryptResource,
  parseNotification,
  PlatformKeys,
  signWechatpayMessage,
  type PlatformSigner,
} from '../../server/wechatpay'
import { apiV3Key, merchant, platform } from './support/keys'

const NOW_S = 1_767_225_600
const signer: PlatformSigner = { serial: platform.publicKeyId, privateKey: platform.privateKey, clock: () => NOW_S * 1000 }
const keys = new PlatformKeys([[platform.publicKeyId, platform.publicKey]])
const transaction = {
  appid: 'wxd678efh567hg6787',
  mchid: merchant.mchid,
  out_trade_no: 'ORDER_2026_0001',
  transaction_id: '4200001234202601010000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'OTHERS',
  success_time: '2026-01-01T08:00:00+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
}
const spec = {
  id: 'EV-2026010100000001',
  createTime: '2026-01-01T08:00:01+08:00',
  eventType: 'TRANSACTION.SUCCESS',
  summary: '支付成功',
  originalType: 'transaction',
  plaintext: JSON.stringify(transaction),
}
const parse = (headers: Record<string, string>, body: string | Buffer, overrides: { now?: number; apiV3Key?: string } = {}) =>
  parseNotification(headers, body, { keys, apiV3Key: overrides.apiV3Key ?? apiV3Key, now: overrides.now ?? NOW_S })

test('a genuine notification is verified, decrypted and typed', () => {
  const { headers, body } = buildNotification(spec, apiV3Key, signer)
  const parsed = parse(headers, Buffer.from(body))
  expect(parsed).toEqual({
    ok: true,
    event: { id: spec.id, eventType: 'TRANSACTION.SUCCESS', createTime: spec.createTime, summary: '支付成功', serial: platform.publicKeyId, kind: 'transaction', transaction },
  })
})

test('a refund notification is typed as a refund', () => {
  const refund = { mchid: merchant.mchid, out_trade_no: 'ORDER_2026_0001', transaction_id: '42', out_refund_no: 'R1', refund_id: '503', refund_status: 'SUCCESS', amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100 } }
  const { headers, body } = buildNotification({ ...spec, eventType: 'REFUND.SUCCESS', summary: '退款成功', originalType: 'refund', plaintext: JSON.stringify(refund) }, apiV3Key, signer)
  const parsed = parse(headers, body)
  expect(parsed.ok && parsed.event.kind === 'refund' && parsed.event.refund).toEqual(refund)
})

describe('every forgery is rejected with a reason, before anything is decrypted', () => {
  const genuine = buildNotification(spec, apiV3Key, signer)

  test('the amount changed in transit (same JSON shape)', () => {
    const forged = genuine.body.replace(genuine.body.slice(-40, -30), 'AAAAAAAAAA')
    expect(parse(genuine.headers, forged)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  test('the body re-serialized with other whitespace (never verify a parsed-and-restringified body)', () => {
    const reformatted = JSON.stringify(JSON.parse(genuine.body), null, 1)
    expect(parse(genuine.headers, reformatted)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  test.each([
    ['301 s old', NOW_S + 301],
    ['301 s in the future', NOW_S - 301],
  ])('a notification %s', (_name, now) => {
    expect(parse(genuine.headers, genuine.body, { now })).toMatchObject({ ok: false, reason: 'STALE_TIMESTAMP' })
  })

  test('a Wechatpay-Signature-Type other than WECHATPAY2-SHA256-RSA2048 is refused, its absence is not', () => {
    expect(parse({ ...genuine.headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-SM2-WITH-SM3' }, genuine.body)).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
      detail: expect.stringContaining('WECHATPAY2-SM2-WITH-SM3'),
    })
    const { 'Wechatpay-Signature-Type': _type, ...withoutType } = genuine.headers
    expect(parse(withoutType, genuine.body).ok).toBe(true)
  })

  test('299 s old is still accepted', () => {
    expect(parse(genuine.headers, genuine.body, { now: NOW_S + 299 }).ok).toBe(true)
  })

  test('an unknown serial', () => {
    expect(parse({ ...genuine.headers, 'Wechatpay-Serial': 'PUB_KEY_ID_0000000000000000000000000000000000' }, genuine.body)).toMatchObject({ ok: false, reason: 'UNKNOWN_SERIAL' })
  })

  test('signed with the merchant key', () => {
    const headers = signWechatpayMessage({ ...signer, privateKey: merchant.privateKey }, genuine.body)
    expect(parse(headers, genuine.body)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  test('a WECHATPAY/SIGNTEST/ probe is a plain failure, not an exception', () => {
    const probe = { ...genuine.headers, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/' + 'A'.repeat(40) }
    expect(parse(probe, genuine.body)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  test('missing signature headers', () => {
    expect(parse({ 'Content-Type': 'application/json' }, genuine.body)).toMatchObject({ ok: false, reason: 'MISSING_HEADERS' })
  })

  test('a non-numeric timestamp', () => {
    expect(parse({ ...genuine.headers, 'Wechatpay-Timestamp': 'soon' }, genuine.body)).toMatchObject({ ok: false, reason: 'STALE_TIMESTAMP' })
  })
})

describe('signed but undecryptable or malformed notifications are rejected too', () => {
  test('another APIv3 key', () => {
    const { headers, body } = buildNotification(spec, apiV3Key, signer)
    expect(parse(headers, body, { apiV3Key: 'Z'.repeat(32) })).toMatchObject({ ok: false, reason: 'DECRYPT_FAILED', detail: 'AEAD_AUTH_FAILED' })
  })

  test('associated data that does not match the encryption', () => {
    const envelope = JSON.parse(buildNotification(spec, apiV3Key, signer).body)
    envelope.resource.associated_data = 'refund'
    const body = JSON.stringify(envelope)
    expect(parse(signWechatpayMessage(signer, body), body)).toMatchObject({ ok: false, reason: 'DECRYPT_FAILED', detail: 'AEAD_AUTH_FAILED' })
  })

  test('an unsupported algorithm', () => {
    const envelope = JSON.parse(buildNotification(spec, apiV3Key, signer).body)
    envelope.resource.algorithm = 'AEAD_SM4_GCM'
    const body = JSON.stringify(envelope)
    expect(parse(signWechatpayMessage(signer, body), body)).toMatchObject({ ok: false, reason: 'DECRYPT_FAILED', detail: 'AEAD_ALGORITHM' })
  })

  test('a body that is not JSON', () => {
    expect(parse(signWechatpayMessage(signer, 'hello'), 'hello')).toMatchObject({ ok: false, reason: 'MALFORMED_BODY' })
  })

  test('a transaction resource without trade_state', () => {
    const resource = encryptResource('{"out_trade_no":"X"}', apiV3Key, 'transaction', 'transaction')
    const body = JSON.stringify({ id: 'EV-1', create_time: spec.createTime, resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource })
    expect(parse(signWechatpayMessage(signer, body), body)).toMatchObject({ ok: false, reason: 'MALFORMED_BODY' })
  })
})
