import cors from '@fastify/cors'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config'
import { frameworkErrors, registerErrorHandler } from './plugins/errors'
import { adminRoutes } from './routes/admin'
import { applicationsRoutes } from './routes/applications'
import { componentRoutes } from './routes/component'
import { MEDIA_UPLOADS_PER_USER_PER_MIN, mediaRoutes } from './routes/media'
import { shopsRoutes } from './routes/shops'
import { notifyRoutes } from './routes/notify'
import { ordersRoutes } from './routes/orders'
import { sessionRoutes } from './routes/session'
import { createOnboardingGateway, type OnboardingGateway } from './services/applications/gateway'
import { createSealer } from './services/applications/sealed'
import { createApplicationService, type ApplicationService } from './services/applications/service'
import { createComponentTokens } from './services/component'
import { createNotificationHandler } from './services/notifications'
import { createOrderService, type OrderService } from './services/orders'
import { startReconciler, type Reconciler } from './services/reconciler'
import { createSessionService } from './services/session'
import { createShopService, type ShopService } from './services/shops'
import { createAutoSplits } from './services/splits/auto'
import { createSplitGateway } from './services/splits/gateway'
import { createManualSplits } from './services/splits/manual'
import { createSplitReturns } from './services/splits/returns'
import { splitsRoutes } from './routes/splits'
import { adminOrdersRoutes } from './routes/admin-orders'
import { createWechatPayClient, createWechatPayGateway, type PaymentGateway } from './services/wechatpay-gateway'
import { openStorage, type Storage } from './storage'

export interface AppDeps {
  config: Config
  /** Defaults to the storage DATABASE_URL names; closed with the app when it opened it. */
  storage?: Storage
  gateway?: PaymentGateway
  /** Onboarding's WeChat Pay calls (partner / ecommerce); defaults to the shared client's. */
  onboarding?: OnboardingGateway
  /** Milliseconds since the epoch; drives tokens, expiry, throttles and WeChat Pay signatures. */
  clock?: () => number
  nonce?: () => string
  fetch?: typeof fetch
  /** Fastify logger options; default: the configured level with secrets redacted. */
  logger?: FastifyServerOptions['logger']
}

type TypedFastify = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

/** The built app, decorated with the services tests and tools reach into. */
export interface MerchantApp extends TypedFastify {
  orders: OrderService
  storage: Storage
  reconciler: Reconciler
  shops: ShopService
  /** partner / ecommerce only. */
  applications?: ApplicationService
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
  // Onboarding personal data (never logged; these catch an accidental object in a log line).
  'body',
  '*.body',
  'req.body',
  '*.idCard',
  '*.bankAccount',
  '*.contact',
  '*.id_card_info',
  '*.account_info',
  '*.contact_info',
  '*.sealed',
  '*.detail',
  '*.decrypted',
]

/** Request bodies of the JSON API are small; anything bigger is a 413. */
const BODY_LIMIT_BYTES = 16 * 1024
/** How long browsers may cache a CORS preflight answer. */
const CORS_MAX_AGE_SECONDS = 600

const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/

