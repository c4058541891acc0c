// Random identifiers for the client (request ids) and the in-app mock (nonces, signatures).

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** `length` random bytes, from crypto.getRandomValues when the runtime has it. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (webCrypto?.getRandomValues) webCrypto.getRandomValues(bytes)
  else for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(Math.random() * 256)
  return bytes
}

/** A random string of `length` characters from `alphabet` (alphanumeric by default). */
export function randomString(length: number, alphabet: string = ALPHANUMERIC): string {
  let out = ''
  for (const byte of randomBytes(length)) out += alphabet[byte % alphabet.length]
  return out
}

/** Standard padded base64 of `bytes` (no btoa: mini-program runtimes lack it). */
export function toBase64(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63]
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '='
    out += i + 2 < bytes.length ? BASE64[n & 63] : '='
  }
  return out
}

/** A client request id matching the contract's REQUEST_ID_PATTERN. */
export const newRequestId = (): string => `req_${randomString(24)}`
