import cors from '@fastify/cors'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config'
import { frameworkErrors, registerErrorHandler } from './plugins/errors'
import { adminRoutes } from './routes/admin'
import { notifyRoutes } from './routes/notify'
import { ordersRoutes } from './routes/orders'
import { sessionRoutes } from './routes/session'
import { createNotificationHandler } from './services/notifications'
import { RateLimiter } from './services/rate-limiter'
import { createOrderService, type OrderService } from './services/orders'
import { startReconciler, type Reconciler } from './services/reconciler'
import { createSessionService } from './services/session'
import { createWechatPayGateway, type PaymentGateway } from './services/wechatpay-gateway'
import { openStorage, type Storage } from './storage'

export interface AppDeps {
  config: Config
  /** Defaults to the storage DATABASE_URL names; closed with the app when it opened it. */
  storage?: Storage
  gateway?: PaymentGateway
  /** Milliseconds since the epoch; drives tokens, expiry, throttles and WeChat Pay signatures. */
  clock?: () => number
  nonce?: () => string
  fetch?: typeof fetch
  /** Fastify logger options; default: the configured level with secrets redacted. */
  logger?: FastifyServerOptions['logger']
}

export interface MerchantApp extends FastifyInstance {
  orders: OrderService
  storage: Storage
  reconciler: Reconciler
}

/** Log paths that may carry a secret: never written, whatever the level. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-admin-token"]',
  'headers.authorization',
  'headers["x-admin-token"]',
  '*.token',
  '*.code',
  '*.secret',
  '*.session_key',
  '*.apiV3Key',
  '*.privateKey',
  '*.adminToken',
  '*.sessionSecret',
  '*.appSecret',
]

const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/

/** Builds the merchant backend (no listen): storage, services, routes, reconciler. */
export async function buildApp(deps: AppDeps): Promise<MerchantApp> {
  const { config } = deps
  const clock = deps.clock ?? Date.now
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    bodyLimit: 16 * 1024,
    // Amounts are integers: "100" must be a 400, not coerced (architecture.md).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: true, allErrors: false } },
    // A malformed or over-long URL fails in the router, before any error handler: same body as every other error.
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>()

  const storage = deps.storage ?? openStorage(config.databaseUrl)
  const gateway = deps.gateway ?? createWechatPayGateway(config, { clock, nonce: deps.nonce, fetch: deps.fetch })
  const logger = app.log
  const orders = createOrderService({
    storage,
    gateway,
    clock,
    logger,
    maxOrderFen: config.maxOrderFen,
    orderExpireMinutes: config.orderExpireMinutes,
    rateLimitOrdersPerMin: config.rateLimitOrdersPerMin,
  })
  const sessions = createSessionService({
    storage,
    appId: config.miniProgramAppId,
    appSecret: config.appSecret,
    wechatApiBase: config.wechatApiBase,
    sessionSecret: config.sessionSecret,
    ttlSeconds: config.sessionTtlSeconds,
    clock,
    fetch: deps.fetch,
  })
  const handle = createNotificationHandler({ storage, gateway, orders, logger, clock })
  const reconciler = startReconciler(orders, config.reconcileIntervalMs, logger)

  registerErrorHandler(app)
  await app.register(cors, {
    origin: (origin, cb) => {
      if (!origin) return cb(null, false)
      const allowed = config.corsOrigins === 'loopback' ? LOOPBACK_ORIGIN.test(origin) : config.corsOrigins.includes(origin)
      cb(null, allowed)
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    maxAge: 600,
  })
  app.get('/healthz', async () => ({ ok: true }))
  await app.register(sessionRoutes, { sessions, loginLimiter: new RateLimiter(config.rateLimitLoginsPerMin, 60_000, clock) })
  await app.register(ordersRoutes, { orders, sessions, maxOrderFen: config.maxOrderFen })
  await app.register(adminRoutes, { orders, adminToken: config.adminToken })
  await app.register(notifyRoutes, { handle })

  app.addHook('onClose', async () => {
    await reconciler.stop()
    if (!deps.storage) storage.close()
  })
  return Object.assign(app as unknown as FastifyInstance, { orders, storage, reconciler }) as MerchantApp
}
