/**
 * Personal data at rest: AES-256-GCM with DATA_ENCRYPTION_KEY. A sealed value is
 * `v1.<base64 iv>.<base64 tag>.<base64 ciphertext>`; the associated data binds it to its record,
 * so a sealed blob copied onto another record does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export const DATA_KEY_BYTES = 32
const IV_BYTES = 12
const VERSION = 'v1'

/** Seals and opens strings with one 32-byte key. */
export interface Sealer {
  seal(plaintext: string, associatedData: string): string
  open(sealed: string, associatedData: string): string
}

/** A Sealer over AES-256-GCM; `key` must be exactly 32 bytes. */
export function createSealer(key: Buffer, random: (n: number) => Buffer = randomBytes): Sealer {
  if (key.length !== DATA_KEY_BYTES) throw new Error(`data encryption key must be ${DATA_KEY_BYTES} bytes, got ${key.length}`)
  return {
    seal(plaintext, associatedData) {
      const iv = random(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(associatedData, 'utf8'))
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.')
    },
    open(sealed, associatedData) {
      const [version, iv, tag, ciphertext] = sealed.split('.')
      if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed value')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'))
      decipher.setAAD(Buffer.from(associatedData, 'utf8'))
      decipher.setAuthTag(Buffer.from(tag, 'base64'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8')
    },
  }
}

/** Decodes DATA_ENCRYPTION_KEY (standard base64 of 32 bytes), or null when it is not that. */
export function parseDataKey(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text)) return null
  const key = Buffer.from(text, 'base64')
  return key.length === DATA_KEY_BYTES ? key : null
}
