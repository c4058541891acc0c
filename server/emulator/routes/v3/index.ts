/**
 * The WeChat Pay v3 surface: fault injection, header and Authorization checks before any route,
 * and a platform signature on every answer except 401 (wechatpay-v3.md §1, §2, §13).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { signWechatpayMessage } from '../../../wechatpay'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import { faultAnswer, type Faults, refusalMessage } from '../../faults'
import type { Notifier } from '../../notifier'
import { requestState } from '../request-state'
import { applymentsRoutes } from './applyments'
import { authenticate, header } from './auth'
import { certificatesRoutes } from './certificates'
import { ecommerceRefundsRoutes } from './ecommerce-refunds'
import { mediaRoutes } from './media'
import { ordinaryProfitSharingRoutes } from './profitsharing'
import { ecommerceProfitSharingRoutes } from './profitsharing-ecommerce'
import { refundsRoutes } from './refunds'
import { transactionsRoutes } from './transactions'

export interface V3Options {
  ctx: EmulatorContext
  notifier: Notifier
  faults: Faults
}

/** Routes that authenticate inside the handler (the signed body is a multipart part). */
export const SELF_AUTHENTICATED = new Set(['/v3/merchant/media/upload'])

/** An answer under the `stale` fault is signed this long ago: outside the 5-minute window. */
export const STALE_ANSWER_MS = 10 * 60 * 1000

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const v3Routes: FastifyPluginAsync<V3Options> = async (app, { ctx, notifier, faults }) => {
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('Request-ID', randomUUID())
    const fault = faults.take(req.method, req.routeOptions.url, req.url.split('?')[0])
    if (!fault) return
    requestState(req).fault = fault
    if (fault.latencyMs) await sleep(fault.latencyMs)
    if (fault.status) {
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

  // A refusal armed by code comes after authentication, like WeChat Pay's business refusals.
  app.addHook('preHandler', async (req) => {
    const fault = requestState(req).fault
    if (fault?.code) throw new ApiError(fault.code, refusalMessage(fault))
  })

  // Every answer but 401 carries the platform signature; the request's Wechatpay-Serial picks the key during a switch.
  // An armed `answer` fault spoils it, a `lose` fault drops the connection: the request has taken effect either way.
  app.addHook('onSend', async (req, reply, payload) => {
    const { fault, merchant } = requestState(req)
    if (fault?.lose) {
      req.raw.socket.destroy()
      return payload
    }
    if (reply.statusCode === 401 || fault?.answer === 'unsigned') return payload
    const body = payload === undefined || payload === null ? '' : typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null
    if (body === null) return payload
    const key = ctx.responseKey(merchant, header(req, 'wechatpay-serial'))
    const clock = fault?.answer === 'stale' ? () => ctx.now() - STALE_ANSWER_MS : ctx.now
    const signer = { serial: key.serialNo, privateKey: ctx.keys.privateKey(key.privateKeyPem), clock, nonce: () => ctx.nonce(32) }
    const headers = signWechatpayMessage(signer, body)
    // A real signature by the right key, but over other bytes; or WeChat Pay's deliberate probe (wechatpay-v3.md §2.2).
    if (fault?.answer === 'bad-signature') headers['Wechatpay-Signature'] = signWechatpayMessage(signer, `${body}\n`)['Wechatpay-Signature']
    if (fault?.answer === 'signtest') headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(48).toString('base64')}`
    for (const [k, v] of Object.entries(headers)) void reply.header(k, v)
    return payload
  })

  await app.register(transactionsRoutes, { ctx, notifier })
  await app.register(refundsRoutes, { ctx, notifier, faults })
  await app.register(certificatesRoutes, { ctx })
  await app.register(mediaRoutes, { ctx })
  await app.register(applymentsRoutes, { ctx })
  await app.register(ecommerceProfitSharingRoutes, { ctx })
  await app.register(ordinaryProfitSharingRoutes, { ctx })
  await app.register(ecommerceRefundsRoutes, { ctx, notifier, faults })
}
