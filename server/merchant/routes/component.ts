import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBodySchema } from '../../../src/contract/schemas'
import { adminTokenGuard } from '../plugins/admin-token'
import type { ComponentTokens } from '../services/component'

export interface ComponentRoutesOptions {
  component: ComponentTokens
  adminToken: string
}

/**
 * POST /api/admin/component/ticket { ticket } (thirdparty scenario, platform.md): the latest
 * component_verify_ticket WeChat pushed to the component; stored, then used to buy access tokens.
 */
export const componentRoutes: FastifyPluginAsyncTypebox<ComponentRoutesOptions> = async (app, { component, adminToken }) => {
  app.addHook('onRequest', adminTokenGuard(adminToken))
  app.post('/api/admin/component/ticket', {
    schema: {
      body: Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 512, pattern: '^[\\x21-\\x7e]+$' }) }),
      response: { 200: Type.Object({ stored: Type.Boolean() }), '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
    },
  }, async (req) => {
    await component.setTicket(req.body.ticket)
    component.invalidate()
    return { stored: true }
  })
}
