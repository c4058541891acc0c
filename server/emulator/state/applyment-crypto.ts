/**
 * The sensitive-field side of an applyment (wechatpay-service-provider.md §0): the Wechatpay-Serial
 * must name one of the merchant's platform keys, and every encrypted field must be RSA-OAEP (SHA-1)
 * for that key. Plaintext, PKCS#1 v1.5 and wrong keys get WeChat Pay's own errors.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto'
import type { EmulatorContext } from '../context'
import { ApiError } from '../errors'
import { fieldError } from '../schemas/applyment-errors'
import { ApplymentBody, ENCRYPTED, fieldsMarked, MEDIA } from '../schemas/applyment'
import { MAINLAND_IDCARD, valueAt } from '../schemas/applyment-rules'
import type { MerchantRecord, PlatformKeyRecord } from './types'

/** The platform key the request's Wechatpay-Serial names (either key during a switch), or WeChat Pay's error. */
export function platformKeyForSerial(ctx: EmulatorContext, merchant: MerchantRecord, serial: string | undefined): PlatformKeyRecord {
  if (!serial) throw new ApiError('PARAM_ERROR', 'HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)')
  const key = ctx.merchantPlatforms(merchant).find((k) => k.serialNo === serial)
  if (!key) throw new ApiError('PARAM_ERROR', '平台证书序列号Wechatpay-Serial错误')
  return key
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** True when a raw RSA block has the PKCS#1 v1.5 encryption layout 00 02 PS(≥8 non-zero) 00 M. */
const isPkcs1v15 = (block: Buffer) => block[0] === 0 && block[1] === 2 && block.indexOf(0, 2) >= 10

/** Decrypts one sensitive field with the platform private key, or throws WeChat Pay's error for it. */
export function decryptField(privateKey: KeyObject, pointer: string, value: string): string {
  const size = (privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8
  const bytes = BASE64.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0)
  if (bytes.length !== size) {
    throw new ApiError('PARAM_ERROR', '请确认待处理的消息是否为加密后的密文', { field: pointer, location: 'body', issue: 'not an RSA ciphertext' })
  }
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, bytes).toString('utf8')
  } catch {
    let raw: Buffer | null = null
    try {
      raw = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, bytes)
    } catch {
      raw = null
    }
    if (raw && isPkcs1v15(raw)) throw new ApiError('PARAM_ERROR', 'the field you encrypt is error ', { field: pointer, location: 'body', issue: 'PKCS#1 v1.5 padding; use RSA-OAEP with SHA-1' })
    throw new ApiError('PARAM_ERROR', '平台私钥解密失败', { field: pointer, location: 'body', issue: 'cannot be decrypted with the platform key named by Wechatpay-Serial' })
  }
}

/** Every encrypted field of the body, decrypted: JSON pointer → plaintext. */
export function decryptApplyment(ctx: EmulatorContext, key: PlatformKeyRecord, body: Record<string, unknown>): Record<string, string> {
  const privateKey = ctx.keys.privateKey(key.privateKeyPem)
  const out: Record<string, string> = {}
  for (const hit of fieldsMarked(ApplymentBody, body, ENCRYPTED)) out[hit.pointer] = decryptField(privateKey, hit.pointer, hit.value)
  return out
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** A mainland ID number: 15 digits, or 17 digits + check digit (GB 11643). */
export function isMainlandIdNumber(n: string): boolean {
  if (/^\d{15}$/.test(n)) return true
  if (!/^\d{17}[\dX]$/i.test(n)) return false
  const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * Number(n[i]), 0)
  return '10X98765432'[sum % 11] === n[17].toUpperCase()
}

/** Format checks on the decrypted values (wording UNCONFIRMED; WeChat Pay checks these before review). */
export function checkPlaintexts(body: Record<string, unknown>, plain: Record<string, string>): void {
  const idNumbers = ['/id_card_info/id_card_number']
  const contactDocType = valueAt(body, '/contact_info/contact_id_doc_type') ?? MAINLAND_IDCARD
  if (contactDocType === MAINLAND_IDCARD) idNumbers.push('/contact_info/contact_id_card_number')
  for (const p of idNumbers) {
    if (plain[p] !== undefined && !isMainlandIdNumber(plain[p])) throw fieldError(p, '格式校验失败', 'decrypts to an invalid mainland ID number (15 digits, or 17 digits and a check digit)')
  }
  const name = plain['/id_card_info/id_card_name']
  if (name !== undefined && ([...name].length < 2 || [...name].length > 30)) throw fieldError('/id_card_info/id_card_name', '长度校验失败', 'decrypts to a name outside 2–30 characters')
  if (!/^1\d{10}$/.test(plain['/contact_info/mobile_phone'] ?? '')) throw fieldError('/contact_info/mobile_phone', '格式校验失败', 'decrypts to something other than an 11-digit mobile number')
  const email = plain['/contact_info/contact_email']
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw fieldError('/contact_info/contact_email', '格式校验失败', 'decrypts to an invalid e-mail address')
  const account = plain['/account_info/account_number'] ?? ''
  if (!/^[0-9-]{6,40}$/.test(account)) throw fieldError('/account_info/account_number', '格式校验失败', 'decrypts to something other than a bank account number')
}

/** Every media_id must be one this emulator issued to this merchant ("证书图片图片内容无效" otherwise). */
export function checkMedia(ctx: EmulatorContext, merchant: MerchantRecord, body: Record<string, unknown>): void {
  for (const hit of fieldsMarked(ApplymentBody, body, MEDIA)) {
    const media = ctx.store.data.media[hit.value]
    if (!media || media.mchid !== merchant.mchid) {
      throw new ApiError('PARAM_ERROR', '证书图片图片内容无效', { field: hit.pointer, value: hit.value, location: 'body', issue: 'media_id was not issued to this merchant by /v3/merchant/media/upload' })
    }
  }
}

/** Encrypts a value for the merchant (account_validation fields in a query answer). */
export const encryptForMerchant = (merchant: MerchantRecord, ctx: EmulatorContext, plaintext: string) =>
  publicEncrypt({ key: ctx.keys.publicKey(merchant.publicKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext, 'utf8')).toString('base64')
