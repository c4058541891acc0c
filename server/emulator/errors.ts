/**
 * The errors WeChat Pay answers, as one list (wechatpay-v3.md §9): HTTP status, `code`, and the
 * body `{ code, message, detail? }`. Route code throws an ApiError; the error handler writes it.
 */

/** WeChat Pay codes the emulator answers, with their HTTP status. */
export const API_ERRORS = {
  PARAM_ERROR: 400,
  INVALID_REQUEST: 400,
  APPID_MCHID_NOT_MATCH: 400,
  MCH_NOT_EXISTS: 400,
  ORDER_CLOSED: 400,
  SIGN_ERROR: 401,
  NO_AUTH: 403,
  OUT_TRADE_NO_USED: 403,
  ORDERPAID: 400,
  NOT_ENOUGH: 403,
  USER_ACCOUNT_ABNORMAL: 403,
  RULE_LIMIT: 403,
  ORDER_NOT_EXIST: 404,
  RESOURCE_NOT_EXISTS: 404,
  NOT_FOUND: 404,
  FREQUENCY_LIMITED: 429,
  SYSTEM_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const
export type ApiErrorCode = keyof typeof API_ERRORS

export interface ErrorDetail {
  field?: string
  value?: unknown
  issue?: string
  location?: 'body' | 'path' | 'query' | 'header' | 'authorization'
  [key: string]: unknown
}

/** One WeChat Pay error answer. */
export class ApiError extends Error {
  readonly status: number
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly detail?: ErrorDetail,
    status?: number,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status ?? API_ERRORS[code]
  }

  /** The wire body (wechatpay-v3.md §9). */
  body(): { code: string; message: string; detail?: ErrorDetail } {
    return this.detail ? { code: this.code, message: this.message, detail: this.detail } : { code: this.code, message: this.message }
  }
}

/** 400 PARAM_ERROR with a JSON-pointer field, as WeChat Pay reports a field constraint. */
export const paramError = (field: string, issue: string, value?: unknown, location: ErrorDetail['location'] = 'body'): ApiError =>
  new ApiError('PARAM_ERROR', `参数错误：${field} ${issue}`, { field, value, issue, location })

/** Errors of the control API (/__emulator/*): `{ error: { code, message } }`, like the rest of the project. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ControlError'
  }
}
