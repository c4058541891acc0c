import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBodySchema, OrderNoParamsSchema, OrderSchema } from '../../../src/contract/schemas'
import { AppError } from '../errors'
import { toOrderView } from '../services/orders'
import type { PaymentGateway } from '../services/wechatpay-gateway'
import type { AttemptRecord, Storage } from '../storage'
import { adminGuard } from './admin'

export interface AdminOrdersRoutesOptions {
  storage: Storage
  gateway: PaymentGateway
  adminToken: string
}

/** What is stored of an attempt, in WeChat Pay's trade_state words (used when WeChat Pay cannot be asked). */
const STORED_STATE: Record<AttemptRecord['status'], string> = { creating: 'NOTPAY', open: 'NOTPAY', paid: 'SUCCESS', stray: 'REFUND', closed: 'CLOSED', failed: 'PAYERROR' }

/** GET /api/admin/orders/:orderNo (platform.md §Profit sharing): the order and its attempts, each with WeChat Pay's trade_state asked now. */
export const adminOrdersRoutes: FastifyPluginAsyncTypebox<AdminOrdersRoutesOptions> = async (app, { storage, gateway, adminToken }) => {
  app.addHook('onRequest', adminGuard(adminToken))
  const AttemptSchema = Type.Object({ outTradeNo: Type.String(), state: Type.String(), prepayId: Type.Optional(Type.String()), transactionId: Type.Optional(Type.String()) })
  app.get('/api/admin/orders/:orderNo', {
    schema: { params: OrderNoParamsSchema, response: { 200: Type.Object({ order: OrderSchema, attempts: Type.Array(AttemptSchema) }), '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } },
  }, async (req) => {
    const order = await storage.orders.get(req.params.orderNo)
    if (!order) throw new AppError('ORDER_NOT_FOUND', 'no such order')
    const attempts = []
    for (const a of await storage.attempts.listByOrder(order.orderNo)) {
      // An attempt never placed is unknown to WeChat Pay; others are asked (support wants the truth now).
      let state = STORED_STATE[a.status]
      let transactionId = a.transactionId ?? undefined
      if (a.prepayId) {
        try {
          const t = await gateway.query(a.outTradeNo)
          state = t.trade_state
          transactionId = t.transaction_id ?? transactionId
        } catch (e) {
          req.log.warn({ outTradeNo: a.outTradeNo, code: (e as { code?: string }).code }, 'attempt query failed; showing the stored state')
        }
      }
      attempts.push({ outTradeNo: a.outTradeNo, state, ...(a.prepayId ? { prepayId: a.prepayId } : {}), ...(transactionId ? { transactionId } : {}) })
    }
    return { order: toOrderView(order), attempts }
  })
}
