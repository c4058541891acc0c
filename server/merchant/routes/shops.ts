import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBodySchema, ShopSchema } from '../../../src/contract/schemas'
import type { ShopService } from '../services/shops'

/** GET /api/shops/:shopId: what the checkout shows above the amount (public: a shop's name is on its QR code anyway). */
export const shopsRoutes: FastifyPluginAsyncTypebox<{ shops: ShopService }> = async (app, { shops }) => {
  app.get('/api/shops/:shopId', {
    schema: {
      params: Type.Object({ shopId: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Object({ shop: ShopSchema }), '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
    },
  }, async (req) => ({ shop: await shops.get(req.params.shopId) }))
}
