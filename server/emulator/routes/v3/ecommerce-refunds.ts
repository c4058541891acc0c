/**
 * E-commerce refunds (wechatpay-service-provider.md §5): `POST /v3/ecommerce/refunds/apply` and its
 * two queries. They share the domestic refunds' state and notifications; the answer has the
 * e-commerce shape. While an order's money is frozen for splits, a larger refund is 403 RULE_LIMIT.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import type { Faults } from '../../faults'
import type { Notifier } from '../../notifier'
import { EcommerceRefundBody } from '../../schemas/profit-sharing'
import { validateBody } from '../../schemas/validate'
import { createRefund, queryRefund } from '../../state/refunds'
import { subMerchantOf } from '../../state/profit-sharing'
import { merchantOf } from './auth'
import { queryString } from './query'
import { sendJson } from './send'

/** The e-commerce view of a refund object of the domestic API. */
const ecommerceView = (r: Record<string, any>, created: boolean) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
  refund_id: r.refund_id,
  out_refund_no: r.out_refund_no,
  ...(created ? {} : { transaction_id: r.transaction_id, out_trade_no: r.out_trade_no, channel: r.channel, user_received_account: r.user_received_account, status: r.status }),
  ...(r.success_time ? { success_time: r.success_time } : {}),
  create_time: r.create_time,
  amount: { refund: r.amount.refund, payer_refund: r.amount.payer_refund, discount_refund: r.amount.discount_refund, currency: r.amount.currency },
  promotion_detail: r.promotion_detail,
  refund_account: 'REFUND_SOURCE_SUB_MERCHANT',
  ...(created ? {} : { funds_account: r.funds_account }),
})

export const ecommerceRefundsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier; faults: Faults }> = async (app, { ctx, notifier, faults }) => {
  app.post('/v3/ecommerce/refunds/apply', async (req, reply) => {
    const b = validateBody(EcommerceRefundBody, req.body)
    const merchant = merchantOf(req)
    if (!merchant.appIds.includes(b.sp_appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'sp_appid和sp_mchid不匹配')
    const sub = subMerchantOf(merchant, b.sub_mchid)
    if (b.sub_appid !== undefined && !sub.appIds.includes(b.sub_appid)) throw new ApiError('APPID_MCHID_NOT_MATCH', 'sub_appid和sub_mchid不匹配')
    // 垫付 needs a grant the emulator never gives (UNCONFIRMED code).
    if (b.refund_account === 'REFUND_SOURCE_PARTNER_ADVANCE') throw new ApiError('NO_AUTH', '未开通垫付退款权限')
    const refund = createRefund({ ctx, notifier, faults }, merchant, {
      sub_mchid: b.sub_mchid,
      ...(b.transaction_id !== undefined ? { transaction_id: b.transaction_id } : {}),
      ...(b.out_trade_no !== undefined ? { out_trade_no: b.out_trade_no } : {}),
      out_refund_no: b.out_refund_no,
      ...(b.reason !== undefined ? { reason: b.reason } : {}),
      ...(b.notify_url !== undefined ? { notify_url: b.notify_url } : {}),
      ...(b.funds_account === 'AVAILABLE' ? { funds_account: 'AVAILABLE' as const } : {}),
      amount: { refund: b.amount.refund, total: b.amount.total, currency: b.amount.currency },
    })
    return sendJson(reply, 200, ecommerceView(refund, true))
  })

  app.get<{ Params: { out_refund_no: string } }>('/v3/ecommerce/refunds/out-refund-no/:out_refund_no', async (req, reply) => {
    return sendJson(reply, 200, ecommerceView(queryRefund(ctx, merchantOf(req), req.params.out_refund_no, queryString(req, 'sub_mchid', true)), false))
  })

  app.get<{ Params: { refund_id: string } }>('/v3/ecommerce/refunds/id/:refund_id', async (req, reply) => {
    const merchant = merchantOf(req)
    const subMchid = queryString(req, 'sub_mchid', true)
    const refund = Object.values(ctx.store.data.refunds).find((r) => r.mchid === merchant.mchid && r.refundId === req.params.refund_id && r.subMchid === subMchid)
    if (!refund) throw new ApiError('RESOURCE_NOT_EXISTS', '退款单不存在')
    return sendJson(reply, 200, ecommerceView(queryRefund(ctx, merchant, refund.outRefundNo, subMchid), false))
  })
}
