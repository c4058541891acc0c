import { CONTRACT_ERROR_CODES, ERROR_STATUS, type ContractErrorCode } from '../../src/contract/constants'
import type { FieldError } from '../../src/contract/schemas'

/** Error codes of the app ↔ backend contract (src/contract/constants.ts), re-exported for the backend. */
export const ERROR_CODES = CONTRACT_ERROR_CODES
export type ErrorCode = ContractErrorCode

/** A failure the client is told about: stable code, human message, HTTP status from the code, optional per-field details. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly details?: FieldError[]
  constructor(code: ErrorCode, message: string, options: { statusCode?: number; details?: FieldError[] } = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.statusCode = options.statusCode ?? ERROR_STATUS[code]
    if (options.details) this.details = options.details
  }
}

/** A configuration that cannot start the backend; its message is one line naming the setting. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
