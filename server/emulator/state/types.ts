/** The emulator's whole state: plain JSON, so it can be written to the state file as is. */
import type { RefundStatus, TradeState as WireTradeState } from '../../wechatpay'

export type { RefundStatus } from '../../wechatpay'
import type { ComponentRecord, ComponentTokenRecord, SplitLedger, SplitRecord, SplitReturnRecord } from './platform-types'

export type PlatformMode = 'publicKey' | 'certificate'

/** One WeChat Pay signing key: a public key (PUB_KEY_ID_…) or a platform certificate. */
export interface PlatformKeyRecord {
  mode: PlatformMode
  /** PUB_KEY_ID_… or the certificate serial (upper-case hex). */
  serialNo: string
  privateKeyPem: string
  publicKeyPem: string
  certificatePem?: string
  /** ISO times of the certificate validity (certificate mode). */
  effectiveTime?: string
  expireTime?: string
}

export interface SubMerchantRecord {
  appIds: string[]
  /** The share (basis points) this sub-merchant lets the provider split (ordinary max_ratio; absent = 3000). */
  maxRatioBps?: number
}

export interface MerchantRecord {
  mchid: string
  /** Serial of the merchant API certificate registered with WeChat Pay. */
  serialNo: string
  publicKeyPem: string
  apiV3Key: string
  appIds: string[]
  /** Service-provider mode: the sub-merchants that authorised this provider, with their own appids. */
  subMchids: Record<string, SubMerchantRecord>
  /** Overrides the emulator's platform key after a completed switch. */
  platform?: PlatformKeyRecord
  /** During a platform-key switch: the new key, used when a request announces its serial. */
  pendingPlatform?: PlatformKeyRecord
  /** The last Wechatpay-Serial this merchant sent: the key its notifications are signed with. */
  announcedSerial?: string
}

export interface AppRecord {
  appId: string
  secret: string
}

export interface LoginCodeRecord {
  appId: string
  openid: string
  issuedAt: number
  used: boolean
}

/** The trade states a JSAPI order can be in (the others are micropay only). */
export type TradeState = Extract<WireTradeState, 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND'>

export interface OrderRecord {
  /** `${mchid}:${out_trade_no}` (mchid = sp_mchid in partner mode). */
  key: string
  kind: 'direct' | 'partner'
  mchid: string
  appid: string
  subMchid?: string
  subAppid?: string
  outTradeNo: string
  description: string
  attach?: string
  notifyUrl: string
  totalFen: number
  currency: string
  payer: { openid?: string; sp_openid?: string; sub_openid?: string }
  /** The appid the WeChat client must run as to pay (appid, sp_appid or sub_appid). */
  payAppId: string
  payOpenid: string
  deviceId?: string
  /** Canonical JSON of the order request: a re-order must match it exactly. */
  fingerprint: string
  createdAt: number
  expiresAt: number
  prepayId: string
  prepayCreatedAt: number
  state: TradeState
  transactionId?: string
  successAt?: number
  closedAt?: number
  refundedFen: number
  /** A coupon the payer used (/__emulator/pay couponFen): the payer paid totalFen − couponFen. */
  couponFen?: number
  /** Placed with settle_info.profit_sharing = true: the money stays frozen for splits. */
  profitSharing?: boolean
}

export interface RefundRecord {
  /** `${mchid}:${out_refund_no}`. */
  key: string
  mchid: string
  subMchid?: string
  orderKey: string
  outRefundNo: string
  refundId: string
  reason?: string
  notifyUrl?: string
  refundFen: number
  totalFen: number
  currency: string
  fingerprint: string
  createdAt: number
  settleAt: number
  status: RefundStatus
  successAt?: number
  /** How it ends when it settles (SUCCESS when absent): armed by the `refund` fault or the settle control call. */
  outcome?: Exclude<RefundStatus, 'PROCESSING'>
  /** Stays PROCESSING until POST /__emulator/refunds/:outRefundNo/settle (the `refund.processing` fault). */
  held?: boolean
}

