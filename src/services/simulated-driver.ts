// Payment driver for development without WeChat: shows the simulated pay sheet and lets the in-app
// mock backend play the WeChat client. Never part of a production build.
import type { PaySheetStore, SheetAnswer } from './pay-sheet-store'
import type { Payment, PaymentDriver, PayOutcome } from './types'

export interface SimulatedDriverOptions {
  sheet: PaySheetStore
  /** What happens to the money; the mock backend's completePayment, or a plain echo without one. */
  complete?: (payment: Payment, answer: SheetAnswer) => PayOutcome
}

const echo = (_payment: Payment, answer: SheetAnswer): PayOutcome =>
  answer === 'success' ? 'ok' : answer === 'cancel' ? 'cancel' : { fail: '模拟的支付失败' }

/** Creates the simulated driver: sheet answer → (mock backend marks paid) → outcome. */
export function createSimulatedPaymentDriver({ sheet, complete = echo }: SimulatedDriverOptions): PaymentDriver {
  return async (payment) => complete(payment, await sheet.getState().open(payment))
}
