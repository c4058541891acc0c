import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBodySchema, SessionSchema } from '../../../src/contract/schemas'
import type { SessionService } from '../services/session'

export interface SessionRoutesOptions {
  sessions: SessionService
}

/** POST /api/session: wx.login code → session token. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions }) => {
  app.post('/api/session', {
    schema: {
      body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' }) }),
      response: { 200: SessionSchema, '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
    },
  }, async (req) => sessions.login(req.body.code))
}
