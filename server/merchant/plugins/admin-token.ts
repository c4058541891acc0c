import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** An onRequest hook that lets only X-Admin-Token holders through (constant-time compare). */
export function adminTokenGuard(adminToken: string): (req: FastifyRequest) => Promise<void> {
  const expected = digest(adminToken)
  return async (req) => {
    const given = req.headers['x-admin-token']
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) throw new AppError('UNAUTHENTICATED', 'missing or wrong X-Admin-Token')
  }
}
