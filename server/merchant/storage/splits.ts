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
  insert(job: SplitJobRecord): void
  get(orderNo: string): SplitJobRecord | undefined
  update(orderNo: string, patch: Partial<Omit<SplitJobRecord, 'orderNo'>>): void
  /** Jobs not final whose nextAt has come, soonest first. */
  listDue(now: number, limit: number): SplitJobRecord[]
}
