import { timingSafeEqual, createHash } from 'node:crypto'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../errors'
import { ErrorBody, OrderNoParams, OrderSchema, RefundSchema, REQUEST_ID_PATTERN } from '../schemas'
import { MAX_REFUND_REASON_CHARS, type OrderService } from '../services/orders'

export interface AdminRoutesOptions {
  orders: OrderService
  adminToken: string
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Admin API behind X-Admin-Token (constant-time compare): refunds. */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { orders, adminToken }) => {
  const expected = digest(adminToken)
  app.addHook('onRequest', async (req) => {
    const given = req.headers['x-admin-token']
    // Hashing first makes the comparison constant-time whatever the given length.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) throw new AppError('UNAUTHENTICATED', 'missing or wrong X-Admin-Token')
  })

  app.post('/api/admin/orders/:orderNo/refunds', {
    schema: {
      params: OrderNoParams,
      body: Type.Object({
        amount: Type.Integer({ minimum: 1 }),
        reason: Type.Optional(Type.String({ maxLength: MAX_REFUND_REASON_CHARS })),
        requestId: Type.Optional(Type.String({ pattern: REQUEST_ID_PATTERN })),
      }),
      response: { 200: Type.Object({ refund: RefundSchema, order: OrderSchema }), 201: Type.Object({ refund: RefundSchema, order: OrderSchema }), '4xx': ErrorBody, '5xx': ErrorBody },
    },
  }, async (req, reply) => {
    const { refund, order, replayed } = await orders.refund(req.params.orderNo, req.body)
    return reply.code(replayed ? 200 : 201).send({ refund, order })
  })
}
