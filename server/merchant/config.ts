import { readFileSync } from 'node:fs'
import type { KeyObject } from 'node:crypto'
import { parseEnv } from 'node:util'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { APIV3_KEY_BYTES, DEFAULT_BASE_URL, LOOPBACK_HOSTS, loadPrivateKey, loadPublicKey, NOTIFY_URL_MAX_LENGTH, notifyUrlProblem as notifyUrlRule, type NotifyUrlProblem, type PlatformVerification } from '../wechatpay'
import { DEFAULT_MEDIA_MAX_BYTES } from '../../src/contract/constants'
import { ConfigError } from './errors'
import { EnvSchema, ENV_KEYS, type Env } from './config-schema'
import { DATA_KEY_BYTES, parseDataKey } from './services/applications/sealed'

export { EnvSchema, ENV_KEYS, type Env } from './config-schema'


/** direct: one merchant; partner: 普通服务商; ecommerce: 电商收付通 (platform.md). */
export type Mode = 'direct' | 'partner' | 'ecommerce'
/** Who owns the mini-program users pay in (platform.md): the provider, the shop, or the shop through the provider's component. */
export type Scenario = 'centralized' | 'outsourced' | 'thirdparty'
/** Profit sharing (分账): off; orders frozen for the admin API to split; or the commission split automatically. */
export type ProfitSharing = 'off' | 'manual' | 'auto'
/** The highest commission: WeChat Pay's 30 % cap on what one order may split to receivers. */
export const MAX_COMMISSION_BPS = 3000
/** The most backend processes WORKERS may start on one machine. */
export const MAX_WORKERS = 64

/** The validated, typed configuration: keys parsed once, at start-up. */
export interface Config {
  mode: Mode
  /** direct: appid; partner: sp_appid. */
  appId: string
  /** direct: mchid; partner: sp_mchid. */
  mchid: string
  subMchid?: string
  subAppId?: string
  /** The appid the mini-program runs as: it logs in and signs paySign with it. */
  miniProgramAppId: string
  serialNo: string
  privateKey: KeyObject
  apiV3Key: string
  platform: PlatformVerification
  wechatPayBaseUrl: string
  /** Idempotent calls that get no answer from wechatPayBaseUrl are tried once here (WeChat Pay's: https://api2.wechatpay.cn). */
  wechatPayBackupBaseUrl?: string
  wechatApiBase: string
  /** The secret of miniProgramAppId; absent in thirdparty (login goes through the component). */
  appSecret?: string
  /** centralized in direct mode. */
  scenario: Scenario
  /** thirdparty: the open-platform component that logs users in. */
  component?: { appId: string; appSecret: string }
  notifyUrl: string
  databaseUrl: string
  adminToken: string
  sessionSecret: string
  maxOrderFen: number
  rateLimitOrdersPerMin: number
  rateLimitLoginsPerMin: number
  /** Allowed browser origins; 'loopback' = any http://127.0.0.1 / localhost port (the default outside NODE_ENV=production, where it is none). */
  corsOrigins: string[] | 'loopback'
  port: number
  host: string
  /** WORKERS: processes `npm run server` starts on this machine (cluster.ts); more than 1 needs PostgreSQL. */
  workers: number
  logLevel: string
  orderExpireMinutes: number
  sessionTtlSeconds: number
  reconcileIntervalMs: number
  /** AES-256-GCM key for onboarding personal data; set in partner / ecommerce mode (onboarding). */
  dataEncryptionKey?: Buffer
  /** Largest image POST /api/media accepts. */
  mediaMaxBytes: number
  /** PROFIT_SHARING; partner / ecommerce only (direct is always off). */
  profitSharing: ProfitSharing
  /** PLATFORM_COMMISSION_BPS: the platform's commission in auto mode (0 with manual / off). */
  platformCommissionBps: number
}

export interface LoadOptions {
  /** Reads key files; tests pass an in-memory map. */
  readFile?: (path: string) => Buffer
}


/** Reads `.env` then `.env.local` from `dir` and lays the real environment over them (real env wins). */
export function readEnvFiles(dir = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {}
  for (const name of ['.env', '.env.local']) {
    let text: string
    try {
      text = readFileSync(`${dir}/${name}`, 'utf8')
    } catch {
      continue
    }
    Object.assign(merged, parseEnv(text))
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v
  return merged
}

/** https, or http on a loopback host (the emulator in development). */
export function isSecureOrLoopback(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  } catch {
    return false
  }
}

/** The backend's words for each way a notify URL breaks WeChat Pay's rule (server/wechatpay/rules.ts). */
const NOTIFY_URL_MESSAGES: Record<NotifyUrlProblem, string> = {
  NOT_ABSOLUTE: 'is not an absolute URL',
  TOO_LONG: `is longer than ${NOTIFY_URL_MAX_LENGTH} characters`,
  NOT_HTTPS: 'must be https (http only on a loopback host for local development)',
  HAS_QUERY: 'must not carry a query string or fragment',
  HAS_FRAGMENT: 'must not carry a query string or fragment',
}

