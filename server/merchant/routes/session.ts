import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBodySchema, SessionSchema } from '../../../src/contract/schemas'
import { AppError } from '../errors'
import type { Limiter } from '../storage'
import type { SessionService } from '../services/session'

export interface SessionRoutesOptions {
  sessions: SessionService
  /** Logins per source address: each one costs an outbound jscode2session call (issue 11). */
  loginLimiter: Limiter
}

/** POST /api/session: wx.login code → session token. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions, loginLimiter }) => {
  app.post('/api/session', {
    schema: {
      // Unknown fields are stripped: a newer app may send more than this backend knows.
      body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' }) }, { additionalProperties: false }),
      response: { 200: SessionSchema, '4xx': ErrorBodySchema, '5xx': ErrorBodySchema },
    },
  }, async (req) => {
    if (!(await loginLimiter.take(req.ip))) throw new AppError('RATE_LIMITED', 'too many logins from this address, try again in a minute')
    return sessions.login(req.body.code)
  })
}
