/**
 * The WeChat Pay v3 surface: fault injection, header and Authorization checks before any route,
 * and a platform signature on every answer except 401 (wechatpay-v3.md §1, §2, §13).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { signWechatpayMessage } from '../../../wechatpay'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import { faultAnswer, type Faults } from '../../faults'
import type { Notifier } from '../../notifier'
import { requestState } from '../request-state'
import { applymentsRoutes } from './applyments'
import { authenticate, header } from './auth'
import { certificatesRoutes } from './certificates'
import { mediaRoutes } from './media'
import { refundsRoutes } from './refunds'
import { transactionsRoutes } from './transactions'

export interface V3Options {
  ctx: EmulatorContext
  notifier: Notifier
  faults: Faults
}

/** Routes that authenticate inside the handler (the signed body is a multipart part). */
export const SELF_AUTHENTICATED = new Set(['/v3/merchant/media/upload'])

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const v3Routes: FastifyPluginAsync<V3Options> = async (app, { ctx, notifier, faults }) => {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('Request-ID', randomUUID())
    const fault = faults.take(req.method, req.routeOptions.url, req.url.split('?')[0])
    if (fault?.latencyMs) await sleep(fault.latencyMs)
    if (fault?.status) {
      const a = faultAnswer(fault.status)
      throw new ApiError(a.code, a.message, undefined, a.status)
    }
  })

  app.addHook('preValidation', async (req) => {
    if (!header(req, 'accept') || !header(req, 'user-agent')) throw new ApiError('INVALID_REQUEST', 'Http头缺少Accept或User-Agent', { location: 'header' })
    if (SELF_AUTHENTICATED.has(req.routeOptions.url ?? '')) return
    const state = requestState(req)
    authenticate(ctx, req, state.rawBody ?? '')
    if (req.method !== 'GET' && req.method !== 'DELETE' && state.jsonInvalid) {
      throw new ApiError('PARAM_ERROR', '请求体不是有效的JSON', { location: 'body', issue: 'body is not valid JSON' })
    }
  })

  // Every answer but 401 carries the platform signature; the request's Wechatpay-Serial picks the key during a switch.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode === 401) return payload
    const body = payload === undefined || payload === null ? '' : typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null
    if (body === null) return payload
    const key = ctx.responseKey(requestState(req).merchant, header(req, 'wechatpay-serial'))
    const headers = signWechatpayMessage({ serial: key.serialNo, privateKey: ctx.keys.privateKey(key.privateKeyPem), clock: ctx.now, nonce: () => ctx.nonce(32) }, body)
    for (const [k, v] of Object.entries(headers)) reply.header(k, v)
    return payload
  })

  await app.register(transactionsRoutes, { ctx, notifier })
  await app.register(refundsRoutes, { ctx, notifier })
  await app.register(certificatesRoutes, { ctx })
  await app.register(mediaRoutes, { ctx })
  await app.register(applymentsRoutes, { ctx })
}
