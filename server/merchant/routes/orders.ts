import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerAuth } from '../plugins/auth'
import { ErrorBody, OrderNoParams, OrderSchema, PaymentSchema, REQUEST_ID_PATTERN } from '../schemas'
import type { OrderService } from '../services/orders'
import type { SessionService } from '../services/session'

export interface OrdersRoutesOptions {
  orders: OrderService
  sessions: SessionService
  maxOrderFen: number
}

/** The caller's orders: create, list, detail, fresh payment, close. */
export const ordersRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (app, { orders, sessions, maxOrderFen }) => {
  app.addHook('onRequest', bearerAuth(sessions))
  const errors = { '4xx': ErrorBody, '5xx': ErrorBody }

  const CreateOrderBody = Type.Object({
    amount: Type.Integer({ minimum: 1, maximum: maxOrderFen }), // integer fen, never coerced from "100"
    description: Type.String({ maxLength: 1024 }), // trimmed and checked by checkDescription
    requestId: Type.String({ pattern: REQUEST_ID_PATTERN }),
  })
  const OrderWithPayment = Type.Object({ order: OrderSchema, payment: Type.Union([PaymentSchema, Type.Null()]) })

  app.post('/api/orders', {
    schema: { body: CreateOrderBody, response: { 200: OrderWithPayment, 201: OrderWithPayment, ...errors } },
  }, async (req, reply) => {
    const { order, payment, replayed } = await orders.create(req.user, req.body)
    return reply.code(replayed ? 200 : 201).send({ order, payment })
  })

  app.get('/api/orders', {
    schema: { response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...errors } },
  }, async (req) => ({ orders: orders.list(req.user) }))

  app.get('/api/orders/:orderNo', {
    schema: { params: OrderNoParams, response: { 200: Type.Object({ order: OrderSchema }), ...errors } },
  }, async (req) => ({ order: await orders.get(req.user, req.params.orderNo) }))

  app.post('/api/orders/:orderNo/payment', {
    schema: { params: OrderNoParams, response: { 200: Type.Object({ payment: PaymentSchema }), ...errors } },
  }, async (req) => ({ payment: await orders.renewPayment(req.user, req.params.orderNo) }))

  app.post('/api/orders/:orderNo/close', {
    schema: { params: OrderNoParams, response: { 200: Type.Object({ order: OrderSchema }), ...errors } },
  }, async (req) => ({ order: await orders.close(req.user, req.params.orderNo) }))
}
