import type { WechatPayClient } from '../../../wechatpay'
import type { Config } from '../../config'

/** One order's profit-sharing identity at WeChat Pay. */
export interface SplitTarget {
  subMchid: string
  transactionId: string
  outOrderNo: string
}

/** The profit-sharing calls the backend makes, in the family its mode uses (platform.md §Profit sharing). */
export interface SplitGateway {
  /** Partner: the split request itself unfreezes the rest (unfreeze_unsplit); e-commerce finishes separately. */
  unfreezesWithSplit: boolean
  /** The shop's cap in basis points: partner reads merchant-configs; e-commerce is always 3000. */
  maxRatioBps(subMchid: string): Promise<number>
  /** Splits `amount` to the platform's own merchant id; partner unfreezes the rest in the same request. */
  splitCommission(t: SplitTarget, amount: number): Promise<unknown>
  /** Releases everything still frozen to the shop (e-commerce finish-order, ordinary unfreeze). */
  finish(t: SplitTarget): Promise<unknown>
  /** A split to any receivers (the admin API); `finish` releases the rest in the same request. */
  split(t: SplitTarget, receivers: SplitReceiver[], finish: boolean): Promise<unknown>
  /** What WeChat Pay says of a split now. */
  query(t: SplitTarget): Promise<SplitState>
  /** What is still frozen (not split, not released) of an order, in fen. */
  unsplitAmount(transactionId: string): Promise<number>
  /** Returns (回退) part of a split from a merchant receiver to the shop; answers WeChat Pay's result. */
  returnSplit(r: { subMchid: string; outOrderNo: string; outReturnNo: string; returnMchid: string; amount: number; description: string }): Promise<{ result: string; failReason?: string }>
}

export interface SplitReceiver {
  type: 'MERCHANT_ID' | 'PERSONAL_OPENID'
  account: string
  amount: number
  description: string
}

/** A split as WeChat Pay reports it (both families' spellings folded). */
export interface SplitState {
  status: string
  receivers: Array<{ account: string; amount: number; result: string; failReason?: string }>
}

/** WeChat Pay's cap on an e-commerce order's splits. */
export const ECOMMERCE_MAX_RATIO_BPS = 3000
/** The receiver description of the platform's commission. */
export const COMMISSION_DESCRIPTION = '平台佣金'
const FINISH_DESCRIPTION = '分账完结'

/** The split gateway over the shared WechatPayClient: `/v3/ecommerce/profitsharing/*` in ecommerce mode, `/v3/profitsharing/*` in partner mode. */
export function createSplitGateway(config: Config, client: WechatPayClient): SplitGateway {
  const ecommerce = config.mode === 'ecommerce'
  const post = async (path: string, body: object) => (await client.call<unknown>('POST', path, { body })).data
  const get = async <T>(path: string) => (await client.call<T>('GET', path, { retry: true })).data
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString()
  // An openid receiver belongs to the appid it was obtained under (the mini-program's).
  const appidFor = (receivers: SplitReceiver[]) => (receivers.some((r) => r.type === 'PERSONAL_OPENID') ? { appid: config.miniProgramAppId } : {})
  return {
    unfreezesWithSplit: !ecommerce,
    async maxRatioBps(subMchid) {
      if (ecommerce) return ECOMMERCE_MAX_RATIO_BPS
      const answer = (await client.call<{ max_ratio?: number }>('GET', `/v3/profitsharing/merchant-configs/${encodeURIComponent(subMchid)}`, { retry: true })).data
      return typeof answer.max_ratio === 'number' ? answer.max_ratio : 0
    },
    splitCommission: (t, amount) =>
      ecommerce
        ? post('/v3/ecommerce/profitsharing/orders', {
            sub_mchid: t.subMchid,
            transaction_id: t.transactionId,
            out_order_no: t.outOrderNo,
            receivers: [{ type: 'MERCHANT_ID', receiver_account: config.mchid, amount, description: COMMISSION_DESCRIPTION }],
            finish: false,
          })
        : post('/v3/profitsharing/orders', {
            sub_mchid: t.subMchid,
            transaction_id: t.transactionId,
            out_order_no: t.outOrderNo,
            receivers: [{ type: 'MERCHANT_ID', account: config.mchid, amount, description: COMMISSION_DESCRIPTION }],
            unfreeze_unsplit: true,
          }),
    split: (t, receivers, finish) =>
      ecommerce
        ? post('/v3/ecommerce/profitsharing/orders', {
            ...appidFor(receivers),
            sub_mchid: t.subMchid,
            transaction_id: t.transactionId,
            out_order_no: t.outOrderNo,
            receivers: receivers.map((r) => ({ type: r.type, receiver_account: r.account, amount: r.amount, description: r.description })),
            finish,
          })
        : post('/v3/profitsharing/orders', {
            ...appidFor(receivers),
            sub_mchid: t.subMchid,
            transaction_id: t.transactionId,
            out_order_no: t.outOrderNo,
            receivers: receivers.map((r) => ({ type: r.type, account: r.account, amount: r.amount, description: r.description })),
            unfreeze_unsplit: finish,
          }),
    async query(t) {
      type Wire = { status?: string; state?: string; receivers?: Array<{ receiver_account?: string; account?: string; amount: number; result: string; fail_reason?: string }> }
      const w = ecommerce
        ? await get<Wire>(`/v3/ecommerce/profitsharing/orders?${q({ sub_mchid: t.subMchid, transaction_id: t.transactionId, out_order_no: t.outOrderNo })}`)
        : await get<Wire>(`/v3/profitsharing/orders/${encodeURIComponent(t.outOrderNo)}?${q({ sub_mchid: t.subMchid, transaction_id: t.transactionId })}`)
      return {
        status: w.status ?? w.state ?? 'PROCESSING',
        receivers: (w.receivers ?? []).map((r) => ({ account: r.receiver_account ?? r.account ?? '', amount: r.amount, result: r.result, ...(r.fail_reason ? { failReason: r.fail_reason } : {}) })),
      }
    },
    async unsplitAmount(transactionId) {
      const path = ecommerce
        ? `/v3/ecommerce/profitsharing/orders/${encodeURIComponent(transactionId)}/amounts`
        : `/v3/profitsharing/transactions/${encodeURIComponent(transactionId)}/amounts`
      return (await get<{ unsplit_amount: number }>(path)).unsplit_amount
    },
    async returnSplit(r) {
      const body = { sub_mchid: r.subMchid, out_order_no: r.outOrderNo, out_return_no: r.outReturnNo, return_mchid: r.returnMchid, amount: r.amount, description: r.description }
      const answer = (await client.call<{ result?: string; fail_reason?: string }>('POST', ecommerce ? '/v3/ecommerce/profitsharing/returnorders' : '/v3/profitsharing/return-orders', { body })).data
      return { result: answer.result ?? 'PROCESSING', ...(answer.fail_reason ? { failReason: answer.fail_reason } : {}) }
    },
    finish: (t) =>
      post(ecommerce ? '/v3/ecommerce/profitsharing/finish-order' : '/v3/profitsharing/orders/unfreeze', {
        sub_mchid: t.subMchid,
        transaction_id: t.transactionId,
        out_order_no: t.outOrderNo,
        description: FINISH_DESCRIPTION,
      }),
  }
}
