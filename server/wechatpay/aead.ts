import { createCipheriv, createDecipheriv } from 'node:crypto'
import { WechatPayCryptoError } from './errors'
import { loadApiV3Key } from './keys'
import { randomNonce } from './sign'
import type { EncryptedResource } from './types'

export const AEAD_ALGORITHM = 'AEAD_AES_256_GCM'
const TAG_BYTES = 16
const NONCE_BYTES = 12


const keyBytes = (apiV3Key: string | Buffer): Buffer => {
  if (Buffer.isBuffer(apiV3Key) && apiV3Key.length === 32) return apiV3Key
  try {
    return loadApiV3Key(apiV3Key)
  } catch (e) {
    throw new WechatPayCryptoError('AEAD_KEY_LENGTH', (e as Error).message)
  }
}

const nonceBytes = (nonce: string): Buffer => {
  const iv = Buffer.from(nonce, 'utf8')
  if (iv.length !== NONCE_BYTES) throw new WechatPayCryptoError('AEAD_NONCE_LENGTH', `nonce must be ${NONCE_BYTES} bytes, got ${iv.length}`)
  return iv
}

export interface AeadInput {
  apiV3Key: string | Buffer
  nonce: string
  associatedData?: string
  ciphertext: string
}

/**
 * AEAD_AES_256_GCM decryption: 32-byte key, 12-byte nonce, tag = last 16 bytes, associated data
 * authenticated. Throws WechatPayCryptoError on any failure (wechatpay-v3.md §3).
 */
export function decryptAead({ apiV3Key, nonce, associatedData = '', ciphertext }: AeadInput): string {
  const key = keyBytes(apiV3Key)
  const iv = nonceBytes(nonce)
  const buf = Buffer.from(ciphertext, 'base64')
  if (buf.length < TAG_BYTES) throw new WechatPayCryptoError('AEAD_TOO_SHORT', 'ciphertext is shorter than the 16-byte tag')
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(associatedData, 'utf8'))
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(buf.subarray(0, buf.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch (e) {
    throw new WechatPayCryptoError('AEAD_AUTH_FAILED', 'AES-GCM authentication failed (wrong key, associated data or tampered data)', e)
  }
}

/** Decrypts a `resource` object after checking its algorithm. */
export function decryptResource(resource: EncryptedResource, apiV3Key: string | Buffer): string {
  if (resource.algorithm !== AEAD_ALGORITHM) {
    throw new WechatPayCryptoError('AEAD_ALGORITHM', `unsupported algorithm ${String(resource.algorithm)}`)
  }
  return decryptAead({ apiV3Key, nonce: resource.nonce, associatedData: resource.associated_data ?? '', ciphertext: resource.ciphertext })
}

/** WeChat Pay's side: encrypts a plaintext into a `resource` (used by the emulator). */
export function encryptResource(
  plaintext: string,
  apiV3Key: string | Buffer,
  associatedData: string,
  originalType: string,
  nonce: string = randomNonce(NONCE_BYTES),
): EncryptedResource {
  const cipher = createCipheriv('aes-256-gcm', keyBytes(apiV3Key), nonceBytes(nonce), { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return { original_type: originalType, algorithm: AEAD_ALGORITHM, ciphertext: body.toString('base64'), associated_data: associatedData, nonce }
}
