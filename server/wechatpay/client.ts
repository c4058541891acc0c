import type { KeyObject } from 'node:crypto'
import type { MerchantSigner } from './auth-header'
import { CertificateManager, PlatformKeyRing, type PlatformCertificate } from './certificates'
import { WechatPayConfigError } from './errors'
import { fetchSend, keepAliveSend } from './http'
import { loadApiV3Key, PUBLIC_KEY_ID_PATTERN } from './keys'
import { buildMediaUpload, guessImageType } from './multipart'
import { parseNotification, type ParsedNotification } from './notification'
import { encryptSensitive } from './oaep'
import { buildRequestPayment, buildRequestPaymentAsync, type RequestPaymentParams } from './pay-sign'
import { PreparedPaySigns } from './pay-sign-cache'
import { randomNonce } from './sign'
import { Transport, type ApiResponse, type CallOptions } from './transport'
import type { JsapiOrderRequest, PartnerJsapiOrderRequest, PartnerTransaction, PrepayResponse, Refund, RefundRequest, Transaction } from './types'
import { PlatformKeys, type HeaderSource } from './verify'

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com'
/** WeChat Pay's backup host, in another city (the official Java SDK's secondary domain). */
export const BACKUP_BASE_URL = 'https://api2.wechatpay.cn'
export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_RETRIES = 2

/**
 * How answers and notifications from WeChat Pay are verified (wechatpay-v3.md §2.3): the WeChat Pay
 * public key, downloaded platform certificates, or, during a move from certificates to the public
 * key, both (`alsoCertificates: true`): the public key is announced and verifies at once, and the
 * certificates (downloaded in the background, never awaited) verify what is still signed with them.
 */
