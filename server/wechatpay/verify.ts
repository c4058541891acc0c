import type { KeyObject } from 'node:crypto'
import { responseMessage, responseMessageBytes } from './message'
import { randomNonce, signMessage, unixSeconds, verifySignature } from './sign'
import { AUTH_SCHEME } from './auth-header'

/** Answers and notifications older or newer than this are refused (wechatpay-v3.md §2.1 rule 3). */
export const MAXIMUM_CLOCK_OFFSET = 300

export const HEADER = {
  timestamp: 'wechatpay-timestamp',
  nonce: 'wechatpay-nonce',
  signature: 'wechatpay-signature',
  serial: 'wechatpay-serial',
  signatureType: 'wechatpay-signature-type',
} as const

/** Why a signed message was refused; stable names for logs and tests. */
export type VerifyFailure = 'MISSING_HEADERS' | 'STALE_TIMESTAMP' | 'UNKNOWN_SERIAL' | 'BAD_SIGNATURE'

export type VerifyResult = { ok: true; serial: string } | { ok: false; reason: VerifyFailure; serial?: string; detail?: string }

/** The one signature type WeChat Pay signs answers and notifications with; `Wechatpay-Signature-Type`, when present, must say it. */
export const SIGNATURE_TYPE = AUTH_SCHEME

/** Where verification finds the WeChat Pay key for a `Wechatpay-Serial` (platform cert serial or PUB_KEY_ID_…). */
export interface PlatformKeyStore {
  get(serial: string): KeyObject | undefined
  /** The serials it knows (for error messages). */
  serials?(): string[]
}

/** A fixed set of platform keys: the public key, certificates, or both during a migration. */
export class PlatformKeys implements PlatformKeyStore {
  private readonly keys = new Map<string, KeyObject>()
  constructor(entries: Iterable<[string, KeyObject]> = []) {
    for (const [serial, key] of entries) this.set(serial, key)
  }
  set(serial: string, key: KeyObject): this {
    this.keys.set(serial, key)
    return this
  }
  get(serial: string): KeyObject | undefined {
    return this.keys.get(serial)
  }
  serials(): string[] {
    return [...this.keys.keys()]
  }
}

/** Anything headers come in: a fetch Headers, Node's IncomingHttpHeaders or a plain record. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>

/** Case-insensitive single-value header lookup over any HeaderSource. */
export function headerReader(headers: HeaderSource): (name: string) => string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null }
    return (name) => h.get(name) ?? undefined
  }
  const record = headers as Record<string, string | string[] | undefined>
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)
  let lower: Map<string, string | string[] | undefined> | undefined
  return (name) => {
    // Node's IncomingHttpHeaders are already lower-case: try that before scanning.
    const direct = record[name] ?? record[name.toLowerCase()]
    if (direct !== undefined) return first(direct)
    lower ??= new Map(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]))
    return first(lower.get(name.toLowerCase()))
  }
}

export interface VerifyInput {
  headers: HeaderSource
  /** The raw body: bytes as received, or the exact string. Never a re-serialized object. */
  body: string | Buffer
  keys: PlatformKeyStore
  /** Unix seconds. */
  now: number
}

/**
 * Verifies a WeChat Pay answer or notification in named steps: headers → signature type →
 * window → serial → signature (wechatpay-v3.md §2). Never throws.
 */
export function verifyWechatpaySignature({ headers, body, keys, now }: VerifyInput): VerifyResult {
  const header = headerReader(headers)
  const timestamp = header(HEADER.timestamp)
  const nonce = header(HEADER.nonce)
  const signature = header(HEADER.signature)
  const serial = header(HEADER.serial)
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'MISSING_HEADERS' }
  const type = header(HEADER.signatureType)
  if (type !== undefined && type !== SIGNATURE_TYPE) {
    return { ok: false, reason: 'BAD_SIGNATURE', serial, detail: `Wechatpay-Signature-Type is ${type.slice(0, 64)}, not ${SIGNATURE_TYPE}` }
  }
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAXIMUM_CLOCK_OFFSET) {
    return { ok: false, reason: 'STALE_TIMESTAMP', serial }
  }
  const key = keys.get(serial)
  if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL', serial }
  const message = typeof body === 'string' ? responseMessage(timestamp, nonce, body) : responseMessageBytes(timestamp, nonce, body)
  return verifySignature(message, signature, key) ? { ok: true, serial } : { ok: false, reason: 'BAD_SIGNATURE', serial }
}

export interface PlatformSigner {
  /** The `Wechatpay-Serial` to announce: PUB_KEY_ID_… or the platform certificate serial. */
  serial: string
  privateKey: KeyObject
  clock?: () => number
  nonce?: () => string
}

/** WeChat Pay's side: the Wechatpay-* headers for a body (used by the emulator). */
export function signWechatpayMessage(signer: PlatformSigner, body: string): Record<string, string> {
  const timestamp = unixSeconds((signer.clock ?? Date.now)())
  const nonce = (signer.nonce ?? randomNonce)()
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signMessage(responseMessage(timestamp, nonce, body), signer.privateKey),
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  }
}