/** Why a notify URL is unusable, or null (the protocol library's rule: https, no query, ≤255; loopback http for dev). */
export function notifyUrlProblem(value: string): string | null {
  const problem = notifyUrlRule(value)
  return problem ? NOTIFY_URL_MESSAGES[problem] : null
}

const int = (v: string | undefined, dflt: number) => (v === undefined ? dflt : Number(v))

/**
 * The scenario (platform.md): outsourced when WECHATPAY_SUB_APPID is set, else centralized;
 * centralized refuses WECHATPAY_SUB_APPID, the others need it; thirdparty needs the component.
 */
function scenarioOf(e: Env, mode: Mode, fail: (key: keyof Env, why: string) => never): Scenario {
  if (mode === 'direct') {
    if (e.WECHATPAY_SCENARIO) fail('WECHATPAY_SCENARIO', 'is set but WECHATPAY_MODE is direct: scenarios are for partner / ecommerce mode, remove it')
    if (!e.WECHAT_APP_SECRET) fail('WECHAT_APP_SECRET', 'is missing: the mini-program AppSecret (letters and digits)')
    return 'centralized'
  }
  const scenario: Scenario = e.WECHATPAY_SCENARIO ?? (e.WECHATPAY_SUB_APPID ? 'outsourced' : 'centralized')
  if (scenario === 'centralized' && e.WECHATPAY_SUB_APPID) {
    fail('WECHATPAY_SUB_APPID', "is set but WECHATPAY_SCENARIO is centralized (the provider's own mini-program orders with sp_appid): remove it, or set WECHATPAY_SCENARIO=outsourced or thirdparty")
  }
  if (scenario !== 'centralized' && !e.WECHATPAY_SUB_APPID) fail('WECHATPAY_SUB_APPID', `is missing: the ${scenario} scenario orders and pays with the shop's mini-program appid`)
  if (scenario === 'thirdparty') {
    if (!e.WECHAT_COMPONENT_APPID) fail('WECHAT_COMPONENT_APPID', 'is missing: the thirdparty scenario logs users in through the open-platform component')
    if (!e.WECHAT_COMPONENT_APPSECRET) fail('WECHAT_COMPONENT_APPSECRET', 'is missing: the thirdparty scenario needs the component AppSecret')
  } else if (!e.WECHAT_APP_SECRET) {
    fail('WECHAT_APP_SECRET', `is missing: the AppSecret of the mini-program users log in to (${scenario === 'centralized' ? "the provider's" : "the shop's"})`)
  }
  return scenario
}

/**
 * Validates the environment into one Config. Throws a ConfigError whose message is one line
 * naming the first missing or malformed setting; never echoes a value.
 */
