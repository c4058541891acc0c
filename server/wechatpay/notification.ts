import { decryptResource, encryptResource } from './aead'
import { WechatPayCryptoError } from './errors'
import type { NotificationEnvelope, PartnerTransaction, RefundNotice, Transaction } from './types'
import { signWechatpayMessage, verifyWechatpaySignature, type HeaderSource, type PlatformKeyStore, type PlatformSigner, type VerifyFailure } from './verify'

interface EventBase {
  id: string
  eventType: string
  createTime: string
  summary: string
  /** Serial of the WeChat Pay key that signed it. */
  serial: string
}

/** A verified, decrypted notification (wechatpay-v3.md §8, §7.3). */
export type NotificationEvent =
  | (EventBase & { kind: 'transaction'; transaction: Transaction | PartnerTransaction })
  | (EventBase & { kind: 'refund'; refund: RefundNotice })
  | (EventBase & { kind: 'other'; plaintext: string })

/** Why a notification was refused. Every one of them must be answered with 4xx/5xx. */
export type NotificationRejection = VerifyFailure | 'MALFORMED_BODY' | 'DECRYPT_FAILED'

export type ParsedNotification =
  | { ok: true; event: NotificationEvent }
  | { ok: false; reason: NotificationRejection; detail?: string; serial?: string }

export interface NotificationContext {
  keys: PlatformKeyStore
  apiV3Key: string | Buffer
  /** Unix seconds; defaults to the system clock. */
  now?: number
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Verifies (over the raw bytes, 5-minute window), then decrypts and types a notification.
 * Verification comes before decryption (wechatpay-v3.md §2.1 rule 5). Never throws.
 */
export function parseNotification(headers: HeaderSource, rawBody: string | Buffer, ctx: NotificationContext): ParsedNotification {
  const verified = verifyWechatpaySignature({ headers, body: rawBody, keys: ctx.keys, now: ctx.now ?? Math.floor(Date.now() / 1000) })
  if (!verified.ok) return { ok: false, reason: verified.reason, serial: verified.serial, ...(verified.detail ? { detail: verified.detail } : {}) }

  let envelope: unknown
  try {
    envelope = JSON.parse(rawBody.toString())
  } catch {
    return { ok: false, reason: 'MALFORMED_BODY', detail: 'body is not JSON' }
  }
  if (!isObject(envelope) || typeof envelope.event_type !== 'string' || typeof envelope.id !== 'string' || !isObject(envelope.resource)) {
    return { ok: false, reason: 'MALFORMED_BODY', detail: 'missing id, event_type or resource' }
  }
  const resource = envelope.resource as NotificationEnvelope['resource']
  let plaintext: string
  try {
    plaintext = decryptResource(resource, ctx.apiV3Key)
  } catch (e) {
    return { ok: false, reason: 'DECRYPT_FAILED', detail: e instanceof WechatPayCryptoError ? e.code : String(e) }
  }
  const base: EventBase = {
    id: envelope.id,
    eventType: envelope.event_type,
    createTime: String(envelope.create_time ?? ''),
    summary: String(envelope.summary ?? ''),
    serial: verified.serial,
  }
  let data: unknown
  try {
    data = JSON.parse(plaintext)
  } catch {
    return { ok: false, reason: 'MALFORMED_BODY', detail: 'resource plaintext is not JSON' }
  }
  if (base.eventType.startsWith('TRANSACTION.')) {
    if (!isObject(data) || typeof data.out_trade_no !== 'string' || typeof data.trade_state !== 'string') {
      return { ok: false, reason: 'MALFORMED_BODY', detail: 'transaction without out_trade_no / trade_state' }
    }
    return { ok: true, event: { ...base, kind: 'transaction', transaction: data as unknown as Transaction | PartnerTransaction } }
  }
  if (base.eventType.startsWith('REFUND.')) {
    if (!isObject(data) || typeof data.out_refund_no !== 'string' || typeof data.refund_status !== 'string') {
      return { ok: false, reason: 'MALFORMED_BODY', detail: 'refund without out_refund_no / refund_status' }
    }
    return { ok: true, event: { ...base, kind: 'refund', refund: data as unknown as RefundNotice } }
  }
  return { ok: true, event: { ...base, kind: 'other', plaintext } }
}

export interface NotificationSpec {
  id: string
  /** RFC 3339 with +08:00. */
  createTime: string
  eventType: string
  summary: string
  originalType: 'transaction' | 'refund' | string
  associatedData?: string
  plaintext: string
  /** 12-character AEAD nonce; random by default. */
  nonce?: string
}

/** WeChat Pay's side: the exact raw body and signed headers of one notification (used by the emulator). */
export function buildNotification(spec: NotificationSpec, apiV3Key: string | Buffer, signer: PlatformSigner): { body: string; headers: Record<string, string> } {
  const envelope: NotificationEnvelope = {
    id: spec.id,
    create_time: spec.createTime,
    resource_type: 'encrypt-resource',
    event_type: spec.eventType,
    summary: spec.summary,
    resource: encryptResource(spec.plaintext, apiV3Key, spec.associatedData ?? spec.originalType, spec.originalType, spec.nonce),
  }
  const body = JSON.stringify(envelope)
  return { body, headers: { 'Content-Type': 'application/json', ...signWechatpayMessage(signer, body) } }
}
