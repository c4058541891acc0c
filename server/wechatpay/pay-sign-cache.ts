import type { RequestPaymentParams } from './pay-sign'

/** A prepared paySign is handed out only this soon after it was signed (its timeStamp stays current). */
export const PREPARED_PAY_SIGN_MAX_AGE_MS = 5_000
/** Prepared paySigns nobody asked for are dropped beyond this many. */
const MAX_ENTRIES = 1_000

/**
 * wx.requestPayment parameters signed on the thread pool right after an order call returned its
 * prepay_id, handed out once to the synchronous `requestPayment` that follows, so the event loop
 * does not spend an RSA signature on them. A miss (another appid, too old, already taken) signs anew.
 */
export class PreparedPaySigns {
  private readonly entries = new Map<string, { params: RequestPaymentParams; at: number }>()

  constructor(private readonly clock: () => number) {}

  /** Keeps the parameters for one `take(appId, prepayId)`. */
  put(appId: string, prepayId: string, params: RequestPaymentParams): void {
    const now = this.clock()
    // Oldest first: drop the stale and, past the cap, the oldest.
    for (const [key, e] of this.entries) {
      if (now - e.at <= PREPARED_PAY_SIGN_MAX_AGE_MS && this.entries.size < MAX_ENTRIES) break
      this.entries.delete(key)
    }
    this.entries.set(`${appId}\n${prepayId}`, { params, at: now })
  }

  /** The prepared parameters for this appid and prepay_id, once, while fresh; else undefined. */
  take(appId: string, prepayId: string): RequestPaymentParams | undefined {
    const key = `${appId}\n${prepayId}`
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key)
    const age = this.clock() - e.at
    return age >= 0 && age <= PREPARED_PAY_SIGN_MAX_AGE_MS ? e.params : undefined
  }
}
