import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode } from '../errors'
import { createOutageLog, isDatabaseAway, UNAVAILABLE_MESSAGE, type OutageLog } from './outage'

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

/** The contract code of an HTTP-layer client error, by status; anything else is BAD_REQUEST. */
const CLIENT_ERROR_CODE: Partial<Record<number, ErrorCode>> = { 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 414: 'URI_TOO_LONG' }

/** Fastify's `frameworkErrors`: router failures (malformed URL, over-long parameter) in the contract's body. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
  const status = tooLong ? 414 : err.code === 'FST_ERR_BAD_URL' ? 400 : 500
  const code: ErrorCode = tooLong ? 'URI_TOO_LONG' : status === 400 ? 'BAD_REQUEST' : 'INTERNAL_ERROR'
  void reply.code(status).send({ error: { code, message: tooLong ? 'a path parameter is too long' : status === 400 ? 'malformed URL' : 'internal error' } })
}

/**
 * The one place errors become the contract's `{ error: { code, message } }`; no stack ever leaves.
 * Returns the app's outage log, which the notify route (its own error bodies) shares.
 */
export function registerErrorHandler(app: FastifyInstance, outage: OutageLog = createOutageLog()): OutageLog {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (isDatabaseAway(err)) {
      outage.failed(req.log, err)
      return reply.code(503).send({ error: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE_MESSAGE } })
    }
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
      return reply.code(fe.statusCode).send({ error: { code: CLIENT_ERROR_CODE[fe.statusCode] ?? 'BAD_REQUEST', message: fe.message } })
    }
    req.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } })
  })
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }))
  return outage
}
