/**
 * The signed-call transport: signs a request, sends it (with a backup host and retries where that
 * is safe), verifies the answer with the platform keys, and turns every failure into a WechatPayError.
 */
import { signRequestAsync, type MerchantSigner } from './auth-header'
import { WechatPayError } from './errors'
import { HttpFailure, type HttpAnswer, type HttpSend } from './http'
import type { ApiErrorBody } from './types'
import { headerReader, HEADER, verifyWechatpaySignature, type PlatformKeyStore, type VerifyFailure } from './verify'

const USER_AGENT = 'wechatpay-miniprogram-kit/0.1 (node)'
/** Backoff before retry n (0-based): BASE · 2ⁿ plus up to JITTER ms. */
export const RETRY_BASE_MS = 200
export const RETRY_JITTER_MS = 100

/** The keys answers are verified with, and how they learn a serial they do not know yet. */
export interface AnswerKeys extends PlatformKeyStore {
  serials(): string[]
  /** Resolves when answers can be verified (certificate mode: after the first download). */
  ready(): Promise<void>
  /** After an unknown serial: true when the keys were refreshed and may know it now. */
  refreshOnUnknownSerial(): Promise<boolean>
}

export interface CallOptions {
  body?: unknown
  /** Safe to repeat with identical parameters: retried, and sent once to the backup host when the main one gives no answer. */
  retry?: boolean
  /** Headers added to the request (e.g. Wechatpay-Serial for a call carrying encrypted fields). */
  extraHeaders?: Record<string, string>
  /** A body sent as bytes while another string is signed (media upload). */
  raw?: { bytes: Buffer; contentType: string; signedBody: string }
}

export interface ApiResponse<T> {
  status: number
  data: T
  requestId?: string
}

/** A 2xx answer whose signature has not been checked yet (the certificate download checks its own). */
export interface UnverifiedAnswer {
  status: number
  headers: HttpAnswer['headers']
  raw: Buffer
  requestId?: string
}

export interface TransportOptions {
  baseUrl: string
  backupBaseUrl?: string
  send: HttpSend
  signer: MerchantSigner
  keys: AnswerKeys
  /** Sent as Wechatpay-Serial on every call: the key this client verifies with (public-key mode). */
  announceSerial?: string
  /** Milliseconds since the epoch (the 5-minute window of answers). */
  clock: () => number
  timeoutMs: number
  maxRetries: number
  sleep: (ms: number) => Promise<void>
  /** Uniform in [0, 1): retry jitter. */
  random: () => number
}

const VERIFY_MESSAGES: Record<VerifyFailure, string> = {
  MISSING_HEADERS: 'answer carries no Wechatpay-* signature headers; treated as forged',
  STALE_TIMESTAMP: 'answer timestamp is more than 5 minutes away from this server\'s clock (check NTP)',
  UNKNOWN_SERIAL: 'answer is signed by an unknown key',
  BAD_SIGNATURE: 'answer signature does not verify with the WeChat Pay key',
}

/** The WechatPayError for an answer that failed verification. */
export function unverifiedAnswer(failure: { reason: VerifyFailure; serial?: string; detail?: string }, status: number, requestId: string | undefined, known: string[]): WechatPayError {
  const { reason, serial, detail } = failure
  const message = reason === 'UNKNOWN_SERIAL'
    ? `answer is signed by unknown key ${serial ?? ''}; expected one of ${known.join(', ') || '(none)'}`
    : detail ? `${VERIFY_MESSAGES[reason]}: ${detail}` : VERIFY_MESSAGES[reason]
  return new WechatPayError({ status, code: reason === 'MISSING_HEADERS' ? 'RESPONSE_NOT_SIGNED' : 'RESPONSE_SIGNATURE_INVALID', message, detail: { reason, serial }, requestId })
}

const noAnswer = (e: unknown) => e instanceof WechatPayError && e.status === 0 && (e.detail as { answered?: boolean } | undefined)?.answered === false

/** Signs, sends, verifies and parses WeChat Pay v3 calls. */
export class Transport {
  constructor(private readonly o: TransportOptions) {}

