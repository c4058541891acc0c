/**
 * buildEmulator(options): the WeChat Pay v3 + jscode2session emulator as a Fastify instance
 * (no listen). Clock, nonce, randomness, fetch and key generation are injectable.
 */
import cors from '@fastify/cors'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { createContext, type EmulatorContext, type EmulatorOptions } from './context'
import { ApiError, ControlError } from './errors'
import { Faults } from './faults'
import { Notifier } from './notifier'
import { applymentsControlRoutes } from './routes/control/applyments'
import { clientRoutes } from './routes/control/client'
import { componentsRoutes } from './routes/control/components'
import { dashboardRoutes } from './routes/control/dashboard'
import { merchantsRoutes } from './routes/control/merchants'
import { observeRoutes } from './routes/control/observe'
import { orderListRoutes } from './routes/control/order-list'
import { refundControlRoutes } from './routes/control/refunds'
import { triggerRoutes } from './routes/control/trigger'
import { requestState } from './routes/request-state'
import { snsRoutes } from './routes/sns'
import { snsComponentRoutes } from './routes/sns-component'
import { v3Routes } from './routes/v3'
import { prepareRefundNotification } from './state/refunds'
import { createFileStore, createMemoryStore } from './state/store'

export type { EmulatorOptions } from './context'

/** What tests and the CLI reach through `app.emulator`. */
export interface EmulatorHandles {
  ctx: EmulatorContext
  notifier: Notifier
  faults: Faults
}

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/

/** CORS for the H5 build: the listed origins, or any loopback origin when none are listed. */
export const corsAllows = (origins: string[] | undefined, origin: string | undefined): boolean =>
  origin === undefined || (origins && origins.length ? origins.includes(origin) : LOOPBACK_ORIGIN.test(origin))

/** Builds the emulator; `await app.ready()` or `app.listen()` it. */
export function buildEmulator(options: EmulatorOptions = {}): FastifyInstance & { emulator: EmulatorHandles } {
  const store = options.statePath ? createFileStore(options.statePath) : createMemoryStore()
  const ctx = createContext(options, store)
  ctx.defaultPlatform() // create (or load) the platform key now, not in the first request
  const faults = new Faults()
  const notifier = new Notifier(ctx, faults, (job) => prepareRefundNotification(ctx, job))

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 4 * 1024 * 1024 })
  app.decorate('emulator', { ctx, notifier, faults })

  // Keep the raw body: signatures are over the exact bytes sent (wechatpay-v3.md §1.1).
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const state = requestState(req)
    state.rawBody = body as string
    if (body === '') return done(null, undefined)
    try {
      done(null, JSON.parse(body as string))
    } catch {
      state.jsonInvalid = true
      done(null, undefined)
    }
  })

  void app.register(cors, { origin: (origin, cb) => cb(null, corsAllows(options.corsOrigins, origin)) })

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const isV3 = req.url.startsWith('/v3/')
    if (error instanceof ApiError) return reply.code(error.status).type('application/json; charset=utf-8').send(JSON.stringify(error.body()))
    if (error instanceof ControlError) return reply.code(error.status).send({ error: { code: error.code, message: error.message } })
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) req.log.error({ err: error }, 'emulator error')
    if (isV3) {
      const e =
        error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? new ApiError('INVALID_REQUEST', 'Http头Content-Type值必须为application/json', { location: 'header' })
          : status === 413
            ? new ApiError('PARAM_ERROR', '请求体过大', { location: 'body' })
            : status < 500
              ? new ApiError('INVALID_REQUEST', 'HTTP 请求不符合微信支付 APIv3 接口规则', { issue: error.message })
              : new ApiError('SYSTEM_ERROR', '系统异常，请稍后重试')
      return reply.code(e.status).type('application/json; charset=utf-8').send(JSON.stringify(e.body()))
    }
    return reply.code(status).send({ error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: status === 500 ? 'emulator error' : error.message } })
  })

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/sns/')) return reply.code(200).type('text/plain').send(JSON.stringify({ errcode: 40066, errmsg: 'invalid url' }))
    if (req.url.startsWith('/v3/')) return reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ code: 'NOT_FOUND', message: '请求的资源不存在' }))
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} is not an emulator route` } })
  })

  void app.register(v3Routes, { ctx, notifier, faults })
  void app.register(snsRoutes, { ctx, faults })
  void app.register(merchantsRoutes, { ctx })
  void app.register(clientRoutes, { ctx, notifier })
  void app.register(observeRoutes, { ctx, notifier, faults })
  void app.register(applymentsControlRoutes, { ctx })
  void app.register(refundControlRoutes, { ctx, notifier })
  void app.register(snsComponentRoutes, { ctx, faults })
  void app.register(componentsRoutes, { ctx })
  void app.register(orderListRoutes, { ctx })
  void app.register(triggerRoutes, { ctx, notifier })
  void app.register(dashboardRoutes, { ctx })
  app.get('/healthz', async () => ({ ok: true }))

  app.addHook('onReady', async () => notifier.kick()) // resume deliveries kept in the state file
  app.addHook('onClose', async () => {
    await notifier.close()
    store.flush()
  })
  return app as unknown as FastifyInstance & { emulator: EmulatorHandles }
}
