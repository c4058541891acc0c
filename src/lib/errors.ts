// One list of error codes for the whole app: the backend contract's codes plus the client's own.
import { CONTRACT_ERROR_CODES, type ContractErrorCode } from '@/contract/constants'
import type { FieldError } from '@/contract/schemas'

/** Codes the app raises itself, beside the backend's contract codes. */
export const CLIENT_ERROR_CODES = [
  'NETWORK_ERROR',
  'TIMEOUT',
  'SERVER_ERROR',
  'BAD_RESPONSE',
  'LOGIN_FAILED',
  'PAYMENT_FAILED',
  'PAYMENT_UNSUPPORTED',
  'PAYMENT_UNCONFIRMED',
  'UNKNOWN',
] as const

/** Every code the UI can show: the backend's (src/contract/constants.ts) and the client's own. */
export const ERROR_CODES = [...CONTRACT_ERROR_CODES, ...CLIENT_ERROR_CODES] as const

export type ErrorCode = ContractErrorCode | (typeof CLIENT_ERROR_CODES)[number]

/** Chinese UI text for each code; the page shows this, never a raw exception. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  INVALID_AMOUNT: '金额不正确，请重新输入',
  INVALID_DESCRIPTION: '商品描述不正确，请修改后重试',
  BAD_REQUEST: '请求有误，请稍后重试',
  UNAUTHENTICATED: '登录已失效，请重新进入小程序',
  FORBIDDEN: '没有权限进行此操作',
  NOT_FOUND: '请求的内容不存在',
  METHOD_NOT_ALLOWED: '请求有误，请稍后重试',
  PAYLOAD_TOO_LARGE: '提交的内容过大',
  URI_TOO_LONG: '请求有误，请稍后重试',
  ORDER_NOT_FOUND: '订单不存在',
  ORDER_NOT_PAYABLE: '该订单已无法支付',
  REFUND_NOT_ALLOWED: '该订单无法退款',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  UPSTREAM_ERROR: '微信支付暂时不可用，请稍后重试',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后重试',
  INTERNAL_ERROR: '服务器开小差了，请稍后重试',
  SHOP_NOT_FOUND: '店铺不存在或尚未开通收款',
  INVALID_APPLICATION: '申请资料有误，请按提示修改',
  INVALID_IMAGE: '请上传 JPG、PNG 或 BMP 格式的图片',
  IMAGE_TOO_LARGE: '图片太大，请压缩后重新上传',
  APPLICATION_NOT_FOUND: '申请单不存在',
  APPLICATION_NOT_EDITABLE: '该申请当前不可修改',
  ORDER_NOT_SPLITTABLE: '该订单无法分账',
  SPLIT_OVER_LIMIT: '分账金额超出允许的比例',
  REFUND_NEEDS_RETURN: '请先完成分账回退再退款',
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  TIMEOUT: '请求超时，请稍后重试',
  SERVER_ERROR: '服务器开小差了，请稍后重试',
  BAD_RESPONSE: '服务器返回了无法识别的数据',
  LOGIN_FAILED: '登录失败，请稍后重试',
  PAYMENT_FAILED: '支付失败',
  PAYMENT_UNSUPPORTED: '当前环境不支持微信支付，请在微信中打开',
  PAYMENT_UNCONFIRMED: '暂未确认到支付结果，请稍后查询',
  UNKNOWN: '出了点问题，请稍后重试',
}

/** True when `code` is one of ERROR_CODES. */
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)

/**
 * An error the UI can show: a stable code plus a Chinese message; `detail` keeps the technical cause,
 * `fields` the per-field problems of an INVALID_APPLICATION answer.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly detail?: string
  readonly fields?: FieldError[]

  constructor(code: ErrorCode, message: string = ERROR_MESSAGES[code], detail?: string, fields?: FieldError[]) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.detail = detail
    if (fields) this.fields = fields
  }
}

/** Turns anything thrown into an AppError (unknown causes become UNKNOWN with the cause as detail). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined
  return new AppError('UNKNOWN', ERROR_MESSAGES.UNKNOWN, detail)
}
