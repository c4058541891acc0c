import { timingSafeEqual, createHash } from 'node:crypto'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors'
import { REFUND_REASON_MAX_CHARS, REQUEST_ID_PATTERN } from '../../../src/contract/constants'
import { ErrorBodySchema, OrderNoParamsSchema, OrderSchema, RefundSchema } from '../../../src/contract/schemas'
import type { OrderService } from '../services/orders'

export interface AdminRoutesOptions {
  orders: OrderService
  adminToken: string
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** An onRequest hook that lets only requests carrying the admin token through (constant-time compare). */
export function adminGuard(adminToken: string) {
  const expected = digest(adminToken)
  return async (req: FastifyRequest) => {
    const given = req.headers['x-admin-token']
    // Hashing first makes the comparison constant-time whatever the given length.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) throw new AppError('UNAUTHENTICATED', 'missing or wrong X-Admin-Token')
  }
}

/** Admin API behind X-Admin-Token: refunds. */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { orders, adminToken }) => {
  app.addHook('onRequest', adminGuard(adminToken))

  app.post('/api/admin/orders/:orderNo/refunds', {
    schema: {
      params: OrderNoParamsSchema,
      body: Type.Object({
        amount: Type.Integer({ minimum: 1 }),
        reason: Type.Optional(Type.String({ maxLength: REFUND_REASON_MAX_CHARS })),
        requestId: Type.String({ pattern: REQUEST_ID_PATTERN }), // required: the same requestId is the same refund
        // Refused rather than stripped: a misspelt field in an admin script must not refund silently.
      }, { additionalProperties: Type.Never() }),
      response: { 200: Type.Object({ refund: RefundSchema, order: OrderSchema }), 201: Type.Object({ refund: RefundSchema, order: OrderSchema }), '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
    },
  }, async (req, reply) => {
    const { refund, order, replayed } = await orders.refund(req.params.orderNo, req.body)
    return reply.code(replayed ? 200 : 201).send({ refund, order })
  })
}
