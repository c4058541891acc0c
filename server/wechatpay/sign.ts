import { randomFillSync, sign, verify, type KeyObject } from 'node:crypto'

/** SHA256-with-RSA (RSASSA-PKCS1-v1_5) over the UTF-8 bytes, base64 (wechatpay-v3.md §1.1). */
export function signMessage(message: string | Buffer, privateKey: KeyObject): string {
  return sign('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, privateKey).toString('base64')
}

/**
 * signMessage on libuv's thread pool: the same signature, while the event loop serves other
 * requests (an RSA-2048 signature is ~0.3 ms of CPU).
 */
export function signMessageAsync(message: string | Buffer, privateKey: KeyObject): Promise<string> {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  return new Promise((resolve, reject) => {
    sign('sha256', data, privateKey, (err, signature) => (err ? reject(err) : resolve(signature.toString('base64'))))
  })
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Verifies a base64 SHA256-with-RSA signature. Never throws: a malformed value such as a
 * `WECHATPAY/SIGNTEST/` probe is simply not valid (wechatpay-v3.md §2.2).
 */
export function verifySignature(message: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  if (typeof signature !== 'string' || signature.length % 4 !== 0 || !BASE64.test(signature)) return false
  const sig = Buffer.from(signature, 'base64')
  const bits = publicKey.asymmetricKeyDetails?.modulusLength
  if (bits !== undefined && sig.length * 8 !== bits) return false
  try {
    return verify('sha256', typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, sig)
  } catch {
    return false
  }
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** CSPRNG bytes drawn in 4 KiB batches (as crypto.randomUUID does): one syscall per ~120 nonces. */
/** A private key and where a signature's time and nonce come from (both injectable for tests). */
export interface SigningKey {
  privateKey: KeyObject
  /** Milliseconds since the epoch; injected for tests. */
  clock?: () => number
  nonce?: () => string
}

const pool = Buffer.allocUnsafe(4096)
let poolAt = pool.length

/** Random [0-9A-Za-z] string from the CSPRNG, unbiased (rejection sampling). */
export function randomNonce(length = 32): string {
  let out = ''
  while (out.length < length) {
    if (poolAt === pool.length) {
      randomFillSync(pool)
      poolAt = 0
    }
    const byte = pool[poolAt++]
    if (byte < 248) out += ALPHABET[byte % 62] // 248 = 4 * 62: keeps the distribution uniform
  }
  return out
}

/** Unix seconds as a string, the form every WeChat Pay timestamp takes. */
export const unixSeconds = (clockMs: number): string => String(Math.floor(clockMs / 1000))
