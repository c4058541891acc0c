/** Profit-sharing (分账) records: the durable job that splits a paid order's commission. */

/**
 * `split`: send the commission split (partner: with unfreeze_unsplit); `finish`: release the rest
 * to the shop (e-commerce finish-order, or the unfreeze of a zero commission); `done` and
 * `failed` are final.
 */
export type SplitStep = 'split' | 'finish' | 'done' | 'failed'

/** One automatic split of one order; its out_order_no values are derived from the order number. */
export interface SplitJobRecord {
  orderNo: string
  step: SplitStep
  /** Calls of the current step so far (back-off grows with it). */
  attempts: number
  /** Not run before this (milliseconds since the epoch). */
  nextAt: number
  /** The stable code of the last failure (a final failReason when `failed`). */
  lastError: string | null
  createdAt: number
  updatedAt: number
}

export interface SplitJobRepository {
  /** Stores a job once: a second insert for the same order is ignored. */
  insert(job: SplitJobRecord): Promise<void>
  get(orderNo: string): Promise<SplitJobRecord | undefined>
  update(orderNo: string, patch: Partial<Omit<SplitJobRecord, 'orderNo'>>): Promise<void>
  /** Jobs not final whose nextAt has come, soonest first. */
  listDue(now: number, limit: number): Promise<SplitJobRecord[]>
}

/** A receiver of an admin split, as stored (result as WeChat Pay last reported it). */
export interface SplitReceiverRecord {
  type: 'MERCHANT_ID' | 'PERSONAL_OPENID'
  account: string
  amount: number
  description: string
  result: 'pending' | 'success' | 'closed'
  failReason?: string
}

/** One split requested through the admin API (PROFIT_SHARING=manual); `splitNo` is its out_order_no. */
export interface SplitRecord {
  splitNo: string
  orderNo: string
  requestId: string
  receivers: SplitReceiverRecord[]
  finish: boolean
  status: 'processing' | 'finished' | 'failed'
  failReason: string | null
  createdAt: number
  updatedAt: number
}

export interface SplitRepository {
  insert(split: SplitRecord): Promise<void>
  get(splitNo: string): Promise<SplitRecord | undefined>
  findByRequest(orderNo: string, requestId: string): Promise<SplitRecord | undefined>
  /** Oldest first. */
  listByOrder(orderNo: string): Promise<SplitRecord[]>
  update(splitNo: string, patch: Partial<Pick<SplitRecord, 'status' | 'failReason' | 'receivers' | 'updatedAt'>>): Promise<void>
}

/** A return (回退) of part of an admin split from a merchant receiver back to the shop. */
export interface SplitReturnRecord {
  returnNo: string
  splitNo: string
  orderNo: string
  requestId: string
  returnMchid: string
  amount: number
  description: string
  status: 'processing' | 'succeeded' | 'failed'
  failReason: string | null
  createdAt: number
  updatedAt: number
}

export interface SplitReturnRepository {
  insert(r: SplitReturnRecord): Promise<void>
  findByRequest(splitNo: string, requestId: string): Promise<SplitReturnRecord | undefined>
  /** Oldest first. */
  listByOrder(orderNo: string): Promise<SplitReturnRecord[]>
  update(returnNo: string, patch: { status: SplitReturnRecord['status']; failReason?: string | null; updatedAt: number }): Promise<void>
}
