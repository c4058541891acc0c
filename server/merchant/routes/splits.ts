import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { REQUEST_ID_PATTERN } from '../../../src/contract/constants'
import { ErrorBodySchema, OrderNoParamsSchema } from '../../../src/contract/schemas'
import type { ManualSplits } from '../services/splits/manual'
import type { SplitReturns } from '../services/splits/returns'
import { adminGuard } from './admin'

export interface SplitsRoutesOptions {
  splits: ManualSplits
  returns: SplitReturns
  adminToken: string
}

const ReceiverViewSchema = Type.Object({
  type: Type.Union([Type.Literal('MERCHANT_ID'), Type.Literal('PERSONAL_OPENID')]),
  account: Type.String(),
  amount: Type.Integer(),
  result: Type.Union([Type.Literal('pending'), Type.Literal('success'), Type.Literal('closed')]),
  failReason: Type.Optional(Type.String()),
})
/** platform.md §Profit sharing: `split`. */
const SplitSchema = Type.Object({
  splitNo: Type.String(),
  status: Type.Union([Type.Literal('processing'), Type.Literal('finished'), Type.Literal('failed')]),
  failReason: Type.Optional(Type.String()),
  receivers: Type.Array(ReceiverViewSchema),
  finish: Type.Boolean(),
  createdAt: Type.String(),
})
const RequestId = Type.String({ pattern: REQUEST_ID_PATTERN })
const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema }

/** The admin profit-sharing API (PROFIT_SHARING=manual) behind X-Admin-Token: list, split, finish, return. */
export const splitsRoutes: FastifyPluginAsyncTypebox<SplitsRoutesOptions> = async (app, { splits, returns, adminToken }) => {
  app.addHook('onRequest', adminGuard(adminToken))

  app.get('/api/admin/orders/:orderNo/splits', {
    schema: { params: OrderNoParamsSchema, response: { 200: Type.Object({ splits: Type.Array(SplitSchema), unsplitAmount: Type.Integer() }), ...errors } },
  }, async (req) => splits.list(req.params.orderNo))

  app.post('/api/admin/orders/:orderNo/splits', {
    schema: {
      params: OrderNoParamsSchema,
      body: Type.Object({
        requestId: RequestId,
        receivers: Type.Array(
          Type.Object({
            type: Type.Union([Type.Literal('MERCHANT_ID'), Type.Literal('PERSONAL_OPENID')]),
            account: Type.String({ minLength: 1, maxLength: 64 }),
            amount: Type.Integer({ minimum: 1 }),
            description: Type.String({ minLength: 1, maxLength: 80 }),
          }, { additionalProperties: Type.Never() }),
          { minItems: 1, maxItems: 50 },
        ),
        finish: Type.Boolean(),
      }, { additionalProperties: Type.Never() }),
      response: { 200: Type.Object({ split: SplitSchema }), 201: Type.Object({ split: SplitSchema }), ...errors },
    },
  }, async (req, reply) => {
    const { split, replayed } = await splits.create(req.params.orderNo, req.body)
    return reply.code(replayed ? 200 : 201).send({ split })
  })

  app.post('/api/admin/orders/:orderNo/splits/finish', {
    schema: {
      params: OrderNoParamsSchema,
      body: Type.Object({ requestId: RequestId }, { additionalProperties: Type.Never() }),
      response: { 200: Type.Object({ split: SplitSchema }), ...errors },
    },
  }, async (req) => ({ split: (await splits.finish(req.params.orderNo, req.body.requestId)).split }))

  const ReturnSchema = Type.Object({
    returnNo: Type.String(),
    splitNo: Type.String(),
    amount: Type.Integer(),
    status: Type.Union([Type.Literal('processing'), Type.Literal('succeeded'), Type.Literal('failed')]),
    failReason: Type.Optional(Type.String()),
    createdAt: Type.String(),
  })
  app.post('/api/admin/orders/:orderNo/splits/:splitNo/returns', {
    schema: {
      params: Type.Object({ orderNo: OrderNoParamsSchema.properties.orderNo, splitNo: Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' }) }),
      body: Type.Object({ requestId: RequestId, amount: Type.Integer({ minimum: 1 }), description: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: Type.Never() }),
      response: { 200: Type.Object({ return: ReturnSchema }), 201: Type.Object({ return: ReturnSchema }), ...errors },
    },
  }, async (req, reply) => {
    const answer = await returns.create(req.params.orderNo, req.params.splitNo, req.body)
    return reply.code(answer.replayed ? 200 : 201).send({ return: answer.return })
  })
}
