/**
 * State records of the service-provider platform part of the emulator: open-platform components
 * (第三方平台) and profit sharing (分账). Plain JSON, kept in the state file with the rest.
 */

/** An open-platform component (第三方平台) and the mini-programs that authorised it. */
export interface ComponentRecord {
  componentAppId: string
  secret: string
  authorizedAppIds: string[]
  /** component_verify_ticket → emulated ms it was pushed (valid 12 h). */
  tickets: Record<string, number>
}

/** A component_access_token (7200 s). */
export interface ComponentTokenRecord {
  componentAppId: string
  expiresAt: number
}

export type SplitFamily = 'ecommerce' | 'ordinary'
export type SplitReceiverType = 'MERCHANT_ID' | 'PERSONAL_OPENID' | 'PERSONAL_SUB_OPENID'

export interface SplitReceiverRecord {
  type: SplitReceiverType
  account: string
  amount: number
  description: string
  detailId: string
  result: 'PENDING' | 'SUCCESS' | 'CLOSED'
  failReason?: string
  /** Returned so far from this receiver (MERCHANT_ID only). */
  returnedFen: number
}

/** One split request (分账单): a split to receivers, or the finish / unfreeze of what is left. */
export interface SplitRecord {
  /** `${mchid}:${out_order_no}`. */
  key: string
  family: SplitFamily
  mchid: string
  subMchid: string
  /** Key of the paid order. */
  orderKey: string
  transactionId: string
  outOrderNo: string
  orderId: string
  kind: 'split' | 'finish'
  receivers: SplitReceiverRecord[]
  /** Ordinary: unfreeze_unsplit; e-commerce: finish. */
  finish: boolean
  /** What this request released to the sub-merchant (finish / unfreeze). */
  unfrozenFen: number
  description?: string
  fingerprint: string
  createdAt: number
  /** PROCESSING until then, FINISHED after (checked lazily). */
  settleAt: number
}

/** One return (分账回退) from a merchant receiver to the sub-merchant. */
export interface SplitReturnRecord {
  /** `${mchid}:${out_return_no}`. */
  key: string
  family: SplitFamily
  mchid: string
  subMchid: string
  splitKey: string
  outReturnNo: string
  returnId: string
  returnMchid: string
  amount: number
  description: string
  result: 'SUCCESS'
  fingerprint: string
  createdAt: number
}

/** An order's profit-sharing ledger (created at payment of an order placed with profit_sharing). */
export interface SplitLedger {
  /** Frozen and not yet split, unfrozen or refunded. */
  unsplitFen: number
  /** Returned from receivers to the sub-merchant and not yet refunded. */
  returnedFen: number
  /** Sent to receivers other than the sub-merchant (before returns): what the cap counts. */
  splitFen: number
  /** finish-order / unfreeze_unsplit ran: nothing is frozen any more. */
  finished: boolean
}
