/** JSAPI orders, queries and close, direct and partner (wechatpay-v3.md §4, §5, §7.1, §7.2). */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ApiError, paramError } from '../../errors'
import type { Notifier } from '../../notifier'
import { DirectCloseBody, DirectOrderBody, PartnerCloseBody, PartnerOrderBody } from '../../schemas/v3'
import { validateBody } from '../../schemas/validate'
import { closeOrder, createDirectOrder, createPartnerOrder, findOrder, transactionView } from '../../state/orders'
import { merchantOf } from './auth'
import { sendJson } from './send'

const queryParam = (req: FastifyRequest, name: string): string => {
  const v = (req.query as Record<string, unknown>)[name]
  if (typeof v !== 'string' || v === '') throw paramError(name, 'is required', undefined, 'query')
  return v
}

const sameMchid = (authMchid: string, given: string, field: string, location: 'query' | 'body') => {
  if (authMchid !== given) {
    throw new ApiError('INVALID_REQUEST', '请求中的商户号与Authorization中的商户号不一致', { field, value: given, issue: 'must equal the mchid of the Authorization header', location })
  }
}

export const transactionsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier }> = async (app, { ctx }) => {
  app.post('/v3/pay/transactions/jsapi', async (req, reply) => {
    const body = validateBody(DirectOrderBody, req.body)
    return sendJson(reply, 200, createDirectOrder(ctx, merchantOf(req), body))
  })

  app.post('/v3/pay/partner/transactions/jsapi', async (req, reply) => {
    const body = validateBody(PartnerOrderBody, req.body)
    return sendJson(reply, 200, createPartnerOrder(ctx, merchantOf(req), body))
  })

  app.get<{ Params: { out_trade_no: string } }>('/v3/pay/transactions/out-trade-no/:out_trade_no', async (req, reply) => {
    const merchant = merchantOf(req)
    sameMchid(merchant.mchid, queryParam(req, 'mchid'), 'mchid', 'query')
    return sendJson(reply, 200, transactionView(findOrder(ctx, { mchid: merchant.mchid, outTradeNo: req.params.out_trade_no })))
  })

  app.get<{ Params: { transaction_id: string } }>('/v3/pay/transactions/id/:transaction_id', async (req, reply) => {
    const merchant = merchantOf(req)
    sameMchid(merchant.mchid, queryParam(req, 'mchid'), 'mchid', 'query')
    return sendJson(reply, 200, transactionView(findOrder(ctx, { mchid: merchant.mchid, transactionId: req.params.transaction_id })))
  })

  app.get<{ Params: { out_trade_no: string } }>('/v3/pay/partner/transactions/out-trade-no/:out_trade_no', async (req, reply) => {
    const merchant = merchantOf(req)
    sameMchid(merchant.mchid, queryParam(req, 'sp_mchid'), 'sp_mchid', 'query')
    const subMchid = queryParam(req, 'sub_mchid')
    return sendJson(reply, 200, transactionView(findOrder(ctx, { mchid: merchant.mchid, outTradeNo: req.params.out_trade_no, subMchid })))
  })

  app.get<{ Params: { transaction_id: string } }>('/v3/pay/partner/transactions/id/:transaction_id', async (req, reply) => {
    const merchant = merchantOf(req)
    sameMchid(merchant.mchid, queryParam(req, 'sp_mchid'), 'sp_mchid', 'query')
    const subMchid = queryParam(req, 'sub_mchid')
    return sendJson(reply, 200, transactionView(findOrder(ctx, { mchid: merchant.mchid, transactionId: req.params.transaction_id, subMchid })))
  })

  app.post<{ Params: { out_trade_no: string } }>('/v3/pay/transactions/out-trade-no/:out_trade_no/close', async (req, reply) => {
    const merchant = merchantOf(req)
    const body = validateBody(DirectCloseBody, req.body)
    sameMchid(merchant.mchid, body.mchid, '/mchid', 'body')
    closeOrder(ctx, findOrder(ctx, { mchid: merchant.mchid, outTradeNo: req.params.out_trade_no }))
    return reply.code(204).send()
  })

  app.post<{ Params: { out_trade_no: string } }>('/v3/pay/partner/transactions/out-trade-no/:out_trade_no/close', async (req, reply) => {
    const merchant = merchantOf(req)
    const body = validateBody(PartnerCloseBody, req.body)
    sameMchid(merchant.mchid, body.sp_mchid, '/sp_mchid', 'body')
    closeOrder(ctx, findOrder(ctx, { mchid: merchant.mchid, outTradeNo: req.params.out_trade_no, subMchid: body.sub_mchid }))
    return reply.code(204).send()
  })
}
