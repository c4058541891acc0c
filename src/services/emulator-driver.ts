// Payment driver for the local stack: shows the simulated pay sheet, then does what the WeChat
// client would do against the emulator's POST /__emulator/pay (architecture.md §Emulator contract),
// so paySign, prepay_id and appId are checked for real and the emulator notifies the backend.
import type { PaySheetStore } from './pay-sheet-store'
import { outcomeFromErrMsg } from './pay-outcome'
import type { HttpRequest, PaymentDriver } from './types'

export interface EmulatorDriverOptions {
  sheet: PaySheetStore
  request: HttpRequest
  /** Emulator root, e.g. http://127.0.0.1:3100. */
  emulatorUrl: string
  appId: string
  timeoutMs?: number
}

/** Creates the emulator driver; never rejects (an unreachable emulator is a `fail`). */
export function createEmulatorPaymentDriver({ sheet, request, emulatorUrl, appId, timeoutMs = 10_000 }: EmulatorDriverOptions): PaymentDriver {
  const url = `${emulatorUrl.replace(/\/+$/, '')}/__emulator/pay`
  return async (payment) => {
    const outcome = await sheet.getState().open(payment)
    try {
      const res = await request({
        url,
        method: 'POST',
        data: { ...payment, appId, outcome },
        header: { 'Content-Type': 'application/json' },
        timeout: timeoutMs,
      })
      const errMsg = (res.data as { errMsg?: unknown } | null)?.errMsg
      if (res.statusCode !== 200 || typeof errMsg !== 'string') return { fail: `支付模拟器返回异常（HTTP ${res.statusCode}）` }
      return outcomeFromErrMsg(errMsg)
    } catch (e) {
      const why = String((e as { errMsg?: unknown })?.errMsg ?? (e as Error)?.message ?? e)
      return { fail: `无法连接支付模拟器（${why}）` }
    }
  }
}
