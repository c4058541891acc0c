import { WechatPayError } from '../../../wechatpay'
import type { Config } from '../../config'
import { AppError } from '../../errors'
import type { SplitReturnRecord, Storage } from '../../storage'
import { errorCode, upstream, type Logger } from '../orders/context'
import type { SplitGateway } from './gateway'

/** The `return` the admin API answers. */
export interface ReturnView {
  returnNo: string
  splitNo: string
  amount: number
  status: SplitReturnRecord['status']
  failReason?: string
  createdAt: string
}

const toReturnView = (r: SplitReturnRecord): ReturnView => ({
  returnNo: r.returnNo,
  splitNo: r.splitNo,
  amount: r.amount,
  status: r.status,
  ...(r.failReason ? { failReason: r.failReason } : {}),
  createdAt: new Date(r.createdAt).toISOString(),
})
const statusOf = (result: string): SplitReturnRecord['status'] => (result === 'SUCCESS' ? 'succeeded' : result === 'FAILED' ? 'failed' : 'processing')

/**
 * Returns (回退) of an admin split: from its merchant receiver back to the shop, never more than
 * that receiver got minus earlier returns; stored before sending (out_return_no `<splitNo>B<n>`),
 * the same requestId is the same return; a succeeded return lowers the order's `split.commission`.
 */
export function createSplitReturns(o: { storage: Storage; gateway: SplitGateway; config: Pick<Config, 'subMchid'>; clock: () => number; logger: Logger }) {
  const { storage, gateway, clock, logger } = o

  /** One return, under the order's split lock (the manual splits' key): the amount left and the next out_return_no see every earlier return. */
  async function create(orderNo: string, splitNo: string, input: { requestId: string; amount: number; description: string }): Promise<{ return: ReturnView; replayed: boolean }> {
    const order = await storage.orders.get(orderNo)
    if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    const split = await storage.splits.get(splitNo)
    if (!split || split.orderNo !== orderNo) throw new AppError('NOT_FOUND', 'no such split of this order')
    const existing = await storage.splitReturns.findByRequest(splitNo, input.requestId)
    if (existing) return { return: toReturnView(existing), replayed: true }
    const receiver = split.receivers.find((r) => r.type === 'MERCHANT_ID' && r.result === 'success')
    if (!receiver) throw new AppError('BAD_REQUEST', 'only a merchant receiver whose share arrived (result success) can return it; list the splits first')
    const ofSplit = (await storage.splitReturns.listByOrder(orderNo)).filter((r) => r.splitNo === splitNo)
    const left = receiver.amount - ofSplit.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0)
    if (input.amount > left) throw new AppError('BAD_REQUEST', `at most ${left} fen of this split can still be returned`)
    const now = clock()
    const record: SplitReturnRecord = {
      // Numbered over every return of the split: a failed one keeps its out_return_no.
      returnNo: `${splitNo}B${ofSplit.length + 1}`,
      splitNo,
      orderNo,
      requestId: input.requestId,
      returnMchid: receiver.account,
      amount: input.amount,
      description: input.description,
      status: 'processing',
      failReason: null,
      createdAt: now,
      updatedAt: now,
    }
    await storage.splitReturns.insert(record)
    let answer: { result: string; failReason?: string }
    try {
      answer = await gateway.returnSplit({ subMchid: order.subMchid ?? (o.config.subMchid as string), outOrderNo: splitNo, outReturnNo: record.returnNo, returnMchid: receiver.account, amount: input.amount, description: input.description })
    } catch (e) {
      const refused = e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401
      if (refused) await storage.splitReturns.update(record.returnNo, { status: 'failed', failReason: e.code, updatedAt: clock() })
      logger.error({ orderNo, splitNo, returnNo: record.returnNo, code: errorCode(e) }, refused ? 'WeChat Pay refused the return' : 'return outcome unknown; it stays processing')
      throw upstream(e, 'profit-sharing return')
    }
    const status = statusOf(answer.result)
    await storage.transaction(async () => {
      await storage.splitReturns.update(record.returnNo, { status, failReason: answer.failReason ?? null, updatedAt: clock() })
      const fresh = await storage.orders.get(orderNo)
      if (status === 'succeeded' && fresh) await storage.orders.update(orderNo, { splitCommission: Math.max(0, (fresh.splitCommission ?? 0) - input.amount) })
    })
    return { return: toReturnView({ ...record, status, failReason: answer.failReason ?? null }), replayed: false }
  }

  return {
    /** A return of part of an admin split (same requestId = the same return). */
    create: (orderNo: string, splitNo: string, input: { requestId: string; amount: number; description: string }) =>
      storage.withLock(`split:${orderNo}`, () => create(orderNo, splitNo, input)),
  }
}

export type SplitReturns = ReturnType<typeof createSplitReturns>
