import { Type } from '@sinclair/typebox'
import { ORDER_STATUSES } from './storage/types'

/** Wire schemas of the app ↔ backend contract (architecture.md); each is validator and type. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
})

export const OrderSchema = Type.Object({
  orderNo: Type.String(),
  amount: Type.Integer(),
  currency: Type.Literal('CNY'),
  description: Type.String(),
  status: Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s))),
  createdAt: Type.String(),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  transactionId: Type.Union([Type.String(), Type.Null()]),
  refundedAmount: Type.Integer(),
})

export const PaymentSchema = Type.Object({
  timeStamp: Type.String(),
  nonceStr: Type.String(),
  package: Type.String(),
  signType: Type.Literal('RSA'),
  paySign: Type.String(),
})

export const RefundSchema = Type.Object({
  refundNo: Type.String(),
  orderNo: Type.String(),
  amount: Type.Integer(),
  reason: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('processing'), Type.Literal('succeeded'), Type.Literal('failed')]),
  createdAt: Type.String(),
})

export const OrderNoParams = Type.Object({ orderNo: Type.String({ pattern: '^[0-9A-Z]{6,32}$' }) })

/** Idempotency keys from clients: letters, digits, _ and -, 8–64 characters. */
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$'
