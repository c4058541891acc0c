import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createOrderBodySchema, ErrorBodySchema, OrderNoParamsSchema, OrderSchema, OrderWithPaymentSchema, PaymentSchema } from '../../../src/contract/schemas'
import { bearerAuth } from '../plugins/auth'
import type { OrderService } from '../services/orders'
import type { SessionService } from '../services/session'
import type { ShopService } from '../services/shops'

export interface OrdersRoutesOptions {
  orders: OrderService
  sessions: SessionService
  maxOrderFen: number
  shops: ShopService
}

/** The caller's orders: create, list, detail, fresh payment, close. */
export const ordersRoutes: FastifyPluginAsyncTypebox<OrdersRoutesOptions> = async (app, { orders, sessions, maxOrderFen, shops }) => {
  app.addHook('onRequest', bearerAuth(sessions))
  const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema }

  app.post('/api/orders', {
    schema: { body: createOrderBodySchema(maxOrderFen), response: { 200: OrderWithPaymentSchema, 201: OrderWithPaymentSchema, ...errors } },
  }, async (req, reply) => {
    const shop = await shops.forOrder(req.body.shopId)
    const { order, payment, replayed } = await orders.create(req.user, { ...req.body, shop })
    return reply.code(replayed ? 200 : 201).send({ order, payment })
  })

  app.get('/api/orders', {
    schema: { response: { 200: Type.Object({ orders: Type.Array(OrderSchema) }), ...errors } },
  }, async (req) => ({ orders: await orders.list(req.user) }))

  app.get('/api/orders/:orderNo', {
    schema: { params: OrderNoParamsSchema, response: { 200: Type.Object({ order: OrderSchema }), ...errors } },
  }, async (req) => ({ order: await orders.get(req.user, req.params.orderNo) }))

  app.post('/api/orders/:orderNo/payment', {
    schema: { params: OrderNoParamsSchema, response: { 200: Type.Object({ payment: PaymentSchema }), ...errors } },
  }, async (req) => ({ payment: await orders.renewPayment(req.user, req.params.orderNo) }))

  app.post('/api/orders/:orderNo/close', {
    schema: { params: OrderNoParamsSchema, response: { 200: Type.Object({ order: OrderSchema }), ...errors } },
  }, async (req) => ({ order: await orders.close(req.user, req.params.orderNo) }))
}
