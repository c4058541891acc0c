/**
 * The cost of the unavoidable cryptography, measured in the same run as the throughput it bounds:
 * raw crypto.sign / crypto.verify with cached KeyObjects and a raw AES-256-GCM decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes, sign, verify } from 'node:crypto'
import vectors from '../test/fixtures/wechatpay-vectors.json'
import { loadPrivateKey, loadPublicKey } from '../server/wechatpay'
import { sideBySide } from './measure'

export function measureCryptoPrimitives() {
  const privateKey = loadPrivateKey(vectors.keys.generated_merchant.private_key_pem)
  const publicKey = loadPublicKey(vectors.keys.generated_merchant.public_key_pem)
  const message = Buffer.from(`POST\n/v3/pay/transactions/jsapi\n1767225600\n593BEC0C930BF1AFEB40B4A08C8FB242\n${'x'.repeat(300)}\n`)
  const signature = sign('sha256', message, privateKey)
  const key = randomBytes(32)
  const nonce = randomBytes(12)
  const plaintext = Buffer.from('y'.repeat(600))
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const tag = cipher.getAuthTag()
  const [s, v, g] = sideBySide(
    [
      { name: 'raw RSA-2048 sign', op: () => sign('sha256', message, privateKey) },
      { name: 'raw RSA-2048 verify', op: () => verify('sha256', message, publicKey, signature) },
      {
        name: 'raw AES-256-GCM decrypt',
        op: () => {
          const d = createDecipheriv('aes-256-gcm', key, nonce)
          d.setAuthTag(tag)
          return Buffer.concat([d.update(ciphertext), d.final()])
        },
      },
    ],
    { rounds: 4, sliceMs: 200 },
  )
  return { signPerSec: s.opsPerSec, verifyPerSec: v.opsPerSec, gcmPerSec: g.opsPerSec }
}
