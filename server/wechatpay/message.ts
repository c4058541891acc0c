/**
 * The exact strings WeChat Pay signs. Every line ends with "\n", including the last
 * (wechatpay-v3.md §1.1, §2.1, §6).
 */

export interface SignableRequest {
  method: string
  /** Path plus "?query" exactly as sent (already percent-encoded), no scheme or host. */
  pathWithQuery: string
  timestamp: string
  nonce: string
  /** Exact body sent; '' for GET/DELETE; the meta JSON for media upload. */
  body: string
}

/** Request message: METHOD, URL, TIMESTAMP, NONCE, BODY (wechatpay-v3.md §1.1). */
export const requestMessage = (r: SignableRequest): string =>
  `${r.method}\n${r.pathWithQuery}\n${r.timestamp}\n${r.nonce}\n${r.body}\n`

/** Response / notification message: TIMESTAMP, NONCE, BODY (wechatpay-v3.md §2.1). */
export const responseMessage = (timestamp: string, nonce: string, body: string): string =>
  `${timestamp}\n${nonce}\n${body}\n`

/** Same as responseMessage over raw bytes, so a body is never decoded and re-encoded. */
export const responseMessageBytes = (timestamp: string, nonce: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')])

/** Mini-program paySign message: appId, timeStamp, nonceStr, package (wechatpay-v3.md §6). */
export const paySignMessage = (appId: string, timeStamp: string, nonceStr: string, pkg: string): string =>
  `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`