  /** Any v3 call: retries when `retry` and the failure allows it; a no-answer failure goes once to the backup host. */
  async call<T>(method: string, pathWithQuery: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const bodyText = opts.raw ? opts.raw.signedBody : opts.body === undefined ? '' : JSON.stringify(opts.body)
    const backup = { tried: false }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.withBackup(backup, opts.retry === true, (base) => this.callOnce<T>(base, method, pathWithQuery, bodyText, opts))
      } catch (e) {
        if (!(e instanceof WechatPayError) || !e.retryable || !opts.retry || attempt >= this.o.maxRetries) throw e
        await this.o.sleep(RETRY_BASE_MS * 2 ** attempt + Math.floor(this.o.random() * RETRY_JITTER_MS))
      }
    }
  }

  /** GET a path without checking the answer's signature (the certificate download verifies with what it downloads). */
  getUnverified(pathWithQuery: string): Promise<UnverifiedAnswer> {
    return this.withBackup({ tried: false }, true, (base) => this.send(base, 'GET', pathWithQuery, '', {}, false))
  }

  /** Runs `attempt` on the main host; once per call, a no-answer failure of a repeatable call is tried on the backup host. */
  private async withBackup<T>(backup: { tried: boolean }, repeatable: boolean, attempt: (base: string) => Promise<T>): Promise<T> {
    try {
      return await attempt(this.o.baseUrl)
    } catch (e) {
      if (!repeatable || !this.o.backupBaseUrl || backup.tried || !noAnswer(e)) throw e
      backup.tried = true
      return attempt(this.o.backupBaseUrl)
    }
  }

  private async callOnce<T>(base: string, method: string, pathWithQuery: string, bodyText: string, opts: CallOptions): Promise<ApiResponse<T>> {
    await this.o.keys.ready()
    const res = await this.send(base, method, pathWithQuery, bodyText, opts, true)
    if (res.status === 204) return { status: 204, data: undefined as T, requestId: res.requestId }
    try {
      return { status: res.status, data: JSON.parse(res.raw.toString('utf8')) as T, requestId: res.requestId }
    } catch (e) {
      throw new WechatPayError({ status: res.status, code: 'MALFORMED_RESPONSE', message: `${method} ${pathWithQuery}: answer is not JSON`, requestId: res.requestId, cause: e })
    }
  }

  /** Sends one signed request; returns a 2xx answer (verified when `verify`) or throws a WechatPayError. */
  private async send(base: string, method: string, pathWithQuery: string, bodyText: string, opts: CallOptions, verify: boolean): Promise<UnverifiedAnswer> {
    const headers: Record<string, string> = {
      // Signed on the thread pool: the event loop keeps serving while RSA runs.
      Authorization: await signRequestAsync(this.o.signer, method, pathWithQuery, bodyText),
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      // Announce the key this client verifies with, so a merchant in a platform-key migration gets answers signed with it;
      // a call carrying encrypted fields names the key it encrypted with instead (extraHeaders).
      ...(this.o.announceSerial ? { 'Wechatpay-Serial': this.o.announceSerial } : {}),
      ...opts.extraHeaders,
    }
    let payload: string | Buffer | undefined
    if (opts.raw) {
      headers['Content-Type'] = opts.raw.contentType
      payload = opts.raw.bytes
    } else if (bodyText) {
      headers['Content-Type'] = 'application/json'
      payload = bodyText
    }
    const where = base === this.o.baseUrl ? '' : ` (backup host ${base})`
    let answer: HttpAnswer
    try {
      answer = await this.o.send({ method, url: base + pathWithQuery, headers, body: payload, timeoutMs: this.o.timeoutMs, idempotent: opts.retry === true || method === 'GET' })
    } catch (e) {
      const failure = e instanceof HttpFailure ? e : new HttpFailure('NETWORK_ERROR', false, String((e as Error | null)?.message ?? e), e)
      throw new WechatPayError({ status: 0, code: failure.kind, message: `${method} ${pathWithQuery}${where}: ${failure.message}`, detail: { answered: failure.answered }, cause: e })
    }
    const header = headerReader(answer.headers)
    const requestId = header('request-id')
    const res = { status: answer.status, headers: answer.headers, raw: answer.body, requestId }
    if (answer.status >= 200 && answer.status < 300) {
      if (verify) await this.verifyAnswer(res)
      return res
    }
    // Error answers: signed ones are verified; WeChat Pay leaves some (e.g. 401) unsigned (wechatpay-v3.md §9).
    // The certificate download cannot verify its errors (it has no keys yet): they only fail the call.
    if (verify && header(HEADER.signature)) await this.verifyAnswer(res)
    let body: Partial<ApiErrorBody> = {}
    try {
      body = JSON.parse(answer.body.toString('utf8')) as ApiErrorBody
    } catch {
      /* a proxy's HTML page or an empty body: keep the status */
    }
    throw new WechatPayError({
      status: answer.status,
      code: typeof body.code === 'string' ? body.code : 'MALFORMED_RESPONSE',
      message: typeof body.message === 'string' ? body.message : `HTTP ${answer.status} without a WeChat Pay error body`,
      detail: body.detail,
      requestId,
    })
  }

  private async verifyAnswer(res: UnverifiedAnswer): Promise<void> {
    const keys = this.o.keys
    const check = () => verifyWechatpaySignature({ headers: res.headers, body: res.raw, keys, now: Math.floor(this.o.clock() / 1000) })
    let result = check()
    if (!result.ok && result.reason === 'UNKNOWN_SERIAL' && (await keys.refreshOnUnknownSerial())) result = check()
    if (!result.ok) throw unverifiedAnswer(result, res.status, res.requestId, keys.serials())
  }
}
