import { AppError } from '../../errors'

export const MAX_DESCRIPTION_CHARS = 127
/** WeChat Pay's limit for a refund reason (wechatpay-v3.md §7). */
export const MAX_REFUND_REASON_CHARS = 80

const CONTROL_CHARS = /\p{Cc}/u

/** Trimmed description, or INVALID_DESCRIPTION: 1–127 characters, no control characters. */
export function checkDescription(raw: string): string {
  const d = raw.trim()
  const chars = [...d].length
  if (chars < 1) throw new AppError('INVALID_DESCRIPTION', 'description is empty')
  if (chars > MAX_DESCRIPTION_CHARS) throw new AppError('INVALID_DESCRIPTION', `description is longer than ${MAX_DESCRIPTION_CHARS} characters`)
  if (CONTROL_CHARS.test(d)) throw new AppError('INVALID_DESCRIPTION', 'description contains control characters')
  return d
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
  if ([...reason].length > MAX_REFUND_REASON_CHARS || CONTROL_CHARS.test(reason)) {
    throw new AppError('BAD_REQUEST', `reason must be at most ${MAX_REFUND_REASON_CHARS} characters without control characters`)
  }
  return reason
}
