// Pure rules both sides apply to the same input, so the app refuses up front what the backend would.
import { DESCRIPTION_MAX_CHARS, ORDER_NO_ALPHABET, ORDER_NO_RANDOM_CHARS } from './constants'

export type DescriptionProblem = 'EMPTY' | 'TOO_LONG' | 'CONTROL_CHARS' | 'UNSUPPORTED_CHARS'

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/

/** Characters as users (and Ajv's maxLength) count them: code points, not UTF-16 units. */
export const countChars = (text: string): number => Array.from(text).length

/**
 * Why a description cannot be sent, or null (architecture.md: 1–127 characters after trimming,
 * no control characters, only 1–3-byte UTF-8 — WeChat Pay refuses emoji and other 4-byte characters).
 */
export function descriptionProblem(text: string): DescriptionProblem | null {
  const trimmed = text.trim()
  if (trimmed === '') return 'EMPTY'
  if (CONTROL_CHARS.test(trimmed)) return 'CONTROL_CHARS'
  if (countChars(trimmed) > DESCRIPTION_MAX_CHARS) return 'TOO_LONG'
  // A code point above U+FFFF is 4 bytes in UTF-8; a lone surrogate cannot be encoded at all.
  for (const ch of trimmed) {
    const cp = ch.codePointAt(0) as number
    if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) return 'UNSUPPORTED_CHARS'
  }
  return null
}

/** Beijing wall-clock digits yyyyMMddHHmmss of a timestamp. */
export const beijingDigits = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/\D/g, '')

/** A business order number: Beijing time + 8 random characters (22 in all); `pick(n)` is a uniform integer below n. */
export function formatOrderNo(nowMs: number, pick: (max: number) => number): string {
  let tail = ''
  for (let i = 0; i < ORDER_NO_RANDOM_CHARS; i++) tail += ORDER_NO_ALPHABET[pick(ORDER_NO_ALPHABET.length)]
  return `${beijingDigits(nowMs)}${tail}`
}
