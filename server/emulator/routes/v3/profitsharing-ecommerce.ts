/** E-commerce profit sharing (电商收付通 分账, wechatpay-service-provider.md §3): splits, finish, amounts, returns, receivers. */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { paramError } from '../../errors'
import { EcommerceFinishBody, EcommerceReceiverBody, EcommerceSplitBody, ReturnBody } from '../../schemas/profit-sharing'
import { validateBody } from '../../schemas/validate'
import { createSplit, ecommerceSplitView, finishSplit, findSplit, orderOfTransaction } from '../../state/profit-sharing'
import { addReceiver, createReturn, deleteReceiver, findReturn, returnView, unsplitAmount } from '../../state/split-returns'
import { merchantOf } from './auth'
import { queryString } from './query'
import { sendJson } from './send'

export const ecommerceProfitSharingRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.post('/v3/ecommerce/profitsharing/orders', async (req, reply) => {
    const b = validateBody(EcommerceSplitBody, req.body)
    const receivers = b.receivers.map((r, i) => {
      // Both spellings are seen (§3.2, UNCONFIRMED): receiver_account, or receiver_mchid for a merchant.
      const account = r.receiver_account ?? (r.type === 'MERCHANT_ID' ? r.receiver_mchid : undefined)
      if (account === undefined) throw paramError(`/receivers/${i}/receiver_account`, 'is required')
      return { type: r.type, account, amount: r.amount, description: r.description }
    })
    const split = createSplit(ctx, merchantOf(req), { family: 'ecommerce', subMchid: b.sub_mchid, transactionId: b.transaction_id, outOrderNo: b.out_order_no, appid: b.appid, receivers, finish: b.finish, body: b })
    return sendJson(reply, 200, ecommerceSplitView(ctx, split))
  })

  app.get('/v3/ecommerce/profitsharing/orders', async (req, reply) => {
    const q = { subMchid: queryString(req, 'sub_mchid', true), transactionId: queryString(req, 'transaction_id', true), outOrderNo: queryString(req, 'out_order_no', true) }
    return sendJson(reply, 200, ecommerceSplitView(ctx, findSplit(ctx, merchantOf(req), q)))
  })

  app.post('/v3/ecommerce/profitsharing/finish-order', async (req, reply) => {
    const b = validateBody(EcommerceFinishBody, req.body)
    const split = finishSplit(ctx, merchantOf(req), { family: 'ecommerce', subMchid: b.sub_mchid, transactionId: b.transaction_id, outOrderNo: b.out_order_no, description: b.description, body: b })
    return sendJson(reply, 200, { sub_mchid: split.subMchid, transaction_id: split.transactionId, out_order_no: split.outOrderNo, order_id: split.orderId })
  })

  app.get<{ Params: { transaction_id: string } }>('/v3/ecommerce/profitsharing/orders/:transaction_id/amounts', async (req, reply) => {
    const order = orderOfTransaction(ctx, merchantOf(req), req.params.transaction_id)
    return sendJson(reply, 200, { transaction_id: req.params.transaction_id, unsplit_amount: unsplitAmount(ctx, order) })
  })

  app.post('/v3/ecommerce/profitsharing/returnorders', async (req, reply) => {
    const b = validateBody(ReturnBody, req.body)
    const ret = createReturn(ctx, merchantOf(req), { family: 'ecommerce', subMchid: b.sub_mchid, orderId: b.order_id, outOrderNo: b.out_order_no, outReturnNo: b.out_return_no, returnMchid: b.return_mchid, amount: b.amount, description: b.description, body: b })
    return sendJson(reply, 200, returnView(ctx, ret))
  })

  app.get('/v3/ecommerce/profitsharing/returnorders', async (req, reply) => {
    const orderId = queryString(req, 'order_id')
    const outOrderNo = queryString(req, 'out_order_no')
    if (orderId === undefined && outOrderNo === undefined) throw paramError('out_order_no', 'order_id or out_order_no is required', undefined, 'query')
    const q = { subMchid: queryString(req, 'sub_mchid', true), outReturnNo: queryString(req, 'out_return_no', true), orderId, outOrderNo }
    return sendJson(reply, 200, returnView(ctx, findReturn(ctx, merchantOf(req), q)))
  })

  app.post('/v3/ecommerce/profitsharing/receivers/add', async (req, reply) => {
    const b = validateBody(EcommerceReceiverBody, req.body)
    return sendJson(reply, 200, addReceiver(ctx, merchantOf(req), 'ecommerce', { subMchid: '', appid: b.appid, type: b.type, account: b.account, name: b.name, relationType: b.relation_type }))
  })

  app.post('/v3/ecommerce/profitsharing/receivers/delete', async (req, reply) => {
    const b = validateBody(EcommerceReceiverBody, req.body)
    return sendJson(reply, 200, deleteReceiver(ctx, merchantOf(req), 'ecommerce', { subMchid: '', appid: b.appid, type: b.type, account: b.account }))
  })
}
