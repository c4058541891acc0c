/**
 * Protocol rules both WeChat Pay's side (the emulator) and the merchant's side must agree on:
 * identifier patterns, the notify_url rule, prepay validity and the time format (wechatpay-v3.md §0, §4, §7.3).
 */

/** out_trade_no: 6–32 characters of [0-9A-Za-z_-|*] (wechatpay-v3.md §4). */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/
/** out_refund_no: 1–64 characters of [0-9A-Za-z_-|*@] (wechatpay-v3.md §7.3). */
export const OUT_REFUND_NO_PATTERN = /^[0-9A-Za-z_\-|*@]{1,64}$/

/** A prepay_id can be paid for 2 hours and cannot be extended (wechatpay-v3.md §4). */
export const PREPAY_VALIDITY_MS = 2 * 3600 * 1000

/** notify_url of an order is at most 255 characters (a refund's 256). */
export const NOTIFY_URL_MAX_LENGTH = 255

/** Hosts where a plain-http notify_url is accepted (local development against the emulator). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** Why a notify_url is refused; null when it is fine. */
export type NotifyUrlProblem = 'NOT_ABSOLUTE' | 'TOO_LONG' | 'NOT_HTTPS' | 'HAS_QUERY' | 'HAS_FRAGMENT'

/** What each NotifyUrlProblem means, as an issue text ("notify_url <text>"). */
export const NOTIFY_URL_PROBLEMS: Record<NotifyUrlProblem, string> = {
  NOT_ABSOLUTE: 'must be an absolute URL',
  TOO_LONG: `must be at most ${NOTIFY_URL_MAX_LENGTH} characters`,
  NOT_HTTPS: 'must be an https URL (plain http only on a loopback host)',
  HAS_QUERY: 'must not carry a query string',
  HAS_FRAGMENT: 'must not carry a fragment',
}

/** The notify_url rule: absolute https URL without query string or fragment; plain http only on a loopback host. */
export function notifyUrlProblem(url: string, maxLength = NOTIFY_URL_MAX_LENGTH): NotifyUrlProblem | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'NOT_ABSOLUTE'
  }
  if (url.length > maxLength) return 'TOO_LONG'
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname))) return 'NOT_HTTPS'
  if (url.includes('?')) return 'HAS_QUERY'
  if (url.includes('#')) return 'HAS_FRAGMENT'
  return null
}

/** China Standard Time, the zone every WeChat Pay time is written in. */
const CST_OFFSET_MS = 8 * 3600 * 1000

/** WeChat Pay's time format: RFC 3339 in China Standard Time, whole seconds, e.g. 2015-05-20T13:29:35+08:00. */
export function rfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000 + CST_OFFSET_MS).toISOString().slice(0, 19)}+08:00`
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Parses an RFC 3339 time strictly (any offset); NaN when it is not one. */
export function parseRfc3339(text: string): number {
  return RFC3339.test(text) ? Date.parse(text) : NaN
}
