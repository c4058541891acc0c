import type { FastifyRequest } from 'fastify'
import type { RouteFault } from '../faults'
import type { MerchantRecord } from '../state/types'

/** Per-request facts the hooks share (a WeakMap rather than a global FastifyRequest augmentation). */
export interface RequestState {
  rawBody?: string
  jsonInvalid?: boolean
  merchant?: MerchantRecord
  /** The route fault armed for this request, taken when it arrived. */
  fault?: RouteFault
}

const states = new WeakMap<FastifyRequest, RequestState>()

/** The shared state of one request, created on first use. */
export function requestState(req: FastifyRequest): RequestState {
  let s = states.get(req)
  if (!s) states.set(req, (s = {}))
  return s
}
