// Form rules of the checkout page, mirroring the backend's (architecture.md: amount rules, description).
import { MAX_ORDER_FEN, formatYuan, parseYuan, type YuanParseError } from './money'

/** WeChat Pay's description limit, also the backend's. */
export const DESCRIPTION_MAX_CHARS = 127

const AMOUNT_MESSAGES: Record<YuanParseError, string> = {
  EMPTY: '请输入金额',
  FORMAT: '请输入正确的金额，例如 12.30',
  TOO_MANY_DECIMALS: '金额最多保留两位小数',
  NOT_POSITIVE: '金额必须大于 0',
  TOO_LARGE: `单笔金额不能超过 ${formatYuan(MAX_ORDER_FEN)}`,
}

export type FieldResult<T> = { ok: true; value: T } | { ok: false; message: string }

/** Validates the amount text; on success gives integer fen. */
export function validateAmount(text: string, maxFen: number = MAX_ORDER_FEN): FieldResult<number> {
  const parsed = parseYuan(text, maxFen)
  if (parsed.ok) return { ok: true, value: parsed.fen }
  const message = parsed.reason === 'TOO_LARGE' ? `单笔金额不能超过 ${formatYuan(maxFen)}` : AMOUNT_MESSAGES[parsed.reason]
  return { ok: false, message }
}

/** Characters as the user (and Ajv's maxLength) counts them: code points, not UTF-16 units. */
export const countChars = (text: string): number => Array.from(text).length

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/

/** Validates the description: 1–127 characters after trimming, no control characters. */
export function validateDescription(text: string): FieldResult<string> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, message: '请输入商品描述' }
  if (CONTROL_CHARS.test(trimmed)) return { ok: false, message: '商品描述不能包含换行或控制字符' }
  if (countChars(trimmed) > DESCRIPTION_MAX_CHARS) return { ok: false, message: `商品描述最多 ${DESCRIPTION_MAX_CHARS} 个字` }
  return { ok: true, value: trimmed }
}
