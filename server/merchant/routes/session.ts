import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody } from '../schemas'
import type { SessionService } from '../services/session'

export interface SessionRoutesOptions {
  sessions: SessionService
}

/** POST /api/session: wx.login code → session token. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions }) => {
  app.post('/api/session', {
    schema: {
      body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' }) }),
      response: { 200: Type.Object({ token: Type.String(), expiresIn: Type.Integer() }), '4xx': ErrorBody, '5xx': ErrorBody },
    },
  }, async (req) => sessions.login(req.body.code))
}