export type PlatformVerification =
  | { mode: 'publicKey'; publicKeyId: string; publicKey: KeyObject; alsoCertificates?: boolean }
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
  /** Where calls safe to repeat go once when baseUrl gives no answer (connect failure or timeout); e.g. BACKUP_BASE_URL. */
  backupBaseUrl?: string
  /** Replaces the keep-alive node:http transport (tests). */
  fetch?: typeof fetch
  /** Milliseconds since the epoch. */
  clock?: () => number
  nonce?: () => string
  /** Uniform in [0, 1): the jitter of retry backoff. */
  random?: () => number
  sleep?: (ms: number) => Promise<void>
  timeoutMs?: number
  /** Extra attempts for calls that are safe to repeat (reads, order creation). */
  maxRetries?: number
  /** A certificate download failed while the cached certificates (or the public key) stay in use. Default: process.emitWarning. */
  onCertificateRefreshError?: (e: unknown) => void
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const seg = encodeURIComponent
const query = (params: Record<string, string | undefined>) => {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${seg(k)}=${seg(v as string)}`)
  return parts.length ? `?${parts.join('&')}` : ''
}
const warnRefreshFailed = (e: unknown) =>
  process.emitWarning(`WeChat Pay platform certificate download failed, cached keys stay in use: ${String((e as Error | null)?.message ?? e)}`, 'WechatPayWarning')

/**
 * A typed WeChat Pay v3 client over a keep-alive transport. Every answer's signature is checked
 * before its body is used; errors are one WechatPayError; reads and order creation are retried.
 */
export class WechatPayClient {
  readonly mchid: string
  readonly baseUrl: string
  private readonly signer: MerchantSigner
  private readonly apiV3Key: Buffer
  private readonly platform: PlatformVerification
  private readonly keys: PlatformKeyRing
  private readonly transport: Transport
  private readonly clock: () => number
  private readonly nonce: () => string
  private readonly closeTransport: () => void
  private readonly preparedPaySigns: PreparedPaySigns

  constructor(o: WechatPayClientOptions) {
    if (!o.mchid) throw new WechatPayConfigError('mchid is required')
    if (!o.serialNo) throw new WechatPayConfigError('merchant certificate serial number is required')
    if (o.privateKey?.type !== 'private') throw new WechatPayConfigError('privateKey must be a private KeyObject (use loadPrivateKey)')
    this.mchid = o.mchid
    this.apiV3Key = loadApiV3Key(o.apiV3Key)
    this.platform = o.platform
    const fixed = new PlatformKeys()
    if (o.platform.mode === 'publicKey') {
      if (!PUBLIC_KEY_ID_PATTERN.test(o.platform.publicKeyId)) {
        throw new WechatPayConfigError(`platform public key id must look like PUB_KEY_ID_0123…, got "${o.platform.publicKeyId}"`)
      }
      fixed.set(o.platform.publicKeyId, o.platform.publicKey)
    }
    this.baseUrl = trimSlash(o.baseUrl ?? DEFAULT_BASE_URL)
    this.clock = o.clock ?? Date.now
    this.nonce = o.nonce ?? randomNonce
    this.signer = { mchid: o.mchid, serialNo: o.serialNo, privateKey: o.privateKey, clock: this.clock, nonce: this.nonce }
    this.preparedPaySigns = new PreparedPaySigns(this.clock)
    const wire = o.fetch ? { send: fetchSend(o.fetch), close: () => undefined } : keepAliveSend()
    this.closeTransport = wire.close
    const certificates =
      o.platform.mode === 'certificate' || o.platform.alsoCertificates
        ? new CertificateManager({
            apiV3Key: this.apiV3Key,
            fetch: () => this.transport.getUnverified('/v3/certificates'),
            clock: this.clock,
            required: o.platform.mode === 'certificate',
            trusted: fixed,
            onRefreshError: o.onCertificateRefreshError ?? warnRefreshFailed,
          })
        : undefined
    this.keys = new PlatformKeyRing(fixed, certificates)
    this.transport = new Transport({
      baseUrl: this.baseUrl,
      backupBaseUrl: o.backupBaseUrl === undefined ? undefined : trimSlash(o.backupBaseUrl),
      send: wire.send,
      signer: this.signer,
      keys: this.keys,
      announceSerial: o.platform.mode === 'publicKey' ? o.platform.publicKeyId : undefined,
      clock: this.clock,
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
      sleep: o.sleep ?? sleepMs,
      random: o.random ?? Math.random,
    })
  }

  /** The platform keys verification uses now (public key, downloaded certificates, or both). */
  get platformKeys(): PlatformKeyRing {
    return this.keys
  }

  /** Closes the idle keep-alive connections (a client is not used after this). */
  close(): void {
    this.closeTransport()
  }

  // ------------------------------------------------------------------ orders

  /** POST /v3/pay/transactions/jsapi (direct). Same out_trade_no + same body is safe to repeat. */
  async createJsapiOrder(order: JsapiOrderRequest): Promise<PrepayResponse> {
    const answer = (await this.call<PrepayResponse>('POST', '/v3/pay/transactions/jsapi', { body: order, retry: true })).data
    await this.preparePayment(order.appid, answer)
    return answer
  }

  /** POST /v3/pay/partner/transactions/jsapi (service provider; mchid of this client = sp_mchid). */
  async createPartnerJsapiOrder(order: PartnerJsapiOrderRequest): Promise<PrepayResponse> {
    const answer = (await this.call<PrepayResponse>('POST', '/v3/pay/partner/transactions/jsapi', { body: order, retry: true })).data
    await this.preparePayment(order.sub_appid ?? order.sp_appid, answer)
    return answer
  }

  /** Signs the payment parameters for a fresh prepay_id on the thread pool, for the requestPayment that usually follows. */
  private async preparePayment(appId: string | undefined, answer: PrepayResponse): Promise<void> {
    if (!appId || typeof answer?.prepay_id !== 'string') return
    try {
      this.preparedPaySigns.put(appId, answer.prepay_id, await this.requestPaymentAsync(appId, answer.prepay_id))
    } catch {
      // requestPayment signs them itself.
    }
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
    // Right after an order call, they were usually signed on the thread pool already (at most 5 s ago).
    return this.preparedPaySigns.take(appId, prepayId) ?? buildRequestPayment({ appId, prepayId, privateKey: this.signer.privateKey, clock: this.clock, nonce: this.nonce })
  }

  /** requestPayment signed on libuv's thread pool, so a busy server's event loop is not held by RSA. */
  requestPaymentAsync(appId: string, prepayId: string): Promise<RequestPaymentParams> {
    return buildRequestPaymentAsync({ appId, prepayId, privateKey: this.signer.privateKey, clock: this.clock, nonce: this.nonce })
  }

  // ------------------------------------------------------------------ notifications

  /**
   * Verifies and decrypts a notification from its raw body. With certificates, an unknown serial
   * triggers at most one download per minute, so forged notifications cannot make the server call
   * out on every request; a failing download never holds a notification while keys are cached.
   */
  async parseNotification(headers: HeaderSource, rawBody: string | Buffer): Promise<ParsedNotification> {
    await this.keys.ready()
    const parse = () => parseNotification(headers, rawBody, { keys: this.keys, apiV3Key: this.apiV3Key, now: Math.floor(this.clock() / 1000) })
    const first = parse()
    if (first.ok || first.reason !== 'UNKNOWN_SERIAL' || !(await this.keys.refreshOnUnknownSerial())) return first
    return parse()
  }

  // ------------------------------------------------------------------ certificates, media, sensitive data

  /**
   * GET /v3/certificates: decrypts each certificate with the APIv3 key, checks its serial, then
   * verifies the answer with one of the certificates it carries (wechatpay-v3.md §2.4). In
   * certificate mode (or a migration) the verified certificates replace the held ones.
   */
  async downloadCertificates(): Promise<PlatformCertificate[]> {
    if (this.keys.certificates) return this.keys.certificates.download()
    const once = new CertificateManager({ apiV3Key: this.apiV3Key, fetch: () => this.transport.getUnverified('/v3/certificates'), clock: this.clock, required: true, onRefreshError: () => undefined })
    return once.download()
  }

  /** Encrypts a sensitive field with the WeChat Pay key; send the returned serial as Wechatpay-Serial. */
  async encryptSensitive(plaintext: string): Promise<{ ciphertext: string; serial: string }> {
    if (this.platform.mode === 'publicKey') {
      return { ciphertext: encryptSensitive(plaintext, this.platform.publicKey), serial: this.platform.publicKeyId }
    }
    await this.keys.ready()
    const newest = this.keys.certificates?.newest()
    if (!newest) throw new WechatPayConfigError('no valid platform certificate to encrypt with')
    return { ciphertext: encryptSensitive(plaintext, newest.key), serial: newest.serial }
  }

  /** POST /v3/merchant/media/upload: multipart with the signed meta JSON (wechatpay-v3.md §11.1). */
  async uploadMedia(filename: string, content: Buffer, contentType = guessImageType(filename)): Promise<{ media_id: string }> {
    const raw = buildMediaUpload(filename, content, contentType, this.nonce())
    return (await this.call<{ media_id: string }>('POST', '/v3/merchant/media/upload', { raw })).data
  }

  // ------------------------------------------------------------------ any call

  /** Any v3 call: signs, sends, verifies, parses; retries when `retry` and the failure allows it. */
  call<T>(method: string, pathWithQuery: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.transport.call<T>(method, pathWithQuery, opts)
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')
