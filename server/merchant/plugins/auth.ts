import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SessionService } from '../services/session'
import type { UserRecord } from '../storage'

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRecord
  }
}

/** An onRequest hook that authenticates `Authorization: Bearer <token>` into `req.user`. */
export function bearerAuth(sessions: SessionService) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    req.user = await sessions.authenticate(token)
  }
}
