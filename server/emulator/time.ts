/** WeChat Pay's time format: RFC 3339 in China Standard Time, e.g. 2015-05-20T13:29:35+08:00 (wechatpay-v3.md §0). */
export function rfc3339(ms: number): string {
  const d = new Date(ms + 8 * 3600 * 1000)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`
}

/** yyyyMMddHHmmss in China Standard Time, as WeChat Pay ids embed it. */
export function compactTime(ms: number): string {
  return rfc3339(ms).slice(0, 19).replace(/[-T:]/g, '')
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** Parses an RFC 3339 time strictly; NaN when it is not one. */
export function parseRfc3339(text: string): number {
  return RFC3339.test(text) ? Date.parse(text) : NaN
}