/** Builds the merchant backend (no listen): storage, services, routes, reconciler. */
export async function buildApp(deps: AppDeps): Promise<MerchantApp> {
  const { config } = deps
  const clock = deps.clock ?? Date.now
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    bodyLimit: BODY_LIMIT_BYTES,
    // Amounts are integers: "100" must be a 400, not coerced (architecture.md).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: true, allErrors: false } },
    // A malformed or over-long URL fails in the router, before any error handler: same body as every other error.
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>()

  const storage = deps.storage ?? (await openStorage(config.databaseUrl))
  const client = createWechatPayClient(config, {
    clock,
    nonce: deps.nonce,
    fetch: deps.fetch,
    onCertificateRefreshError: (e) => app.log.error({ err: (e as Error).message }, 'platform certificate refresh failed; the cached certificates stay in use'),
  })
  // Partner / ecommerce orders go to the sub_mchid stored on their order (its shop's).
  const routeOf = async (outTradeNo: string) => {
    const attempt = await storage.attempts.get(outTradeNo)
    const order = attempt && (await storage.orders.get(attempt.orderNo))
    return order ? { subMchid: order.subMchid, subAppId: order.subAppId } : undefined
  }
  const gateway = deps.gateway ?? createWechatPayGateway(config, { client, routeOf })
  const logger = app.log
  // PROFIT_SHARING=auto: the commission of every paid order is split by a durable job.
  const splitGateway = config.mode !== 'direct' && config.profitSharing !== 'off' ? createSplitGateway(config, client) : undefined
  const autoSplits = splitGateway && config.profitSharing === 'auto'
    ? createAutoSplits({ storage, gateway: splitGateway, clock, logger, commissionBps: config.platformCommissionBps, defaultSubMchid: config.subMchid })
    : undefined
  // The admin split API answers in both modes (auto: ORDER_NOT_SPLITTABLE for a new split).
  const manualSplits = splitGateway ? createManualSplits({ storage, gateway: splitGateway, config, clock, logger }) : undefined
  const orders = createOrderService({
    storage,
    gateway,
    clock,
    logger,
    maxOrderFen: config.maxOrderFen,
    orderExpireMinutes: config.orderExpireMinutes,
    rateLimitOrdersPerMin: config.rateLimitOrdersPerMin,
    profitSharing: config.mode !== 'direct' && config.profitSharing !== 'off',
    ...(autoSplits ? { afterPaid: autoSplits } : {}),
  })
  const component = config.component && createComponentTokens({ ...config.component, wechatApiBase: config.wechatApiBase, tickets: storage.componentTickets, clock, fetch: deps.fetch })
  const sessions = createSessionService({
    storage,
    appId: config.miniProgramAppId,
    appSecret: config.appSecret,
    ...(component ? { component } : {}),
    wechatApiBase: config.wechatApiBase,
    sessionSecret: config.sessionSecret,
    ttlSeconds: config.sessionTtlSeconds,
    clock,
    fetch: deps.fetch,
  })
  const handle = createNotificationHandler({ storage, gateway, orders, logger, clock })
  const shops = createShopService({ storage, config })
  const onboarding = deps.onboarding ?? createOnboardingGateway(client)
  const applications = config.mode !== 'direct' && config.dataEncryptionKey
    ? createApplicationService({ storage, gateway: onboarding, sealer: createSealer(config.dataEncryptionKey), clock, logger })
    : undefined
  const morePasses = [...(applications ? [() => applications.reconcile()] : []), ...(autoSplits ? [() => autoSplits.runDue()] : [])]
  const reconciler = startReconciler(storage, orders, config.reconcileIntervalMs, logger, morePasses)

  const outage = registerErrorHandler(app)
  await app.register(cors, {
    origin: (origin, cb) => {
      if (!origin) return cb(null, false)
      const allowed = config.corsOrigins === 'loopback' ? LOOPBACK_ORIGIN.test(origin) : config.corsOrigins.includes(origin)
      cb(null, allowed)
    },
    methods: ['GET', 'POST', 'PUT', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    maxAge: CORS_MAX_AGE_SECONDS,
  })
  app.get('/healthz', async () => ({ ok: true }))
  await app.register(sessionRoutes, { sessions, loginLimiter: storage.limiter('logins', config.rateLimitLoginsPerMin, 60_000, clock) })
  await app.register(ordersRoutes, { orders, sessions, maxOrderFen: config.maxOrderFen, shops })
  await app.register(shopsRoutes, { shops })
  if (applications) {
    await app.register(applicationsRoutes, { applications, sessions, adminToken: config.adminToken })
    await app.register(mediaRoutes, { sessions, gateway: onboarding, mediaMaxBytes: config.mediaMaxBytes, limiter: storage.limiter('media', MEDIA_UPLOADS_PER_USER_PER_MIN, 60_000, clock) })
  }
  await app.register(adminRoutes, { orders, adminToken: config.adminToken })
  await app.register(adminOrdersRoutes, { storage, gateway, adminToken: config.adminToken })
  if (manualSplits && splitGateway) {
    const returns = createSplitReturns({ storage, gateway: splitGateway, config, clock, logger })
    await app.register(splitsRoutes, { splits: manualSplits, returns, adminToken: config.adminToken })
  }
  await app.register(notifyRoutes, { handle, outage })
  if (component) await app.register(componentRoutes, { component, adminToken: config.adminToken })

  app.addHook('onClose', async () => {
    await reconciler.stop()
    gateway.shutdown()
    if (!deps.storage) await storage.close()
  })
  return app.decorate('orders', orders).decorate('storage', storage).decorate('reconciler', reconciler).decorate('shops', shops).decorate('applications', applications) as MerchantApp
}
