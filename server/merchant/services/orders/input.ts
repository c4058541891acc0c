import { DESCRIPTION_MAX_CHARS, REFUND_REASON_MAX_CHARS } from '../../../../src/contract/constants'
import { countChars, descriptionProblem, type DescriptionProblem } from '../../../../src/contract/rules'
import { AppError } from '../../errors'

const CONTROL_CHARS = /\p{Cc}/u

const DESCRIPTION_MESSAGES: Record<DescriptionProblem, string> = {
  EMPTY: 'description is empty',
  TOO_LONG: `description is longer than ${DESCRIPTION_MAX_CHARS} characters`,
  CONTROL_CHARS: 'description contains control characters',
  UNSUPPORTED_CHARS: 'description contains characters WeChat Pay does not accept (emoji or other 4-byte UTF-8)',
}

/** Trimmed description, or INVALID_DESCRIPTION (src/contract/rules.ts: 1–127 characters, no control characters, no 4-byte UTF-8). */
export function checkDescription(raw: string): string {
  const problem = descriptionProblem(raw)
  if (problem) throw new AppError('INVALID_DESCRIPTION', DESCRIPTION_MESSAGES[problem])
  return raw.trim()
}

/** An order amount in fen, or INVALID_AMOUNT: an integer from 1 to maxOrderFen. */
export function checkOrderAmount(amount: number, maxOrderFen: number): number {
  if (!Number.isInteger(amount) || amount < 1 || amount > maxOrderFen) {
    throw new AppError('INVALID_AMOUNT', `amount must be an integer number of fen from 1 to ${maxOrderFen}`)
  }
  return amount
}

/** A refund amount in fen, or INVALID_AMOUNT: a positive integer (the upper bound is what is left). */
export function checkRefundAmount(amount: number): number {
  if (!Number.isInteger(amount) || amount < 1) throw new AppError('INVALID_AMOUNT', 'refund amount must be a positive integer number of fen')
  return amount
}

/** Trimmed refund reason, or BAD_REQUEST: at most 80 characters, no control characters. */
export function checkRefundReason(raw: string | undefined): string {
  const reason = (raw ?? '').trim()
  if (countChars(reason) > REFUND_REASON_MAX_CHARS || CONTROL_CHARS.test(reason)) {
    throw new AppError('BAD_REQUEST', `reason must be at most ${REFUND_REASON_MAX_CHARS} characters without control characters`)
  }
  return reason
}