export function loadConfig(rawEnv: Record<string, string | undefined>, options: LoadOptions = {}): Config {
  const readFile = options.readFile ?? ((p: string) => readFileSync(p))
  const env: Record<string, string> = {}
  for (const key of ENV_KEYS) {
    const v = rawEnv[key]?.trim()
    if (v) env[key] = v
  }
  const first = Value.Errors(EnvSchema, env).First()
  if (first) {
    const key = first.path.split('/')[1] as keyof Env
    const description = (EnvSchema.properties[key] as TSchema | undefined)?.description ?? ''
    throw new ConfigError(env[key] === undefined ? `${key} is missing: ${description}` : `${key} is malformed: expected ${description}`)
  }
  const e = env as Env
  const fail = (key: keyof Env, why: string): never => {
    throw new ConfigError(`${key} ${why}`)
  }
  const mode: Mode = e.WECHATPAY_MODE ?? 'direct'
  const platformMode = mode !== 'direct'
  if (mode === 'partner' && !e.WECHATPAY_SUB_MCHID) fail('WECHATPAY_SUB_MCHID', 'is missing: partner mode needs the sub-merchant id')
  if (mode === 'direct' && (e.WECHATPAY_SUB_MCHID || e.WECHATPAY_SUB_APPID)) {
    fail(e.WECHATPAY_SUB_MCHID ? 'WECHATPAY_SUB_MCHID' : 'WECHATPAY_SUB_APPID', 'is set but WECHATPAY_MODE is direct: set WECHATPAY_MODE=partner or remove it')
  }
  let dataEncryptionKey: Buffer | undefined
  if (e.DATA_ENCRYPTION_KEY) {
    dataEncryptionKey = parseDataKey(e.DATA_ENCRYPTION_KEY) ?? fail('DATA_ENCRYPTION_KEY', `is malformed: expected ${DATA_KEY_BYTES} bytes in base64 (openssl rand -base64 ${DATA_KEY_BYTES})`)
  } else if (platformMode) {
    fail('DATA_ENCRYPTION_KEY', `is missing: ${mode} mode onboards shops and encrypts their personal data with it (openssl rand -base64 ${DATA_KEY_BYTES})`)
  }
  const mediaMaxBytes = int(e.MEDIA_MAX_BYTES, DEFAULT_MEDIA_MAX_BYTES)
  if (mediaMaxBytes < 1) fail('MEDIA_MAX_BYTES', 'is malformed: expected a positive integer')
  const scenario = scenarioOf(e, mode, fail)
  const profitSharing: ProfitSharing = e.PROFIT_SHARING ?? 'off'
  if (mode === 'direct' && profitSharing !== 'off') fail('PROFIT_SHARING', 'is set but WECHATPAY_MODE is direct: profit sharing is for partner / ecommerce mode, set it to off or remove it')
  const platformCommissionBps = int(e.PLATFORM_COMMISSION_BPS, 0)
  if (platformCommissionBps > MAX_COMMISSION_BPS) fail('PLATFORM_COMMISSION_BPS', `is malformed: expected 0 to ${MAX_COMMISSION_BPS} basis points (WeChat Pay splits at most 30 % of an order)`)
  if (profitSharing === 'auto' && e.PLATFORM_COMMISSION_BPS === undefined) fail('PLATFORM_COMMISSION_BPS', `is missing: PROFIT_SHARING=auto splits this commission from every order, 0 to ${MAX_COMMISSION_BPS} basis points`)
  if (e.PLATFORM_COMMISSION_BPS !== undefined && profitSharing !== 'auto') fail('PLATFORM_COMMISSION_BPS', 'is set but PROFIT_SHARING is not auto: the commission is only split automatically, set PROFIT_SHARING=auto or remove it')
  const apiV3Bytes = Buffer.byteLength(e.WECHATPAY_APIV3_KEY, 'utf8')
  if (apiV3Bytes !== APIV3_KEY_BYTES) fail('WECHATPAY_APIV3_KEY', `is malformed: must be exactly ${APIV3_KEY_BYTES} bytes, got ${apiV3Bytes}`)
  const notifyProblem = notifyUrlProblem(e.NOTIFY_URL)
  if (notifyProblem) fail('NOTIFY_URL', notifyProblem)

  const readKey = (key: keyof Env, path: string) => {
    try {
      return readFile(path)
    } catch (err) {
      return fail(key, `cannot be read: ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  const loadWith = <T>(key: keyof Env, load: () => T): T => {
    try {
      return load()
    } catch (err) {
      if (err instanceof ConfigError) throw err
      return fail(key, `is unusable: ${(err as Error).message}`)
    }
  }
  const privateKey = loadWith('WECHATPAY_PRIVATE_KEY_PATH', () => loadPrivateKey(readKey('WECHATPAY_PRIVATE_KEY_PATH', e.WECHATPAY_PRIVATE_KEY_PATH)))

  let platform: PlatformVerification
  if (e.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH || e.WECHATPAY_PLATFORM_PUBLIC_KEY_ID) {
    if (!e.WECHATPAY_PLATFORM_PUBLIC_KEY_ID) fail('WECHATPAY_PLATFORM_PUBLIC_KEY_ID', 'is missing: public-key mode needs the key id with WECHATPAY_PLATFORM_PUBLIC_KEY_PATH')
    if (!e.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH) fail('WECHATPAY_PLATFORM_PUBLIC_KEY_PATH', 'is missing: public-key mode needs the key file with WECHATPAY_PLATFORM_PUBLIC_KEY_ID')
    const path = e.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH as string
    const publicKey = loadWith('WECHATPAY_PLATFORM_PUBLIC_KEY_PATH', () => loadPublicKey(readKey('WECHATPAY_PLATFORM_PUBLIC_KEY_PATH', path), 'WeChat Pay public key'))
    // During a move from platform certificates to the public key, answers signed by either verify.
    platform = { mode: 'publicKey', publicKeyId: e.WECHATPAY_PLATFORM_PUBLIC_KEY_ID as string, publicKey, alsoCertificates: e.WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES === 'true' }
  } else {
    if (e.WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES) fail('WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES', 'only applies in public-key mode (with WECHATPAY_PLATFORM_PUBLIC_KEY_ID): certificate mode always uses certificates')
    platform = { mode: 'certificate' }
  }

  const maxOrderFen = int(e.MAX_ORDER_FEN, 5_000_000)
  if (maxOrderFen < 1) fail('MAX_ORDER_FEN', 'is malformed: expected a positive integer')
  const rateLimit = int(e.RATE_LIMIT_ORDERS_PER_MIN, 30)
  if (rateLimit < 1) fail('RATE_LIMIT_ORDERS_PER_MIN', 'is malformed: expected a positive integer')
  const loginLimit = int(e.RATE_LIMIT_LOGINS_PER_MIN, 60)
  if (loginLimit < 1) fail('RATE_LIMIT_LOGINS_PER_MIN', 'is malformed: expected a positive integer')
  const orderExpireMinutes = int(e.ORDER_EXPIRE_MINUTES, 120)
  if (orderExpireMinutes < 5 || orderExpireMinutes > 10080) fail('ORDER_EXPIRE_MINUTES', 'is malformed: expected 5 to 10080 minutes')
  const port = int(e.PORT, 3000)
  if (port > 65535) fail('PORT', 'is malformed: expected 0 to 65535')
  const sessionTtlSeconds = int(e.SESSION_TTL_SECONDS, 7200)
  if (sessionTtlSeconds < 60) fail('SESSION_TTL_SECONDS', 'is malformed: expected at least 60 seconds')

  for (const key of ['WECHATPAY_BASE_URL', 'WECHATPAY_BACKUP_BASE_URL', 'WECHAT_API_BASE'] as const) {
    const value = e[key]
    if (value && !isSecureOrLoopback(value)) fail(key, 'must be https (plain http only on a loopback host, e.g. the emulator)')
  }
  // Loopback origins are a development default only: a production build must name its origins.
  let corsOrigins: Config['corsOrigins'] = rawEnv.NODE_ENV === 'production' ? [] : 'loopback'
  if (e.CORS_ORIGINS) {
    corsOrigins = e.CORS_ORIGINS.split(',').filter(Boolean)
    for (const origin of corsOrigins) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) fail('CORS_ORIGINS', `is malformed: "${origin}" is not an origin like https://shop.example.com`)
    }
  }
  const databaseUrl = e.DATABASE_URL ?? 'sqlite:./data/merchant.db'
  const workers = int(e.WORKERS, 1)
  if (workers < 1 || workers > MAX_WORKERS) fail('WORKERS', `is malformed: expected 1 to ${MAX_WORKERS} processes`)
  if (workers > 1 && databaseUrl.startsWith('sqlite:')) fail('WORKERS', `is ${workers} but DATABASE_URL is SQLite, which serves one process: one file with one writer, and its per-order lock and rate limiter live in that process's memory; use DATABASE_URL=postgres://… or WORKERS=1`)
  const trimSlash = (u: string) => u.replace(/\/+$/, '')
  return {
    mode,
    appId: e.WECHATPAY_APPID,
    mchid: e.WECHATPAY_MCHID,
    subMchid: platformMode ? e.WECHATPAY_SUB_MCHID : undefined,
    subAppId: platformMode ? e.WECHATPAY_SUB_APPID : undefined,
    miniProgramAppId: (platformMode && e.WECHATPAY_SUB_APPID) || e.WECHATPAY_APPID,
    serialNo: e.WECHATPAY_SERIAL_NO.toUpperCase(),
    privateKey,
    apiV3Key: e.WECHATPAY_APIV3_KEY,
    platform,
    wechatPayBaseUrl: trimSlash(e.WECHATPAY_BASE_URL ?? DEFAULT_BASE_URL),
    ...(e.WECHATPAY_BACKUP_BASE_URL ? { wechatPayBackupBaseUrl: trimSlash(e.WECHATPAY_BACKUP_BASE_URL) } : {}),
    wechatApiBase: trimSlash(e.WECHAT_API_BASE ?? 'https://api.weixin.qq.com'),
    ...(scenario !== 'thirdparty' ? { appSecret: e.WECHAT_APP_SECRET } : {}),
    scenario,
    ...(scenario === 'thirdparty' ? { component: { appId: e.WECHAT_COMPONENT_APPID as string, appSecret: e.WECHAT_COMPONENT_APPSECRET as string } } : {}),
    notifyUrl: e.NOTIFY_URL,
    databaseUrl,
    adminToken: e.ADMIN_TOKEN,
    sessionSecret: e.SESSION_SECRET,
    maxOrderFen,
    rateLimitOrdersPerMin: rateLimit,
    rateLimitLoginsPerMin: loginLimit,
    corsOrigins,
    port,
    host: e.HOST ?? '127.0.0.1',
    workers,
    logLevel: e.LOG_LEVEL ?? 'info',
    orderExpireMinutes,
    sessionTtlSeconds,
    reconcileIntervalMs: int(e.RECONCILE_INTERVAL_SECONDS, 60) * 1000,
    dataEncryptionKey,
    mediaMaxBytes,
    profitSharing,
    platformCommissionBps,
  }
}
