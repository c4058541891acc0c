// The app ↔ backend wire shapes as TypeBox schemas: the backend validates and serialises with them,
// the app takes their types only (`import type`), so TypeBox never reaches the mini-program bundle.
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox'
import {
  APPLICATION_STATES,
  BANK_ACCOUNT_TYPES,
  CONTACT_TYPES,
  ORDER_NO_PATTERN,
  ORDER_STATUSES,
  ORGANIZATION_TYPES,
  REFUND_STATUSES,
  REQUEST_ID_PATTERN,
  SPLIT_SUMMARY_STATUSES,
} from './constants'

/** One of a constant list; the cast keeps the literal union as the static type. */
const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Array<TLiteral<T[number]>>>
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() })
export type FieldError = Static<typeof FieldErrorSchema>

/** Every error answer: `{ error: { code, message, details? } }`. */
export const ErrorBodySchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(FieldErrorSchema)) }),
})
export type ErrorBody = Static<typeof ErrorBodySchema>

export const SplitSummarySchema = Type.Object({
  status: literals(SPLIT_SUMMARY_STATUSES),
  commission: Type.Integer(),
  unfrozen: Type.Integer(),
})

/** The `order` object; `amount` and `refundedAmount` are integer fen. */
export const OrderSchema = Type.Object({
  orderNo: Type.String(),
  amount: Type.Integer(),
  currency: Type.Literal('CNY'),
  description: Type.String(),
  status: literals(ORDER_STATUSES),
  createdAt: Type.String(),
  paidAt: Nullable(Type.String()),
  transactionId: Nullable(Type.String()),
  refundedAmount: Type.Integer(),
  shopId: Type.Optional(Type.String()),
  split: Type.Optional(SplitSummarySchema),
})
export type Order = Static<typeof OrderSchema>

/** Exactly the object passed to wx.requestPayment (WeChat's spelling). */
export const PaymentSchema = Type.Object({
  timeStamp: Type.String(),
  nonceStr: Type.String(),
  package: Type.String(),
  signType: Type.Literal('RSA'),
  paySign: Type.String(),
})
export type Payment = Static<typeof PaymentSchema>

/** `POST /api/orders` answer: `payment` is null when the (replayed) order is no longer payable. */
export const OrderWithPaymentSchema = Type.Object({ order: OrderSchema, payment: Nullable(PaymentSchema) })
export type OrderWithPayment = Static<typeof OrderWithPaymentSchema>

/** `POST /api/orders` body; the backend sets `maximum` from MAX_ORDER_FEN. */
export const createOrderBodySchema = (maxOrderFen: number) =>
  Type.Object({
    amount: Type.Integer({ minimum: 1, maximum: maxOrderFen }), // integer fen, never coerced from "100"
    description: Type.String({ maxLength: 1024 }), // trimmed and checked by descriptionProblem
    requestId: Type.String({ pattern: REQUEST_ID_PATTERN }),
    shopId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
  }, { additionalProperties: false }) // unknown fields are stripped (Ajv removeAdditional): a newer app may send more
export type CreateOrderInput = Static<ReturnType<typeof createOrderBodySchema>>

export const SessionSchema = Type.Object({ token: Type.String(), expiresIn: Type.Integer() })
export type Session = Static<typeof SessionSchema>

export const RefundSchema = Type.Object({
  refundNo: Type.String(),
  orderNo: Type.String(),
  amount: Type.Integer(),
  reason: Type.String(),
  status: literals(REFUND_STATUSES),
  createdAt: Type.String(),
  settledAt: Nullable(Type.String()),
})
export type Refund = Static<typeof RefundSchema>

export const OrderNoParamsSchema = Type.Object({ orderNo: Type.String({ pattern: ORDER_NO_PATTERN }) })

// ------------------------------------------------------------------ shops and onboarding (platform.md)

export const ShopSchema = Type.Object({ shopId: Type.String(), name: Type.String(), subAppId: Type.Optional(Type.String()) })
export type Shop = Static<typeof ShopSchema>

const text = (maxLength = 256) => Type.String({ maxLength })

/**
 * `POST /api/applications` body. Loose on purpose: validateApplication (application-rules.ts)
 * checks every field and names every bad one at once (`400 INVALID_APPLICATION` with details).
 */
export const ApplicationRequestSchema = Type.Object({
  requestId: Type.String({ pattern: REQUEST_ID_PATTERN }),
  organizationType: literals(ORGANIZATION_TYPES),
  merchantShortname: text(64),
  businessLicense: Type.Optional(Type.Object({ copyMediaId: text(512), number: text(32), merchantName: text(128), legalPerson: text(64) })),
  idCard: Type.Object({
    portraitMediaId: text(512),
    nationalMediaId: text(512),
    name: text(64),
    number: text(32),
    validFrom: text(16),
    validUntil: text(16),
    /** The legal person's address as on the ID card: required for 企业 (id_card_address). */
    address: Type.Optional(text(128)),
  }),
  bankAccount: Type.Object({
    type: literals(BANK_ACCOUNT_TYPES),
    bank: text(128),
    bankAddressCode: text(16),
    bankBranchId: Type.Optional(text(64)),
    bankName: Type.Optional(text(128)),
    accountName: text(128),
    accountNumber: text(64),
  }),
  contact: Type.Object({
    type: literals(CONTACT_TYPES),
    name: text(64),
    mobile: text(16),
    email: Type.Optional(text(128)),
    idNumber: Type.Optional(text(32)),
    authorizationLetterMediaId: Type.Optional(text(512)),
  }),
  store: Type.Object({
    name: text(128),
    url: Type.Optional(text(1024)),
    qrCodeMediaId: Type.Optional(text(512)),
    miniProgramSubAppid: Type.Optional(text(32)),
  }),
  businessAdditionDesc: Type.Optional(text(512)),
})
export type ApplicationRequest = Static<typeof ApplicationRequestSchema>

/** What WeChat Pay asks the applicant to remit to verify the settlement account (camelCase of account_validation). */
export const AccountValidationSchema = Type.Object({
  payAmount: Type.Integer(),
  destinationAccountNumber: Type.String(),
  destinationAccountName: Type.String(),
  destinationAccountBank: Type.String(),
  city: Type.Optional(Type.String()),
  remark: Type.Optional(Type.String()),
  deadline: Type.Optional(Type.String()),
})

export const ApplicationSchema = Type.Object({
  applicationNo: Type.String(),
  organizationType: literals(ORGANIZATION_TYPES),
  merchantShortname: Type.String(),
  state: literals(APPLICATION_STATES),
  stateText: Type.String(),
  signUrl: Type.Optional(Type.String()),
  legalValidationUrl: Type.Optional(Type.String()),
  accountValidation: Type.Optional(AccountValidationSchema),
  rejections: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
  shopId: Type.Optional(Type.String()),
  subMchid: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  masked: Type.Object({ idCardName: Type.String(), idCardNumber: Type.String(), accountNumber: Type.String(), mobile: Type.String() }),
})
export type Application = Static<typeof ApplicationSchema>
