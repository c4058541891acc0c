import { freePort } from '../../scripts/free-port'
import { buildApp, type MerchantApp } from '../../server/merchant/app'
import { loadConfig, type Config } from '../../server/merchant/config'
import { registerMerchant, startEmulator, type EmulatorHandle, type EmulatorOptions, type RegisterOptions, type TestMerchant } from './emulator'
import { testDatabaseUrl, testEngine } from './database'

export interface StartBackendOptions {
  emulator: EmulatorHandle
  merchant: TestMerchant
  /** Applied over the configuration built from the merchant (e.g. { rateLimitOrdersPerMin: 1e6 }). */
  overrides?: Partial<Config>
  /** Extra env entries fed to loadConfig (validated like real ones). */
  env?: Record<string, string>
  clock?: () => number
  /** Listen on this port (e.g. the port of a backend that was stopped); a free one by default. */
  port?: number
  /** Fastify logger options; silent unless MERCHANT_TEST_LOG is set. */
  logger?: boolean | object
}

export interface BackendHandle {
  /** http://127.0.0.1:<port> — the backend listens for real, so the emulator can notify it. */
  url: string
  app: MerchantApp
  config: Config
  close(): Promise<void>
  /** Logs a WeChat user in through the emulator (wx.login → /api/session) and returns the bearer token. */
  loginToken(openid?: string): Promise<string>
}

/** A free loopback port (so NOTIFY_URL can name it before the backend listens). */
export { freePort }

/** The env a backend for this merchant and emulator needs; key files are served from `files`. */
export function merchantEnv(emulator: EmulatorHandle, merchant: TestMerchant, notifyUrl: string): { env: Record<string, string>; files: Record<string, string> } {
  const files: Record<string, string> = { '/virtual/apiclient_key.pem': merchant.privateKeyPem }
  const env: Record<string, string> = {
    WECHATPAY_MODE: merchant.mode,
    WECHATPAY_APPID: merchant.appId,
    WECHATPAY_MCHID: merchant.mchid,
    WECHATPAY_SERIAL_NO: merchant.serialNo,
    WECHATPAY_PRIVATE_KEY_PATH: '/virtual/apiclient_key.pem',
    WECHATPAY_APIV3_KEY: merchant.apiV3Key,
    WECHATPAY_BASE_URL: emulator.url,
    WECHAT_API_BASE: emulator.url,
    // The mini-program that logs in is the sub appid's when partner mode has one.
    WECHAT_APP_SECRET: (merchant.subAppId && merchant.subAppSecret) || merchant.appSecret,
    NOTIFY_URL: notifyUrl,
    DATABASE_URL: 'sqlite::memory:',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
    RECONCILE_INTERVAL_SECONDS: '0',
    // Suites log many users in from 127.0.0.1; the per-address login limit has its own test.
    RATE_LIMIT_LOGINS_PER_MIN: '1000000',
    LOG_LEVEL: 'silent',
  }
  // A fixed test key: partner / ecommerce mode onboard shops and need one.
  if (merchant.mode !== 'direct') env.DATA_ENCRYPTION_KEY = Buffer.alloc(32, 0x5a).toString('base64')
  if (merchant.subMchid) env.WECHATPAY_SUB_MCHID = merchant.subMchid
  if (merchant.subAppId) env.WECHATPAY_SUB_APPID = merchant.subAppId
  if (merchant.platform.mode === 'publicKey') {
    files['/virtual/pub_key.pem'] = merchant.platform.publicKeyPem
    env.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH = '/virtual/pub_key.pem'
    env.WECHATPAY_PLATFORM_PUBLIC_KEY_ID = merchant.platform.serialNo
  }
  return { env, files }
}

/** Starts the merchant backend against the emulator on a free loopback port. */
export async function startBackend(opts: StartBackendOptions): Promise<BackendHandle> {
  const { emulator, merchant } = opts
  const port = opts.port ?? (await freePort())
  const base = `http://127.0.0.1:${port}`
  const { env, files } = merchantEnv(emulator, merchant, `${base}/api/wechatpay/notify`)
  const config: Config = {
    ...loadConfig({ ...env, ...opts.env }, {
      readFile: (p) => {
        if (!(p in files)) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' })
        return Buffer.from(files[p])
      },
    }),
    ...opts.overrides,
  }
  // The `postgres` jest project runs the same suites on a fresh PostgreSQL database each.
  if (testEngine() === 'postgres' && config.databaseUrl === 'sqlite::memory:') config.databaseUrl = await testDatabaseUrl()
  const verbose = process.env.MERCHANT_TEST_LOG
  const app = await buildApp({ config, clock: opts.clock, logger: opts.logger ?? (verbose ? { level: verbose } : false) })
  await app.listen({ port, host: '127.0.0.1' })
  const appId = config.miniProgramAppId
  return {
    url: base,
    app,
    config,
    close: () => app.close(),
    async loginToken(openid?: string) {
      const code = await emulator.login(appId, openid)
      const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { token: string }).token
    },
  }
}

export interface BackendSuiteOptions {
  emulator?: EmulatorOptions
  merchant?: RegisterOptions
  backend?: Omit<StartBackendOptions, 'emulator' | 'merchant'>
  /** Log a user in before the tests (`true`: a fresh openid), for `token`. */
  login?: string | true
}

/**
 * Call at the top of a suite: beforeAll starts an emulator, registers a merchant, starts a backend
 * for it and logs a user in when asked; afterAll closes both. Read the handles inside tests.
 */
export function backendSuite(opts: BackendSuiteOptions = {}) {
  const suite = {} as { emu: EmulatorHandle; merchant: TestMerchant; backend: BackendHandle; token: string }
  beforeAll(async () => {
    suite.emu = await startEmulator(opts.emulator)
    suite.merchant = await registerMerchant(suite.emu, opts.merchant)
    suite.backend = await startBackend({ ...opts.backend, emulator: suite.emu, merchant: suite.merchant })
    if (opts.login !== undefined) suite.token = await suite.backend.loginToken(opts.login === true ? undefined : opts.login)
  })
  afterAll(async () => {
    await suite.backend?.close()
    await suite.emu?.close()
  })
  return suite
}
