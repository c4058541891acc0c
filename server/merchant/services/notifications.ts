import type { HeaderSource } from '../../wechatpay'
import type { Limiter, Storage } from '../storage'
import type { Logger, LogLine, OrderService } from './orders'
import type { PaymentGateway } from './wechatpay-gateway'

export interface NotifyAnswer {
  status: 204 | 400 | 401 | 500
  body?: { code: 'FAIL'; message: string }
}

/** Rejected notifications written to the log per source address per minute. */
export const REJECTIONS_LOGGED_PER_SOURCE_PER_MIN = 30

/** Rejection reasons that are the sender's fault (forged, stale, unknown key) rather than a bad body. */
const UNAUTHENTIC = new Set(['MISSING_HEADERS', 'STALE_TIMESTAMP', 'UNKNOWN_SERIAL', 'BAD_SIGNATURE'])

/**
 * Handles one notification from its raw bytes (wechatpay-v3.md §8): verify → decrypt → check
 * against the stored order → apply once → answer. Every outcome is written to the notification log:
 * an applied or checked one in the same transaction as the decision (one durable commit for both),
 * a rejected or ignored one on its own.
 */
export function createNotificationHandler(deps: {
  storage: Storage
  gateway: PaymentGateway
  orders: OrderService
  logger: Logger
  clock: () => number
  /** Rejected notifications logged per source and window (issue 11): a flood of forgeries cannot grow the database. */
  rejectionLogLimit?: Limiter
}) {
  const { storage, gateway, orders, logger, clock } = deps
  const rejectionLogLimit = deps.rejectionLogLimit ?? storage.limiter('rejections', REJECTIONS_LOGGED_PER_SOURCE_PER_MIN, 60_000, clock)
  const line = (eventId: string | null, eventType: string | null, outTradeNo: string | null): LogLine => ({ outcome, detail }) =>
    ({ receivedAt: clock(), eventId, eventType, outTradeNo, outcome, detail })

  return async function handle(headers: HeaderSource, raw: Buffer, source = 'unknown'): Promise<NotifyAnswer> {
    const parsed = await gateway.parseNotification(headers, raw)
    if (!parsed.ok) {
      const detail = `${parsed.reason}${parsed.detail ? `: ${parsed.detail}` : ''}${parsed.serial ? ` (serial ${parsed.serial})` : ''}`
      // Genuine notifications always verify, so only forgeries are limited: past the limit they are still refused, just not written down.
      if (await rejectionLogLimit.take(source)) {
        logger.warn({ reason: parsed.reason, serial: parsed.serial, source }, 'notification rejected')
        await storage.notifications.append(line(null, null, null)({ outcome: 'rejected', detail }))
      }
      return UNAUTHENTIC.has(parsed.reason)
        ? { status: 401, body: { code: 'FAIL', message: `signature check failed: ${parsed.reason}` } }
        : { status: 400, body: { code: 'FAIL', message: `malformed notification: ${parsed.reason}` } }
    }
    const event = parsed.event
    if (event.kind === 'transaction') {
      await orders.applyTransaction(event.transaction, 'notification', line(event.id, event.eventType, event.transaction.out_trade_no))
      return { status: 204 }
    }
    if (event.kind === 'refund') {
      await orders.applyRefundNotice(event.refund, line(event.id, event.eventType, event.refund.out_trade_no)) // checked, applied and logged there
      return { status: 204 }
    }
    await storage.notifications.append(line(event.id, event.eventType, null)({ outcome: 'ignored', detail: 'event type not handled' }))
    return { status: 204 }
  }
}
