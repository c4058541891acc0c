import { createHash, type KeyObject } from 'node:crypto'
import { decryptAead } from './aead'
import { signRequest, type MerchantSigner } from './auth-header'
import { WechatPayConfigError, WechatPayError } from './errors'
import { loadApiV3Key, loadCertificate, PUBLIC_KEY_ID_PATTERN } from './keys'
import { parseNotification, type ParsedNotification } from './notification'
import { encryptSensitive } from './oaep'
import { buildRequestPayment, type RequestPaymentParams } from './pay-sign'
import { randomNonce } from './sign'
import type {
  ApiErrorBody,
  CertificatesResponse,
  JsapiOrderRequest,
  PartnerJsapiOrderRequest,
  PartnerTransaction,
  PrepayResponse,
  Refund,
  RefundRequest,
  Transaction,
} from './types'
import { headerReader, HEADER, PlatformKeys, verifyWechatpaySignature, type HeaderSource, type VerifyFailure } from './verify'

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com'
export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_RETRIES = 2
/** Platform certificates are re-downloaded this often, and at most this often on an unknown serial. */
export const CERTIFICATE_REFRESH_MS = 12 * 60 * 60 * 1000
export const UNKNOWN_SERIAL_REFRESH_MIN_MS = 60 * 1000
const USER_AGENT = 'wechatpay-miniprogram-kit/0.1 (node)'

/** How answers and notifications from WeChat Pay are verified (wechatpay-v3.md §2.3). */
export type PlatformVerification =
  | { mode: 'publicKey'; publicKeyId: string; publicKey: KeyObject }
  | { mode: 'certificate' }

export interface WechatPayClientOptions {
  /** Merchant id: the direct merchant, or the service provider's sp_mchid in partner mode. */
  mchid: string
  /** Serial of the merchant API certificate. */
  serialNo: string
  privateKey: KeyObject
  apiV3Key: string | Buffer
  platform: PlatformVerification
  /** The real API, or the emulator's URL. */
  baseUrl?: string
  fetch?: typeof fetch
  /** Milliseconds since the epoch. */
  clock?: () => number
  nonce?: () => string
  sleep?: (ms: number) => Promise<void>
  timeoutMs?: number
  /** Extra attempts for calls that are safe to repeat (reads, order creation). */
  maxRetries?: number
}

export interface ApiResponse<T> {
  status: number
  data: T
  requestId?: string
}

