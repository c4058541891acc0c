import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bearerAuth } from '../plugins/auth'
import { ApplicationSchema, ErrorBodySchema } from '../../../src/contract/schemas'
import type { ApplicationService } from '../services/applications/service'
import type { SessionService } from '../services/session'
import { adminGuard } from './admin'

export interface ApplicationsRoutesOptions {
  applications: ApplicationService
  sessions: SessionService
  adminToken: string
}

const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema }
const One = Type.Object({ application: ApplicationSchema })
const Many = Type.Object({ applications: Type.Array(ApplicationSchema) })
const NoParams = Type.Object({ applicationNo: Type.String({ maxLength: 64 }) })

/**
 * Onboarding (platform.md): the applicant's applications, and the admin's list of all. Bodies are
 * checked by validateApplication (every bad field at once), not by a first-error schema.
 */
export const applicationsRoutes: FastifyPluginAsyncTypebox<ApplicationsRoutesOptions> = async (app, { applications, sessions, adminToken }) => {
  const user = bearerAuth(sessions)
  app.post('/api/applications', { onRequest: user, schema: { response: { 200: One, 201: One, ...errors } } }, async (req, reply) => {
    const { application, replayed } = await applications.create(req.user, req.body)
    return reply.code(replayed ? 200 : 201).send({ application })
  })
  app.get('/api/applications', { onRequest: user, schema: { response: { 200: Many, ...errors } } }, async (req) => ({ applications: await applications.list(req.user) }))
  app.get('/api/applications/:applicationNo', { onRequest: user, schema: { params: NoParams, response: { 200: One, ...errors } } }, async (req) => ({
    application: await applications.get(req.user, req.params.applicationNo),
  }))
  app.put('/api/applications/:applicationNo', { onRequest: user, schema: { params: NoParams, response: { 200: One, ...errors } } }, async (req) => ({
    application: await applications.resubmit(req.user, req.params.applicationNo, req.body),
  }))
  app.get('/api/admin/applications', { onRequest: adminGuard(adminToken), schema: { response: { 200: Many, ...errors } } }, async () => ({ applications: await applications.listAll() }))
}
