/**
 * The thread-pool signers (signMessageAsync, signRequestAsync, buildRequestPaymentAsync) give
 * exactly what the synchronous ones give (RSASSA-PKCS1-v1_5 is deterministic), verify with the
 * merchant's public key, and fail the way a wrong key fails.
 */
import { generateKeyPairSync } from 'node:crypto'
import vectors from '../fixtures/wechatpay-vectors.json'
import {
  buildRequestPayment,
  buildRequestPaymentAsync,
  checkAuthorization,
  loadPrivateKey,
  loadPublicKey,
  signMessage,
  signMessageAsync,
  signRequest,
  signRequestAsync,
  verifyRequestPayment,
} from '../../server/wechatpay'

const merchant = vectors.keys.generated_merchant
const privateKey = loadPrivateKey(merchant.private_key_pem)
const publicKey = loadPublicKey(merchant.public_key_pem)
const signer = { mchid: merchant.mchid, serialNo: merchant.serial_no, privateKey, clock: () => 1767225600_000, nonce: () => '593BEC0C930BF1AFEB40B4A08C8FB242' }
const body = '{"appid":"wxd678efh567hg6787","amount":{"total":1}}'

test('signMessageAsync equals signMessage, for strings and bytes', async () => {
  const message = `POST\n/v3/pay/transactions/jsapi\n1767225600\nNONCE\n${body}\n`
  expect(await signMessageAsync(message, privateKey)).toBe(signMessage(message, privateKey))
  expect(await signMessageAsync(Buffer.from('价格 1 元\n'), privateKey)).toBe(signMessage('价格 1 元\n', privateKey))
})

test('signRequestAsync builds the same Authorization, which WeChat Pay accepts', async () => {
  const header = await signRequestAsync(signer, 'POST', '/v3/pay/transactions/jsapi', body)
  expect(header).toBe(signRequest(signer, 'POST', '/v3/pay/transactions/jsapi', body))
  const check = checkAuthorization({ header, method: 'POST', pathWithQuery: '/v3/pay/transactions/jsapi', body, now: 1767225600, merchant: () => ({ serialNo: merchant.serial_no, publicKey }) })
  expect(check.ok).toBe(true)
  // Another body does not verify with that header.
  expect(checkAuthorization({ header, method: 'POST', pathWithQuery: '/v3/pay/transactions/jsapi', body: `${body} `, now: 1767225600, merchant: () => ({ serialNo: merchant.serial_no, publicKey }) })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
})

test('buildRequestPaymentAsync equals buildRequestPayment and verifies with the merchant key', async () => {
  const input = { appId: 'wxd678efh567hg6787', prepayId: 'wx201410272009395522657a690389285100', privateKey, clock: signer.clock, nonce: signer.nonce }
  const params = await buildRequestPaymentAsync(input)
  expect(params).toEqual(buildRequestPayment(input))
  expect(verifyRequestPayment(input.appId, params, publicKey)).toBe(true)
  expect(verifyRequestPayment('wx0000000000000000', params, publicKey)).toBe(false)
})

test('a key that cannot sign rejects the promise', async () => {
  const { publicKey: notPrivate } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  await expect(signMessageAsync('x', notPrivate)).rejects.toThrow()
})
