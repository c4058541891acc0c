import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, type ErrorCode } from '../errors'

interface AjvError {
  instancePath?: string
  keyword?: string
  params?: { missingProperty?: string }
  message?: string
}

/** Which contract code a schema error of a body field maps to. */
const FIELD_CODES: Record<string, ErrorCode> = { amount: 'INVALID_AMOUNT', description: 'INVALID_DESCRIPTION' }

function validationCode(errors: AjvError[]): { code: ErrorCode; message: string } {
  for (const e of errors) {
    const field = e.keyword === 'required' ? e.params?.missingProperty : e.instancePath?.split('/')[1]
    if (field && FIELD_CODES[field]) {
      return { code: FIELD_CODES[field], message: e.keyword === 'required' ? `${field} is required` : `${field} ${e.message ?? 'is invalid'}` }
    }
  }
  const e = errors[0] ?? {}
  const where = e.keyword === 'required' ? e.params?.missingProperty : e.instancePath?.replace(/^\//, '').replace(/\//g, '.')
  return { code: 'BAD_REQUEST', message: `${where ? `${where} ` : ''}${e.message ?? 'is invalid'}` }
}

/** The one place errors become the contract's `{ error: { code, message } }`; no stack ever leaves. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) req.log.warn({ code: err.code, msg: err.message }, 'request failed upstream')
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } })
    }
    const fe = err as FastifyError
    if (fe.validation) {
      return reply.code(400).send({ error: validationCode(fe.validation as AjvError[]) })
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large, …
      return reply.code(fe.statusCode).send({ error: { code: fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: fe.message } })
    }
    req.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } })
  })
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }))
}
