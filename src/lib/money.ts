// Money as integer fen. The text field is the only place yuan text exists; parsing is pure string
// work (no floating point), so "0.1" + "0.2" style rounding errors cannot reach an order.

import { DEFAULT_MAX_ORDER_FEN } from '@/contract/constants'

/** Largest order the app lets a user enter, in fen (¥50 000, the backend's default MAX_ORDER_FEN). */
export const MAX_ORDER_FEN = DEFAULT_MAX_ORDER_FEN

/**
 * Accepted yuan text after trimming ASCII/ideographic spaces: an integer part without leading zeros
 * ("0" allowed) and optionally "." followed by one or two digits. Deliberately rejected: "12." and
 * ".5" (ambiguous half-typed input: the user is told the format instead of guessing), exponents,
 * signs, thousands separators and full-width digits.
 */
const YUAN_PATTERN = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/

/** Longest integer part worth converting; anything longer is far above any allowed amount. */
const MAX_INTEGER_DIGITS = 12

export type YuanParseError = 'EMPTY' | 'FORMAT' | 'TOO_MANY_DECIMALS' | 'NOT_POSITIVE' | 'TOO_LARGE'

export type YuanParseResult = { ok: true; fen: number } | { ok: false; reason: YuanParseError }

/** Parses yuan text ("12.30") into integer fen (1230) with string arithmetic only. */
export function parseYuan(text: string, maxFen: number = MAX_ORDER_FEN): YuanParseResult {
  const trimmed = text.replace(/^[\s\u3000]+|[\s\u3000]+$/g, '')
  if (trimmed === '') return { ok: false, reason: 'EMPTY' }
  if (/^-/.test(trimmed)) return { ok: false, reason: 'NOT_POSITIVE' }
  if (/^(0|[1-9][0-9]*)\.[0-9]{3,}$/.test(trimmed)) return { ok: false, reason: 'TOO_MANY_DECIMALS' }
  const match = YUAN_PATTERN.exec(trimmed)
  if (!match) return { ok: false, reason: 'FORMAT' }
  const [, integerPart, decimals = ''] = match
  if (integerPart.length > MAX_INTEGER_DIGITS) return { ok: false, reason: 'TOO_LARGE' }
  const fen = Number(integerPart) * 100 + Number(decimals.padEnd(2, '0'))
  if (fen <= 0) return { ok: false, reason: 'NOT_POSITIVE' }
  if (fen > maxFen) return { ok: false, reason: 'TOO_LARGE' }
  return { ok: true, fen }
}

/** Formats integer fen as yuan text with two decimals: 1230 → "12.30", 5000000 → "50,000.00". */
export function formatFen(fen: number, { grouping = true }: { grouping?: boolean } = {}): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`)
  const sign = fen < 0 ? '-' : ''
  const digits = String(Math.abs(fen)).padStart(3, '0')
  const integerPart = digits.slice(0, -2)
  const grouped = grouping ? integerPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : integerPart
  return `${sign}${grouped}.${digits.slice(-2)}`
}

/** Formats integer fen for display with the yuan sign: 1230 → "¥12.30". */
export const formatYuan = (fen: number): string => `¥${formatFen(fen)}`