interface CallOptions {
  body?: unknown
  /** Safe to repeat with identical parameters. */
  retry?: boolean
  /** Verify the answer against these keys instead of the client's own (certificate download). */
  extraHeaders?: Record<string, string>
  raw?: { bytes: Buffer; contentType: string; signedBody: string }
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const seg = encodeURIComponent
const query = (params: Record<string, string | undefined>) => {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${seg(k)}=${seg(v as string)}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

/**
 * A typed WeChat Pay v3 client over fetch. Every answer's signature is checked before its
 * body is used; errors are one WechatPayError; reads and order creation are retried.
 */
export class WechatPayClient {
  readonly mchid: string
  readonly baseUrl: string
  private readonly signer: MerchantSigner
  private readonly apiV3Key: Buffer
  private readonly platform: PlatformVerification
  private readonly keys = new PlatformKeys()
  private readonly fetchImpl: typeof fetch
  private readonly clock: () => number
  private readonly nonce: () => string
  private readonly sleep: (ms: number) => Promise<void>
  private readonly timeoutMs: number
  private readonly maxRetries: number
  private certificatesLoadedAt = -Infinity
  private certificateRefresh: Promise<void> | null = null
  private newestCertificate: { serial: string; key: KeyObject; validFrom: number } | null = null

  constructor(o: WechatPayClientOptions) {
    if (!o.mchid) throw new WechatPayConfigError('mchid is required')
    if (!o.serialNo) throw new WechatPayConfigError('merchant certificate serial number is required')
    if (o.privateKey?.type !== 'private') throw new WechatPayConfigError('privateKey must be a private KeyObject (use loadPrivateKey)')
    this.mchid = o.mchid
    this.apiV3Key = loadApiV3Key(o.apiV3Key)
    this.platform = o.platform
    if (o.platform.mode === 'publicKey') {
      if (!PUBLIC_KEY_ID_PATTERN.test(o.platform.publicKeyId)) {
        throw new WechatPayConfigError(`platform public key id must look like PUB_KEY_ID_0123…, got "${o.platform.publicKeyId}"`)
      }
      this.keys.set(o.platform.publicKeyId, o.platform.publicKey)
    }
    this.baseUrl = (o.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.fetchImpl = o.fetch ?? fetch
    this.clock = o.clock ?? Date.now
    this.nonce = o.nonce ?? randomNonce
    this.sleep = o.sleep ?? sleepMs
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.maxRetries = o.maxRetries ?? DEFAULT_MAX_RETRIES
    this.signer = { mchid: o.mchid, serialNo: o.serialNo, privateKey: o.privateKey, clock: this.clock, nonce: this.nonce }
  }

  /** The platform keys verification uses now (public key, or downloaded certificates). */
  get platformKeys(): PlatformKeys {
    return this.keys
  }

  // ------------------------------------------------------------------ orders

  /** POST /v3/pay/transactions/jsapi (direct). Same out_trade_no + same body is safe to repeat. */
  async createJsapiOrder(order: JsapiOrderRequest): Promise<PrepayResponse> {
    return (await this.call<PrepayResponse>('POST', '/v3/pay/transactions/jsapi', { body: order, retry: true })).data
  }

  /** POST /v3/pay/partner/transactions/jsapi (service provider; mchid of this client = sp_mchid). */
  async createPartnerJsapiOrder(order: PartnerJsapiOrderRequest): Promise<PrepayResponse> {
    return (await this.call<PrepayResponse>('POST', '/v3/pay/partner/transactions/jsapi', { body: order, retry: true })).data
  }

  /** Query by out_trade_no; pass subMchid in partner mode. */
  async queryOrderByOutTradeNo(outTradeNo: string): Promise<Transaction>
  async queryOrderByOutTradeNo(outTradeNo: string, subMchid: string): Promise<PartnerTransaction>
  async queryOrderByOutTradeNo(outTradeNo: string, subMchid?: string): Promise<Transaction | PartnerTransaction> {
    const path = subMchid
      ? `/v3/pay/partner/transactions/out-trade-no/${seg(outTradeNo)}${query({ sp_mchid: this.mchid, sub_mchid: subMchid })}`
      : `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}${query({ mchid: this.mchid })}`
    return (await this.call<Transaction>('GET', path, { retry: true })).data
  }

  /** Query by WeChat Pay's transaction_id; pass subMchid in partner mode. */
  async queryOrderByTransactionId(transactionId: string): Promise<Transaction>
  async queryOrderByTransactionId(transactionId: string, subMchid: string): Promise<PartnerTransaction>
  async queryOrderByTransactionId(transactionId: string, subMchid?: string): Promise<Transaction | PartnerTransaction> {
    const path = subMchid
      ? `/v3/pay/partner/transactions/id/${seg(transactionId)}${query({ sp_mchid: this.mchid, sub_mchid: subMchid })}`
      : `/v3/pay/transactions/id/${seg(transactionId)}${query({ mchid: this.mchid })}`
    return (await this.call<Transaction>('GET', path, { retry: true })).data
  }

  /** Close an unpaid order (204). Pass subMchid in partner mode. */
  async closeOrder(outTradeNo: string, subMchid?: string): Promise<void> {
    if (subMchid) {
      await this.call('POST', `/v3/pay/partner/transactions/out-trade-no/${seg(outTradeNo)}/close`, { body: { sp_mchid: this.mchid, sub_mchid: subMchid } })
    } else {
      await this.call('POST', `/v3/pay/transactions/out-trade-no/${seg(outTradeNo)}/close`, { body: { mchid: this.mchid } })
    }
  }

  // ------------------------------------------------------------------ refunds

  /** POST /v3/refund/domestic/refunds. Not retried here: after a doubtful answer, query first. */
  async createRefund(refund: RefundRequest): Promise<Refund> {
    return (await this.call<Refund>('POST', '/v3/refund/domestic/refunds', { body: refund })).data
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no}. */
  async queryRefund(outRefundNo: string, subMchid?: string): Promise<Refund> {
    return (await this.call<Refund>('GET', `/v3/refund/domestic/refunds/${seg(outRefundNo)}${query({ sub_mchid: subMchid })}`, { retry: true })).data
  }

  // ------------------------------------------------------------------ mini-program

  /** Fresh wx.requestPayment parameters for a prepay_id, signed with the merchant key. */
  requestPayment(appId: string, prepayId: string): RequestPaymentParams {
    return buildRequestPayment({ appId, prepayId, privateKey: this.signer.privateKey, clock: this.clock, nonce: this.nonce })
  }

  // ------------------------------------------------------------------ notifications

  /**
   * Verifies and decrypts a notification from its raw body. In certificate mode an unknown
   * serial triggers at most one certificate download per minute, so forged notifications
   * cannot make the server call out on every request.
   */
  async parseNotification(headers: HeaderSource, rawBody: string | Buffer): Promise<ParsedNotification> {
    if (this.platform.mode === 'certificate') await this.ensureCertificates()
    const now = () => Math.floor(this.clock() / 1000)
    const first = parseNotification(headers, rawBody, { keys: this.keys, apiV3Key: this.apiV3Key, now: now() })
    if (first.ok || first.reason !== 'UNKNOWN_SERIAL' || !(await this.refreshOnUnknownSerial())) return first
    return parseNotification(headers, rawBody, { keys: this.keys, apiV3Key: this.apiV3Key, now: now() })
  }

  // ------------------------------------------------------------------ certificates, media, sensitive data

  /**
   * GET /v3/certificates: decrypts each certificate with the APIv3 key, checks its serial,
   * then verifies the answer with one of the certificates it carries (wechatpay-v3.md §2.4).
   */
  async downloadCertificates(): Promise<Array<{ serialNo: string; validFrom: Date; validTo: Date; pem: string }>> {
    const res = await this.send('GET', '/v3/certificates', '', {}, true)
    const candidates = new PlatformKeys(this.keys.serials().map((s) => [s, this.keys.get(s) as KeyObject]))
    let parsed: CertificatesResponse
    try {
      parsed = JSON.parse(res.raw.toString('utf8')) as CertificatesResponse
      if (!Array.isArray(parsed.data)) throw new Error('no data')
    } catch (e) {
      throw new WechatPayError({ status: res.status, code: 'MALFORMED_RESPONSE', message: 'certificates answer is not the expected JSON', requestId: res.requestId, cause: e })
    }
    const certs = parsed.data.map((item) => {
      const e = item.encrypt_certificate
      const pem = decryptAead({ apiV3Key: this.apiV3Key, nonce: e.nonce, associatedData: e.associated_data, ciphertext: e.ciphertext })
      const cert = loadCertificate(pem, `platform certificate ${item.serial_no}`)
      if (cert.serialNo !== item.serial_no.toUpperCase()) {
        throw new WechatPayError({ status: res.status, code: 'MALFORMED_RESPONSE', message: `certificate serial ${cert.serialNo} does not match serial_no ${item.serial_no}` })
      }
      candidates.set(cert.serialNo, cert.publicKey)
      return { ...cert, pem }
    })
    this.verifyOrThrow(res.headers, res.raw, res.status, res.requestId, candidates)
    const now = this.clock()
    for (const c of certs) {
      if (c.validTo.getTime() <= now) continue
      this.keys.set(c.serialNo, c.publicKey)
      if (c.validFrom.getTime() <= now && (!this.newestCertificate || c.validFrom.getTime() > this.newestCertificate.validFrom)) {
        this.newestCertificate = { serial: c.serialNo, key: c.publicKey, validFrom: c.validFrom.getTime() }
      }
    }
    this.certificatesLoadedAt = now
    return certs.map(({ serialNo, validFrom, validTo, pem }) => ({ serialNo, validFrom, validTo, pem }))
  }

  /** Encrypts a sensitive field with the WeChat Pay key; send the returned serial as Wechatpay-Serial. */
  async encryptSensitive(plaintext: string): Promise<{ ciphertext: string; serial: string }> {
    if (this.platform.mode === 'publicKey') {
      return { ciphertext: encryptSensitive(plaintext, this.platform.publicKey), serial: this.platform.publicKeyId }
    }
    await this.ensureCertificates()
    if (!this.newestCertificate) throw new WechatPayConfigError('no valid platform certificate to encrypt with')
    return { ciphertext: encryptSensitive(plaintext, this.newestCertificate.key), serial: this.newestCertificate.serial }
  }

  /** POST /v3/merchant/media/upload: multipart with the signed meta JSON (wechatpay-v3.md §11.1). */
  async uploadMedia(filename: string, content: Buffer, contentType = guessImageType(filename)): Promise<{ media_id: string }> {
    const meta = JSON.stringify({ filename, sha256: createHash('sha256').update(content).digest('hex') })
    const boundary = `----wechatpay${this.nonce()}`
    const bytes = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${meta}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename.replace(/"/g, '')}"\r\nContent-Type: ${contentType}\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const contentTypeHeader = `multipart/form-data; boundary=${boundary}`
    return (await this.call<{ media_id: string }>('POST', '/v3/merchant/media/upload', { raw: { bytes, contentType: contentTypeHeader, signedBody: meta } })).data
  }

  // ------------------------------------------------------------------ transport

  /** Any v3 call: signs, sends, verifies, parses; retries when `retry` and the failure allows it. */
  async call<T>(method: string, pathWithQuery: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const bodyText = opts.raw ? opts.raw.signedBody : opts.body === undefined ? '' : JSON.stringify(opts.body)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce<T>(method, pathWithQuery, bodyText, opts)
      } catch (e) {
        if (!(e instanceof WechatPayError) || !e.retryable || !opts.retry || attempt >= this.maxRetries) throw e
        await this.sleep(200 * 2 ** attempt + Math.floor(Math.random() * 100))
      }
    }
  }

  private async callOnce<T>(method: string, pathWithQuery: string, bodyText: string, opts: CallOptions): Promise<ApiResponse<T>> {
    if (this.platform.mode === 'certificate') await this.ensureCertificates()
    const res = await this.send(method, pathWithQuery, bodyText, opts)
    if (res.status === 204) return { status: 204, data: undefined as T, requestId: res.requestId }
    try {
      return { status: res.status, data: JSON.parse(res.raw.toString('utf8')) as T, requestId: res.requestId }
    } catch (e) {
      throw new WechatPayError({ status: res.status, code: 'MALFORMED_RESPONSE', message: `${method} ${pathWithQuery}: answer is not JSON`, requestId: res.requestId, cause: e })
    }
  }

  /** Sends one signed request; returns a verified 2xx answer or throws a WechatPayError. */
  private async send(method: string, pathWithQuery: string, bodyText: string, opts: CallOptions, deferVerify = false) {
    const headers: Record<string, string> = {
      Authorization: signRequest(this.signer, method, pathWithQuery, bodyText),
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...opts.extraHeaders,
    }
    // Public-key mode announces the key it can verify, so a migrating merchant gets answers signed with it.
    if (this.platform.mode === 'publicKey') headers['Wechatpay-Serial'] = this.platform.publicKeyId
    let payload: string | Buffer | undefined
    if (opts.raw) {
      headers['Content-Type'] = opts.raw.contentType
      payload = opts.raw.bytes
    } else if (bodyText) {
      headers['Content-Type'] = 'application/json'
      payload = bodyText
    }
    let response: Response
    try {
      response = await this.fetchImpl(this.baseUrl + pathWithQuery, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (e) {
      const name = (e as { name?: unknown } | null)?.name // DOMException may come from another realm: no instanceof
      const timedOut = name === 'TimeoutError' || name === 'AbortError'
      throw new WechatPayError({
        status: 0,
        code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        message: timedOut ? `${method} ${pathWithQuery}: no answer within ${this.timeoutMs} ms` : `${method} ${pathWithQuery}: ${String((e as Error)?.message ?? e)}`,
        cause: e,
      })
    }
    let raw: Buffer
    try {
      raw = Buffer.from(await response.arrayBuffer())
    } catch (e) {
      throw new WechatPayError({ status: 0, code: 'NETWORK_ERROR', message: `${method} ${pathWithQuery}: connection lost while reading the answer`, cause: e })
    }
    const requestId = response.headers.get('request-id') ?? undefined
    if (response.status >= 200 && response.status < 300) {
      if (!deferVerify) await this.verifyAnswer(response.headers, raw, response.status, requestId)
      return { status: response.status, raw, headers: response.headers, requestId }
    }
    // Error answers: signed ones are verified; WeChat Pay leaves some (e.g. 401) unsigned (wechatpay-v3.md §9).
    // The certificate download itself cannot verify its errors (no keys yet): they only fail the call.
    if (!deferVerify && headerReader(response.headers)(HEADER.signature)) await this.verifyAnswer(response.headers, raw, response.status, requestId)
    let body: Partial<ApiErrorBody> = {}
    try {
      body = JSON.parse(raw.toString('utf8')) as ApiErrorBody
    } catch {
      /* a proxy's HTML page or an empty body: keep the status */
    }
    throw new WechatPayError({
      status: response.status,
      code: typeof body.code === 'string' ? body.code : 'MALFORMED_RESPONSE',
      message: typeof body.message === 'string' ? body.message : `HTTP ${response.status} without a WeChat Pay error body`,
      detail: body.detail,
      requestId,
    })
  }

  private async verifyAnswer(headers: Headers, raw: Buffer, status: number, requestId?: string) {
    const result = verifyWechatpaySignature({ headers, body: raw, keys: this.keys, now: Math.floor(this.clock() / 1000) })
    if (!result.ok && result.reason === 'UNKNOWN_SERIAL' && (await this.refreshOnUnknownSerial())) {
      return this.verifyOrThrow(headers, raw, status, requestId, this.keys)
    }
    if (!result.ok) this.throwUnverified(result.reason, status, requestId, result.serial)
  }

  private verifyOrThrow(headers: Headers, raw: Buffer, status: number, requestId: string | undefined, keys: PlatformKeys) {
    const result = verifyWechatpaySignature({ headers, body: raw, keys, now: Math.floor(this.clock() / 1000) })
    if (!result.ok) this.throwUnverified(result.reason, status, requestId, result.serial)
  }

  private throwUnverified(reason: VerifyFailure, status: number, requestId?: string, serial?: string): never {
    const messages: Record<VerifyFailure, string> = {
      MISSING_HEADERS: 'answer carries no Wechatpay-* signature headers; treated as forged',
      STALE_TIMESTAMP: 'answer timestamp is more than 5 minutes away from this server\'s clock (check NTP)',
      UNKNOWN_SERIAL: `answer is signed by unknown key ${serial ?? ''}; expected one of ${this.keys.serials().join(', ') || '(none)'}`,
      BAD_SIGNATURE: 'answer signature does not verify with the WeChat Pay key',
    }
    throw new WechatPayError({
      status,
      code: reason === 'MISSING_HEADERS' ? 'RESPONSE_NOT_SIGNED' : 'RESPONSE_SIGNATURE_INVALID',
      message: messages[reason],
      detail: { reason, serial },
      requestId,
    })
  }

  private async ensureCertificates(): Promise<void> {
    if (this.clock() - this.certificatesLoadedAt < CERTIFICATE_REFRESH_MS) return
    await this.refreshCertificates()
  }

  private async refreshOnUnknownSerial(): Promise<boolean> {
    if (this.platform.mode !== 'certificate') return false
    if (this.clock() - this.certificatesLoadedAt < UNKNOWN_SERIAL_REFRESH_MIN_MS) return false
    await this.refreshCertificates()
    return true
  }

  private refreshCertificates(): Promise<void> {
    this.certificateRefresh ??= this.downloadCertificates()
      .then(() => undefined)
      .finally(() => {
        this.certificateRefresh = null
      })
    return this.certificateRefresh
  }
}

const guessImageType = (filename: string) =>
  /\.png$/i.test(filename) ? 'image/png' : /\.bmp$/i.test(filename) ? 'image/bmp' : 'image/jpeg'
