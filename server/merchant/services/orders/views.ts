import type { OrderRecord, RefundRecord, RefundStatus } from '../../storage'

/** The `order` object of the contract (architecture.md). */
export interface OrderView {
  orderNo: string
  amount: number
  currency: 'CNY'
  description: string
  status: OrderRecord['status']
  createdAt: string
  paidAt: string | null
  transactionId: string | null
  refundedAmount: number
}

export interface RefundView {
  refundNo: string
  orderNo: string
  amount: number
  reason: string
  status: RefundStatus
  createdAt: string
}

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
})

/** The contract's view of a refund record. */
export const toRefundView = (r: RefundRecord): RefundView => ({
  refundNo: r.outRefundNo,
  orderNo: r.orderNo,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  createdAt: iso(r.createdAt),
})
