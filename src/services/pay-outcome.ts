// The WeChat client's errMsg → PayOutcome. Only `requestPayment:ok` means the client says paid.
import type { PayOutcome } from './types'

const FAIL_PREFIX = /^requestPayment:fail[: ]?\s*/

/** Maps a requestPayment errMsg: ok → 'ok', "fail cancel" → 'cancel', anything else → { fail }. */
export function outcomeFromErrMsg(errMsg: unknown): PayOutcome {
  if (errMsg === 'requestPayment:ok') return 'ok'
  const text = typeof errMsg === 'string' ? errMsg.trim() : ''
  if (FAIL_PREFIX.test(text)) {
    const reason = text.replace(FAIL_PREFIX, '').trim()
    if (reason === 'cancel') return 'cancel'
    if (reason) return { fail: reason }
  }
  // Anything else (e.g. Taro H5's fake "暂时不支持 API" success) is not a payment.
  return { fail: `未知的支付结果${text ? `（${text}）` : ''}` }
}
