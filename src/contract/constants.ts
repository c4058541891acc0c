// The app ↔ backend contract's facts, written once (architecture.md, platform.md): statuses, error
// codes with their HTTP status, limits and patterns. Plain constants only, so the mini-program can
// import them without pulling a validator into its bundle; the TypeBox schemas are in schemas.ts.

/** Order statuses (architecture.md §App ↔ merchant backend HTTP contract). */
export const ORDER_STATUSES = ['unpaid', 'paid', 'closed', 'refunded', 'failed'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** The one Chinese label of each order status. */
export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  unpaid: '待支付',
  paid: '已支付',
  closed: '已关闭',
  refunded: '已退款',
  failed: '支付失败',
}

/** Refund statuses: `pending` = sent or outcome unknown (amount reserved); `failed` only on a definite refusal. */
export const REFUND_STATUSES = ['pending', 'processing', 'succeeded', 'abnormal', 'closed', 'failed'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/** Profit-sharing state of an order (platform.md §Shops). */
export const SPLIT_SUMMARY_STATUSES = ['pending', 'split', 'finished', 'failed'] as const
export type SplitSummaryStatus = (typeof SPLIT_SUMMARY_STATUSES)[number]

/**
 * Every error code the backend answers, with its HTTP status: one list, the union derived from it.
 * The app adds its own client-side codes (network, timeout, …) in src/lib/errors.ts.
 */
export const ERROR_STATUS = {
  INVALID_AMOUNT: 400,
  INVALID_DESCRIPTION: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_PAYABLE: 409,
  REFUND_NOT_ALLOWED: 409,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  // The service-provider platform (platform.md).
  SHOP_NOT_FOUND: 404,
  INVALID_APPLICATION: 400,
  INVALID_IMAGE: 400,
  IMAGE_TOO_LARGE: 413,
  APPLICATION_NOT_FOUND: 404,
  APPLICATION_NOT_EDITABLE: 409,
  ORDER_NOT_SPLITTABLE: 409,
  SPLIT_OVER_LIMIT: 400,
  REFUND_NEEDS_RETURN: 409,
} as const
export type ContractErrorCode = keyof typeof ERROR_STATUS
export const CONTRACT_ERROR_CODES = Object.keys(ERROR_STATUS) as ContractErrorCode[]

/** WeChat Pay's description limit, in characters (code points), after trimming. */
export const DESCRIPTION_MAX_CHARS = 127
/** Default largest order (¥50 000); the backend's MAX_ORDER_FEN may lower or raise it. */
export const DEFAULT_MAX_ORDER_FEN = 5_000_000
/** Longest refund reason WeChat Pay accepts. */
export const REFUND_REASON_MAX_CHARS = 80
/** Client idempotency keys (orders, refunds, applications, splits). */
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$'
/** Business order numbers: Beijing time yyyyMMddHHmmss + 8 characters of ORDER_NO_ALPHABET. */
export const ORDER_NO_PATTERN = '^[0-9A-Z]{6,32}$'
export const ORDER_NO_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'
export const ORDER_NO_RANDOM_CHARS = 8

// ------------------------------------------------------------------ onboarding (platform.md)

/** Organization types a shop may apply as: 小微, 个人卖家, 个体工商户, 企业. */
export const ORGANIZATION_TYPES = ['2401', '2500', '4', '2'] as const
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number]
export const ORGANIZATION_TYPE_LABELS: Record<OrganizationType, string> = {
  '2401': '小微商户',
  '2500': '个人卖家',
  '4': '个体工商户',
  '2': '企业',
}

/** WeChat Pay's applyment states in lower case, plus `submitting` (not yet answered) and `failed` (refused outright). */
export const APPLICATION_STATES = [
  'submitting',
  'checking',
  'account_need_verify',
  'auditing',
  'rejected',
  'need_sign',
  'finished',
  'frozen',
  'canceled',
  'failed',
] as const
export type ApplicationState = (typeof APPLICATION_STATES)[number]
export const APPLICATION_STATE_TEXT: Record<ApplicationState, string> = {
  submitting: '提交中',
  checking: '资料校验中',
  account_need_verify: '待账户验证',
  auditing: '审核中',
  rejected: '已驳回',
  need_sign: '待签约',
  finished: '已完成',
  frozen: '已冻结',
  canceled: '已作废',
  failed: '提交失败',
}
/** States WeChat Pay will not move on its own: no more refreshing. */
export const FINAL_APPLICATION_STATES: readonly ApplicationState[] = ['finished', 'canceled', 'failed']

export const BANK_ACCOUNT_TYPES = ['corporate', 'personal'] as const
export type BankAccountType = (typeof BANK_ACCOUNT_TYPES)[number]
export const CONTACT_TYPES = ['legal', 'agent'] as const
export type ContactType = (typeof CONTACT_TYPES)[number]

/** An ID card or licence valid without end date. */
export const LONG_TERM = '长期'
/** Largest onboarding image by default (MEDIA_MAX_BYTES). */
export const DEFAULT_MEDIA_MAX_BYTES = 2_097_152
/** A shop's short name, as WeChat Pay shows it on the payer's receipt. */
export const MERCHANT_SHORTNAME_MAX_CHARS = 21
