import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto'
import { WechatPayCryptoError } from './errors'

/** RSA-2048 OAEP-SHA1 leaves room for 214 bytes of plaintext (wechatpay-v3.md §11.2). */
export const OAEP_MAX_PLAINTEXT_BYTES = 214

/**
 * Encrypts a sensitive field (name, id number, phone…) with the WeChat Pay public key:
 * RSAES-OAEP, SHA-1 + MGF1-SHA1, base64. Send `Wechatpay-Serial` of that key with the request.
 */
export function encryptSensitive(plaintext: string, publicKey: KeyObject): string {
  const bytes = Buffer.from(plaintext, 'utf8')
  if (bytes.length > OAEP_MAX_PLAINTEXT_BYTES) {
    throw new WechatPayCryptoError('OAEP_TOO_LONG', `sensitive field is ${bytes.length} bytes; RSA-OAEP allows at most ${OAEP_MAX_PLAINTEXT_BYTES}`)
  }
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, bytes).toString('base64')
}

/** Decrypts a field WeChat Pay encrypted with the merchant's public key. */
export function decryptSensitive(ciphertext: string, privateKey: KeyObject): string {
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertext, 'base64')).toString('utf8')
  } catch (e) {
    throw new WechatPayCryptoError('OAEP_DECRYPT_FAILED', 'RSA-OAEP decryption failed (wrong key or corrupted ciphertext)', e)
  }
}
