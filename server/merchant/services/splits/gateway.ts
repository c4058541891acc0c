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
    finish: (t) =>
      post(ecommerce ? '/v3/ecommerce/profitsharing/finish-order' : '/v3/profitsharing/orders/unfreeze', {
        sub_mchid: t.subMchid,
        transaction_id: t.transactionId,
        out_order_no: t.outOrderNo,
        description: FINISH_DESCRIPTION,
      }),
  }
}
