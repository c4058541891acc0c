/** Ordinary service-provider profit sharing (普通服务商分账, wechatpay-service-provider.md §4). */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ApiError, paramError } from '../../errors'
import { OrdinaryReceiverBody, OrdinarySplitBody, ReturnBody, UnfreezeBody } from '../../schemas/profit-sharing'
import { validateBody } from '../../schemas/validate'
import { createSplit, DEFAULT_MAX_RATIO_BPS, finishSplit, findSplit, orderOfTransaction, ordinarySplitView } from '../../state/profit-sharing'
import { addReceiver, createReturn, deleteReceiver, findReturn, returnView, unsplitAmount } from '../../state/split-returns'
import { header, merchantOf } from './auth'
import { queryString } from './query'
import { sendJson } from './send'

export const ordinaryProfitSharingRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.post('/v3/profitsharing/orders', async (req, reply) => {
    const b = validateBody(OrdinarySplitBody, req.body)
    const input = { family: 'ordinary' as const, subMchid: b.sub_mchid, transactionId: b.transaction_id, outOrderNo: b.out_order_no, appid: b.appid, subAppid: b.sub_appid, finish: b.unfreeze_unsplit, body: b }
    const split = createSplit(ctx, merchantOf(req), { ...input, receivers: b.receivers.map((r) => ({ type: r.type, account: r.account, amount: r.amount, description: r.description })) })
    return sendJson(reply, 200, ordinarySplitView(ctx, split))
  })

  app.get<{ Params: { out_order_no: string } }>('/v3/profitsharing/orders/:out_order_no', async (req, reply) => {
    const q = { subMchid: queryString(req, 'sub_mchid', true), transactionId: queryString(req, 'transaction_id', true), outOrderNo: req.params.out_order_no }
    return sendJson(reply, 200, ordinarySplitView(ctx, findSplit(ctx, merchantOf(req), q)))
  })

  app.post('/v3/profitsharing/orders/unfreeze', async (req, reply) => {
    const b = validateBody(UnfreezeBody, req.body)
    const split = finishSplit(ctx, merchantOf(req), { family: 'ordinary', subMchid: b.sub_mchid, transactionId: b.transaction_id, outOrderNo: b.out_order_no, description: b.description, body: b })
    return sendJson(reply, 200, ordinarySplitView(ctx, split))
  })

  app.get<{ Params: { transaction_id: string } }>('/v3/profitsharing/transactions/:transaction_id/amounts', async (req, reply) => {
    const order = orderOfTransaction(ctx, merchantOf(req), req.params.transaction_id)
    return sendJson(reply, 200, { transaction_id: req.params.transaction_id, unsplit_amount: unsplitAmount(ctx, order) })
  })

  app.get<{ Params: { sub_mchid: string } }>('/v3/profitsharing/merchant-configs/:sub_mchid', async (req, reply) => {
    const sub = merchantOf(req).subMchids[req.params.sub_mchid]
    // UNCONFIRMED for this endpoint (§4, by analogy with the brand config API).
    if (!sub) throw new ApiError('NO_AUTH', '非服务商下的签约子商户')
    return sendJson(reply, 200, { sub_mchid: req.params.sub_mchid, max_ratio: sub.maxRatioBps ?? DEFAULT_MAX_RATIO_BPS })
  })

  app.post('/v3/profitsharing/return-orders', async (req, reply) => {
    const b = validateBody(ReturnBody, req.body)
    const ret = createReturn(ctx, merchantOf(req), { family: 'ordinary', subMchid: b.sub_mchid, orderId: b.order_id, outOrderNo: b.out_order_no, outReturnNo: b.out_return_no, returnMchid: b.return_mchid, amount: b.amount, description: b.description, body: b })
    return sendJson(reply, 200, returnView(ctx, ret))
  })

  app.get<{ Params: { out_return_no: string } }>('/v3/profitsharing/return-orders/:out_return_no', async (req, reply) => {
    const q = { subMchid: queryString(req, 'sub_mchid', true), outReturnNo: req.params.out_return_no, outOrderNo: queryString(req, 'out_order_no', true) }
    return sendJson(reply, 200, returnView(ctx, findReturn(ctx, merchantOf(req), q)))
  })

  app.post('/v3/profitsharing/receivers/add', async (req, reply) => {
    const b = validateBody(OrdinaryReceiverBody, req.body)
    // The name is an encrypted field (§4): the request must say which platform key encrypted it.
    if (b.name !== undefined && !header(req, 'wechatpay-serial')) throw new ApiError('PARAM_ERROR', 'HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)', { location: 'header' })
    if (b.type === 'MERCHANT_ID' && b.name === undefined) throw paramError('/name', 'is required for a MERCHANT_ID receiver')
    if (b.relation_type === 'CUSTOM' && !b.custom_relation) throw paramError('/custom_relation', 'is required when relation_type is CUSTOM')
    return sendJson(reply, 200, addReceiver(ctx, merchantOf(req), 'ordinary', { subMchid: b.sub_mchid, appid: b.appid, subAppid: b.sub_appid, type: b.type, account: b.account, name: b.name, relationType: b.relation_type }))
  })

  app.post('/v3/profitsharing/receivers/delete', async (req, reply) => {
    const b = validateBody(OrdinaryReceiverBody, req.body)
    return sendJson(reply, 200, deleteReceiver(ctx, merchantOf(req), 'ordinary', { subMchid: b.sub_mchid, appid: b.appid, type: b.type, account: b.account }))
  })
}
