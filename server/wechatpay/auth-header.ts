import type { KeyObject } from 'node:crypto'
import { requestMessage } from './message'
import { randomNonce, signMessage, signMessageAsync, unixSeconds, verifySignature, type SigningKey } from './sign'

/** The only RSA scheme WeChat Pay accepts (wechatpay-v3.md §1.2). */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048'

export interface AuthorizationFields {
  mchid: string
  nonce_str: string
  signature: string
  timestamp: string
  serial_no: string
}

/** Authorization header value, fields in the order of the official example. */
export const formatAuthorization = (f: AuthorizationFields): string =>
  `${AUTH_SCHEME} mchid="${f.mchid}",nonce_str="${f.nonce_str}",signature="${f.signature}",timestamp="${f.timestamp}",serial_no="${f.serial_no}"`

const FIELDS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const
const PAIR = /^([a-z_]+)="([^"]*)"$/

/**
 * Parses an Authorization header the way WeChat Pay does: the scheme, then five quoted
 * fields in any order. Returns null when the scheme, a field or the syntax is wrong.
 */
export function parseAuthorization(value: string | undefined): AuthorizationFields | null {
  if (typeof value !== 'string' || !value.startsWith(`${AUTH_SCHEME} `)) return null
  const out: Record<string, string> = {}
  for (const part of value.slice(AUTH_SCHEME.length + 1).split(',')) {
    const m = PAIR.exec(part.trim())
    if (!m || m[1] in out) return null
    out[m[1]] = m[2]
  }
  for (const f of FIELDS) if (!out[f]) return null
  return out as unknown as AuthorizationFields
}

export interface MerchantSigner extends SigningKey {
  mchid: string
  /** Serial of the merchant API certificate (not the platform's). */
  serialNo: string
}

/** Builds the Authorization header for one request (wechatpay-v3.md §1). */
export function signRequest(
  signer: MerchantSigner,
  method: string,
  pathWithQuery: string,
  body = '',
): string {
  const timestamp = unixSeconds((signer.clock ?? Date.now)())
  const nonce = (signer.nonce ?? randomNonce)()
  const signature = signMessage(requestMessage({ method, pathWithQuery, timestamp, nonce, body }), signer.privateKey)
  return formatAuthorization({ mchid: signer.mchid, nonce_str: nonce, signature, timestamp, serial_no: signer.serialNo })
}

/** signRequest with the RSA signature computed on libuv's thread pool (the client's transport uses this). */
export async function signRequestAsync(
  signer: MerchantSigner,
  method: string,
  pathWithQuery: string,
  body = '',
): Promise<string> {
  const timestamp = unixSeconds((signer.clock ?? Date.now)())
  const nonce = (signer.nonce ?? randomNonce)()
  const signature = await signMessageAsync(requestMessage({ method, pathWithQuery, timestamp, nonce, body }), signer.privateKey)
  return formatAuthorization({ mchid: signer.mchid, nonce_str: nonce, signature, timestamp, serial_no: signer.serialNo })
}

/** Why WeChat Pay refuses a request's Authorization; each becomes a 401 SIGN_ERROR. */
export type AuthorizationFailure = 'MALFORMED' | 'UNKNOWN_MERCHANT' | 'WRONG_SERIAL' | 'STALE_TIMESTAMP' | 'BAD_SIGNATURE'

/** The messages WeChat Pay answers for each failure (wechatpay-v3.md §1.3). */
export const AUTHORIZATION_FAILURE_MESSAGES: Record<AuthorizationFailure, string> = {
  MALFORMED: 'Http头Authorization值格式错误',
  UNKNOWN_MERCHANT: '商户号不存在或未设置APIv3密钥',
  WRONG_SERIAL: '商户证书序列号有误。',
  STALE_TIMESTAMP: 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟',
  BAD_SIGNATURE: '错误的签名，验签失败',
}

export interface AuthorizationCheck {
  header: string | undefined
  method: string
  pathWithQuery: string
  body: string
  /** Unix seconds. */
  now: number
  /** The merchant's registered certificate serial and public key, or undefined if unknown. */
  merchant: (mchid: string) => { serialNo: string; publicKey: KeyObject } | undefined
  maxSkewSeconds?: number
}

export type AuthorizationResult =
  | { ok: true; fields: AuthorizationFields; message: string }
  | { ok: false; reason: AuthorizationFailure; fields?: AuthorizationFields; message?: string }

/** WeChat Pay's side of §1: parse, find the merchant, check serial and window, verify. */
export function checkAuthorization(c: AuthorizationCheck): AuthorizationResult {
  const fields = parseAuthorization(c.header)
  if (!fields) return { ok: false, reason: 'MALFORMED' }
  const merchant = c.merchant(fields.mchid)
  if (!merchant) return { ok: false, reason: 'UNKNOWN_MERCHANT', fields }
  if (fields.serial_no.toUpperCase() !== merchant.serialNo.toUpperCase()) return { ok: false, reason: 'WRONG_SERIAL', fields }
  const message = requestMessage({ method: c.method, pathWithQuery: c.pathWithQuery, timestamp: fields.timestamp, nonce: fields.nonce_str, body: c.body })
  if (!/^\d{1,12}$/.test(fields.timestamp) || Math.abs(c.now - Number(fields.timestamp)) > (c.maxSkewSeconds ?? 300)) {
    return { ok: false, reason: 'STALE_TIMESTAMP', fields, message }
  }
  if (!verifySignature(message, fields.signature, merchant.publicKey)) return { ok: false, reason: 'BAD_SIGNATURE', fields, message }
  return { ok: true, fields, message }
}
