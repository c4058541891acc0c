// Form rules of the checkout page, mirroring the backend's (architecture.md: amount rules, description).
import { DESCRIPTION_MAX_CHARS } from '@/contract/constants'
import { countChars, descriptionProblem, type DescriptionProblem } from '@/contract/rules'
import { MAX_ORDER_FEN, formatYuan, parseYuan, type YuanParseError } from './money'

export { DESCRIPTION_MAX_CHARS, countChars }

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

const DESCRIPTION_MESSAGES: Record<DescriptionProblem, string> = {
  EMPTY: '请输入商品描述',
  CONTROL_CHARS: '商品描述不能包含换行或控制字符',
  TOO_LONG: `商品描述最多 ${DESCRIPTION_MAX_CHARS} 个字`,
  UNSUPPORTED_CHARS: '商品描述不能包含表情符号等特殊字符',
}

/** Validates the description with the backend's rule (src/contract/rules.ts): 1–127 characters after trimming, no control characters, no emoji. */
export function validateDescription(text: string): FieldResult<string> {
  const problem = descriptionProblem(text)
  return problem ? { ok: false, message: DESCRIPTION_MESSAGES[problem] } : { ok: true, value: text.trim() }
}
