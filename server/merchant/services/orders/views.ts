import type { Order, Refund } from '../../../../src/contract/schemas'
import type { OrderRecord, RefundRecord, RefundStatus } from '../../storage'

/** The contract's `order` and `refund` objects (src/contract/schemas.ts). */
export type OrderView = Order
export type RefundView = Refund

/** Refund statuses after which nothing changes on its own (`settledAt` is then set). */
const FINAL_REFUND_STATUSES: ReadonlySet<RefundStatus> = new Set(['succeeded', 'closed', 'failed'])

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

/** The contract's view of an order record. */
export const toOrderView = (o: OrderRecord): OrderView => ({
  orderNo: o.orderNo,
  amount: o.amount,
  currency: 'CNY',
  description: o.description,
  status: o.status,
  createdAt: iso(o.createdAt),
  paidAt: isoOrNull(o.paidAt),
  transactionId: o.transactionId,
  refundedAmount: o.refundedAmount,
  ...(o.shopId ? { shopId: o.shopId } : {}),
  ...(o.profitSharing ? { split: { status: o.splitStatus ?? 'pending', commission: o.splitCommission ?? 0, unfrozen: o.splitUnfrozen ?? 0 } } : {}),
})

/** The contract's view of a refund record. */
export const toRefundView = (r: RefundRecord): RefundView => ({
  refundNo: r.outRefundNo,
  orderNo: r.orderNo,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  createdAt: iso(r.createdAt),
  settledAt: FINAL_REFUND_STATUSES.has(r.status) ? iso(r.updatedAt) : null,
})
