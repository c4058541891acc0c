/**
 * One error type for everything WeChat Pay answers or fails to answer (wechatpay-v3.md §9),
 * and one for bad configuration, so callers switch on a stable `code`.
 */

/** Codes this library raises itself (WeChat Pay's own codes arrive verbatim from the body). */
export const CLIENT_ERROR_CODES = [
  'NETWORK_ERROR', // connection refused / reset / DNS
  'TIMEOUT', // no answer within timeoutMs
  'RESPONSE_NOT_SIGNED', // a 2xx answer without Wechatpay-* headers: treated as forged
  'RESPONSE_SIGNATURE_INVALID', // signature, window or serial check failed
  'MALFORMED_RESPONSE', // not the JSON the endpoint promises
] as const
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number]

export interface WechatPayErrorInit {
  status: number
  code: string
  message: string
  detail?: unknown
  requestId?: string
  cause?: unknown
}

/** An API call that did not succeed: HTTP status (0 when no answer), WeChat Pay code, message, detail. */
export class WechatPayError extends Error {
  readonly status: number
  readonly code: string
  readonly detail?: unknown
  readonly requestId?: string

  constructor(init: WechatPayErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'WechatPayError'
    this.status = init.status
    this.code = init.code
    this.detail = init.detail
    this.requestId = init.requestId
  }

  /** Safe to repeat with identical parameters (wechatpay-v3.md §9: 5xx, 429, no answer). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500
  }
}

/** A key, certificate or setting that cannot work: mostly at construction, also when no usable platform certificate is held. */
export class WechatPayConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WechatPayConfigError'
  }
}

/** A local cryptographic failure with a stable code (AEAD / OAEP). */
export class WechatPayCryptoError extends Error {
  readonly code: string
  constructor(code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'WechatPayCryptoError'
    this.code = code
  }
}
