import type { FastifyRequest } from 'fastify'
import { paramError } from '../../errors'

/** A query parameter; `required` ones missing are 400 PARAM_ERROR naming them. */
export function queryString(req: FastifyRequest, name: string, required: true): string
export function queryString(req: FastifyRequest, name: string, required?: false): string | undefined
export function queryString(req: FastifyRequest, name: string, required = false): string | undefined {
  const v = (req.query as Record<string, unknown>)[name]
  if (typeof v === 'string' && v !== '') return v
  if (required) throw paramError(name, 'is required', undefined, 'query')
  return undefined
}