/** A notification WeChat Pay owes a merchant, with its retry position. */
export interface NotificationJob {
  id: string
  mchid: string
  url: string
  eventType: string
  summary: string
  originalType: string
  plaintext: string
  outTradeNo: string
  outRefundNo?: string
  createdAt: number
  /** Attempts already made (the probe not counted). */
  attempts: number
  /** Emulated ms of the next attempt. */
  nextAt: number
  done: boolean
  /** Send a WECHATPAY/SIGNTEST/ probe before the first real attempt. */
  probe?: boolean
  /** Send the notification once more after it succeeded (a duplicate, as WeChat Pay does). */
  duplicate?: boolean
  /** The envelope body, fixed at the first attempt; every attempt re-signs it with a fresh timestamp. */
  body?: string
}

export interface DeliveryRecord {
  id: string
  notificationId: string
  eventType: string
  outTradeNo: string
  outRefundNo?: string
  url: string
  /** 1-based attempt number of this notification; the probe and duplicates carry the attempt they precede or follow. */
  attempt: number
  /** `redelivery`: sent again by hand (dashboard, `npm run trigger -- notify.redeliver`). */
  kind: 'attempt' | 'probe' | 'duplicate' | 'dropped' | 'redelivery'
  at: string
  /** HTTP status answered, 0 for no answer (timeout, connection error, dropped). */
  status: number
  delivered: boolean
  error?: string
  durationMs: number
  request: { headers: Record<string, string>; body: string }
  response?: { body: string }
}

export type ApplymentState = 'CHECKING' | 'ACCOUNT_NEED_VERIFY' | 'AUDITING' | 'REJECTED' | 'NEED_SIGN' | 'FINISH' | 'FROZEN' | 'CANCELED'

/** An e-commerce sub-merchant application (二级商户进件), see state/applyments.ts. */
export interface ApplymentRecord {
  /** WeChat Pay's applyment_id (a 16-digit number, below 2^53). */
  applymentId: number
  /** The provider (platform) that submitted it. */
  mchid: string
  outRequestNo: string
  organizationType: string
  state: ApplymentState
  /** Emulated ms when the current state began (automatic progress counts from here). */
  stateSince: number
  createdAt: number
  updatedAt: number
  /** The body as received (ciphertexts included). */
  request: Record<string, unknown>
  /** JSON pointer of each encrypted field → its plaintext. */
  decrypted: Record<string, string>
  subMchid?: string
  auditDetail: Array<{ param_name: string; reject_reason: string }>
  /** Fixed while ACCOUNT_NEED_VERIFY: the amount (fen) the applicant must remit. */
  payAmount?: number
}

export interface EmulatorData {
  version: 1
  platform: PlatformKeyRecord | null
  /** The certificate-mode issuer (Tenpay.com Root CA stand-in). */
  caPrivateKeyPem?: string
  clockOffsetMs: number
  merchants: Record<string, MerchantRecord>
  apps: Record<string, AppRecord>
  /** appId → openid → session_key. */
  users: Record<string, Record<string, string>>
  codes: Record<string, LoginCodeRecord>
  orders: Record<string, OrderRecord>
  /** prepay_id → order key. */
  prepay: Record<string, string>
  /** transaction_id → order key. */
  transactions: Record<string, string>
  refunds: Record<string, RefundRecord>
  notifications: Record<string, NotificationJob>
  deliveries: DeliveryRecord[]
  media: Record<string, { mchid: string; filename: string; sha256: string; bytes: number }>
  /** `${mchid}:${out_request_no}` → applyment. */
  applyments: Record<string, ApplymentRecord>
  /** Open-platform components by component_appid, and their access tokens. */
  components: Record<string, ComponentRecord>
  componentTokens: Record<string, ComponentTokenRecord>
  /** Profit sharing: split requests and returns by `${mchid}:${out_*_no}`, ledgers by order key, receiver relations. */
  splits: Record<string, SplitRecord>
  splitReturns: Record<string, SplitReturnRecord>
  splitLedgers: Record<string, SplitLedger>
  splitReceivers: Record<string, { addedAt: number; name?: string; relationType?: string }>
}

export const emptyData = (): EmulatorData => ({
  version: 1,
  platform: null,
  clockOffsetMs: 0,
  merchants: {},
  apps: {},
  users: {},
  codes: {},
  orders: {},
  prepay: {},
  transactions: {},
  refunds: {},
  notifications: {},
  deliveries: [],
  media: {},
  applyments: {},
  components: {},
  componentTokens: {},
  splits: {},
  splitReturns: {},
  splitLedgers: {},
  splitReceivers: {},
})
