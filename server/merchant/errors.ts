/** Error codes of the app ↔ backend contract (architecture.md), one list with the union derived from it. */
export const ERROR_CODES = [
  'INVALID_AMOUNT',
  'INVALID_DESCRIPTION',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ORDER_NOT_FOUND',
  'ORDER_NOT_PAYABLE',
  'REFUND_NOT_ALLOWED',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'INTERNAL_ERROR',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

const STATUS: Record<ErrorCode, number> = {
  INVALID_AMOUNT: 400,
  INVALID_DESCRIPTION: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_PAYABLE: 409,
  REFUND_NOT_ALLOWED: 409,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  INTERNAL_ERROR: 500,
}

/** A failure the client is told about: stable code, human message, HTTP status from the code. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  constructor(code: ErrorCode, message: string, statusCode = STATUS[code]) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.statusCode = statusCode
  }
}

/** A configuration that cannot start the backend; its message is one line naming the setting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
