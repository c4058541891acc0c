/**
 * Wire types of the WeChat Pay v3 endpoints this project uses (wechatpay-v3.md §4–§8).
 * Field names are WeChat Pay's own spellings; amounts are integer fen.
 */

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR'
export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL'

export interface GoodsDetail {
  merchant_goods_id: string
  wechatpay_goods_id?: string
  goods_name?: string
  quantity: number
  unit_price: number
}

export interface OrderDetail {
  cost_price?: number
  invoice_id?: string
  goods_detail?: GoodsDetail[]
}

export interface SceneInfo {
  payer_client_ip: string
  device_id?: string
  store_info?: { id: string; name?: string; area_code?: string; address?: string }
}

interface OrderCommon {
  description: string
  out_trade_no: string
  time_expire?: string
  attach?: string
  notify_url: string
  goods_tag?: string
  support_fapiao?: boolean
  amount: { total: number; currency?: 'CNY' }
  detail?: OrderDetail
  scene_info?: SceneInfo
  settle_info?: { profit_sharing?: boolean }
}

/** POST /v3/pay/transactions/jsapi (direct merchant). */
export interface JsapiOrderRequest extends OrderCommon {
  appid: string
  mchid: string
  payer: { openid: string }
}

/** POST /v3/pay/partner/transactions/jsapi (service provider / e-commerce platform). */
export interface PartnerJsapiOrderRequest extends OrderCommon {
  sp_appid: string
  sp_mchid: string
  sub_appid?: string
  sub_mchid: string
  payer: { sp_openid?: string; sub_openid?: string }
}

export interface PrepayResponse {
  prepay_id: string
}

export interface TransactionAmount {
  total: number
  payer_total?: number
  currency?: string
  payer_currency?: string
}

/** A coupon or discount applied to a payment (wechatpay-v3.md §7.1). */
export interface PromotionDetail {
  coupon_id: string
  name?: string
  scope?: 'GLOBAL' | 'SINGLE'
  type?: 'CASH' | 'NOCASH'
  amount: number
  stock_id?: string
  wechatpay_contribute?: number
  merchant_contribute?: number
  other_contribute?: number
  currency?: string
  goods_detail?: unknown[]
}

interface TransactionCommon {
  out_trade_no: string
  transaction_id?: string
  trade_type?: string
  trade_state: TradeState
  trade_state_desc: string
  bank_type?: string
  attach?: string
  success_time?: string
  amount?: TransactionAmount
  scene_info?: { device_id?: string }
  promotion_detail?: PromotionDetail[]
}

/** Query answer and decrypted TRANSACTION.SUCCESS resource (direct). */
export interface Transaction extends TransactionCommon {
  appid: string
  mchid: string
  payer?: { openid: string }
}

/** Query answer and decrypted TRANSACTION.SUCCESS resource (partner). */
export interface PartnerTransaction extends TransactionCommon {
  sp_appid: string
  sp_mchid: string
  sub_appid?: string
  sub_mchid: string
  payer?: { sp_openid?: string; sub_openid?: string }
}

/** POST /v3/refund/domestic/refunds. */
export interface RefundRequest {
  sub_mchid?: string
  transaction_id?: string
  out_trade_no?: string
  out_refund_no: string
  reason?: string
  notify_url?: string
  funds_account?: 'AVAILABLE'
  amount: { refund: number; total: number; currency: 'CNY'; from?: Array<{ account: 'AVAILABLE' | 'UNAVAILABLE'; amount: number }> }
  goods_detail?: Array<{ merchant_goods_id: string; wechatpay_goods_id?: string; goods_name?: string; unit_price: number; refund_amount: number; refund_quantity: number }>
}

/** Refund answer and query result. */
export interface Refund {
  refund_id: string
  out_refund_no: string
  transaction_id: string
  out_trade_no: string
  channel: 'ORIGINAL' | 'BALANCE' | 'OTHER_BALANCE' | 'OTHER_BANKCARD'
  user_received_account: string
  success_time?: string
  create_time: string
  status: RefundStatus
  funds_account?: string
  amount: {
    total: number
    refund: number
    payer_total: number
    payer_refund: number
    settlement_refund?: number
    settlement_total?: number
    discount_refund?: number
    currency: string
    from?: unknown[]
  }
  promotion_detail?: unknown[]
}

/** Decrypted REFUND.* resource. */
export interface RefundNotice {
  mchid?: string
  sp_mchid?: string
  sub_mchid?: string
  out_trade_no: string
  transaction_id: string
  out_refund_no: string
  refund_id: string
  refund_status: RefundStatus
  success_time?: string
  user_received_account?: string
  amount: { total: number; refund: number; payer_total: number; payer_refund: number }
  /** Which funds paid the refund, e.g. REFUND_SOURCE_UNSETTLED_FUNDS. */
  refund_account?: string
}

// A type alias, not an interface: it stays comparable with a parsed Record<string, unknown>.
/** The encrypted `resource` of a notification or `encrypt_certificate` of /v3/certificates (wechatpay-v3.md §3). */
export type EncryptedResource = {
  /** AEAD_AES_256_GCM. */
  algorithm: string
  /** base64 of ciphertext + 16-byte tag. */
  ciphertext: string
  /** 12 characters. */
  nonce: string
  associated_data?: string
  original_type?: string
}

/** GET /v3/certificates. */
export interface CertificatesResponse {
  data: Array<{
    serial_no: string
    effective_time: string
    expire_time: string
    encrypt_certificate: Omit<EncryptedResource, 'original_type'>
  }>
}

/** Body of every non-2xx answer (wechatpay-v3.md §9). */
export interface ApiErrorBody {
  code: string
  message: string
  detail?: unknown
}

/** The notification envelope POSTed to notify_url (wechatpay-v3.md §8). */
export interface NotificationEnvelope {
  id: string
  create_time: string
  event_type: string
  resource_type: string
  summary: string
  resource: EncryptedResource
}
