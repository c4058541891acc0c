/** Domestic refunds: create and query (wechatpay-v3.md §7.3). */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import type { Faults } from '../../faults'
import type { Notifier } from '../../notifier'
import { RefundBody } from '../../schemas/v3'
import { validateBody } from '../../schemas/validate'
import { createRefund, queryRefund } from '../../state/refunds'
import { merchantOf } from './auth'
import { sendJson } from './send'

export const refundsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier; faults: Faults }> = async (app, { ctx, notifier, faults }) => {
  app.post('/v3/refund/domestic/refunds', async (req, reply) => {
    const body = validateBody(RefundBody, req.body)
    return sendJson(reply, 200, createRefund({ ctx, notifier, faults }, merchantOf(req), body))
  })

  app.get<{ Params: { out_refund_no: string }; Querystring: { sub_mchid?: string } }>('/v3/refund/domestic/refunds/:out_refund_no', async (req, reply) => {
    const sub = typeof req.query.sub_mchid === 'string' && req.query.sub_mchid !== '' ? req.query.sub_mchid : undefined
    return sendJson(reply, 200, queryRefund(ctx, merchantOf(req), req.params.out_refund_no, sub))
  })
}
