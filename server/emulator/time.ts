import { rfc3339 } from '../wechatpay'

/** yyyyMMddHHmmss in China Standard Time, as WeChat Pay ids embed it. */
export function compactTime(ms: number): string {
  return rfc3339(ms).slice(0, 19).replace(/[-T:]/g, '')
}
