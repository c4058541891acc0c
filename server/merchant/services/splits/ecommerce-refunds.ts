import type { Refund, WechatPayClient } from '../../../wechatpay'

/** What the e-commerce refund calls need of a refund (the gateway's refund input plus its shop). */
export interface EcommerceRefundInput {
  spAppId: string
  subMchid: string
  subAppId?: string
  outTradeNo: string
  outRefundNo: string
  amount: number
  total: number
  reason: string
  notifyUrl: string
}

/** The e-commerce answer in the domestic Refund shape the order service records; the apply answer carries no status (accepted = PROCESSING). */
const asRefund = (answer: Record<string, unknown>): Refund => ({ ...answer, status: (answer.status as Refund['status'] | undefined) ?? 'PROCESSING' }) as Refund

/** POST /v3/ecommerce/refunds/apply (wechatpay-service-provider.md §5): same out_refund_no + body is safe to repeat. */
export async function applyEcommerceRefund(client: WechatPayClient, r: EcommerceRefundInput): Promise<Refund> {
  const body = {
    sub_mchid: r.subMchid,
    sp_appid: r.spAppId,
    ...(r.subAppId ? { sub_appid: r.subAppId } : {}),
    out_trade_no: r.outTradeNo,
    out_refund_no: r.outRefundNo,
    ...(r.reason ? { reason: r.reason } : {}),
    notify_url: r.notifyUrl,
    amount: { refund: r.amount, total: r.total, currency: 'CNY' },
  }
  return asRefund((await client.call<Record<string, unknown>>('POST', '/v3/ecommerce/refunds/apply', { body })).data)
}

/** GET /v3/ecommerce/refunds/out-refund-no/{out_refund_no}?sub_mchid=. */
export async function queryEcommerceRefund(client: WechatPayClient, outRefundNo: string, subMchid: string): Promise<Refund> {
  const path = `/v3/ecommerce/refunds/out-refund-no/${encodeURIComponent(outRefundNo)}?sub_mchid=${encodeURIComponent(subMchid)}`
  return asRefund((await client.call<Record<string, unknown>>('GET', path, { retry: true })).data)
}
