// Every setting of the backend as one TypeBox schema: it validates the environment and, through
// `Static`, gives its type (loadConfig in config.ts turns it into the typed Config).
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { APIV3_KEY_BYTES, PUBLIC_KEY_ID_PATTERN } from '../wechatpay'
import { DATA_KEY_BYTES } from './services/applications/sealed'

const str = (pattern: string, description: string) => Type.String({ pattern, description })
const opt = <T extends TSchema>(t: T) => Type.Optional(t)
const INT = '^[0-9]{1,9}$'
const URL_PATTERN = '^https?://[^\\s]+$'

/**
 * Every setting of the backend, as read from the environment. One schema: it validates the
 * env and, through `Static`, gives its type; `description` is what a malformed value is told.
 */
export const EnvSchema = Type.Object({
  WECHATPAY_MODE: opt(Type.Union([Type.Literal('direct'), Type.Literal('partner'), Type.Literal('ecommerce')], { description: 'direct, partner or ecommerce' })),
  WECHATPAY_APPID: str('^wx[0-9a-zA-Z]{6,30}$', 'the mini-program appid (direct) or the service provider sp_appid (partner), like wx + 16 characters'),
  WECHATPAY_MCHID: str('^[0-9]{6,32}$', 'the merchant id (partner: sp_mchid), digits'),
  WECHATPAY_SERIAL_NO: str('^[0-9A-Fa-f]{8,40}$', 'the serial number of the merchant API certificate, hex'),
  WECHATPAY_PRIVATE_KEY_PATH: str('.+', 'path of apiclient_key.pem'),
  WECHATPAY_APIV3_KEY: str('.+', `the APIv3 key set in the merchant platform, exactly ${APIV3_KEY_BYTES} bytes`),
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: opt(str('.+', 'path of the WeChat Pay public key PEM (pub_key.pem)')),
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: opt(str(PUBLIC_KEY_ID_PATTERN.source, 'the WeChat Pay public key id, PUB_KEY_ID_ followed by digits')),
  WECHATPAY_SUB_MCHID: opt(str('^[0-9]{6,32}$', 'the sub-merchant id (partner mode), digits')),
  WECHATPAY_SUB_APPID: opt(str('^wx[0-9a-zA-Z]{6,30}$', 'the sub-merchant mini-program appid, like wx + 16 characters')),
  WECHATPAY_BASE_URL: opt(str(URL_PATTERN, 'the WeChat Pay API root, e.g. https://api.mch.weixin.qq.com')),
  WECHATPAY_BACKUP_BASE_URL: opt(str(URL_PATTERN, 'the WeChat Pay backup root, e.g. https://api2.wechatpay.cn')),
  WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES: opt(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true or false' })),
  WECHATPAY_SCENARIO: opt(Type.Union([Type.Literal('centralized'), Type.Literal('outsourced'), Type.Literal('thirdparty')], { description: 'centralized, outsourced or thirdparty' })),
  WECHAT_APP_SECRET: opt(str('^[0-9a-zA-Z]{16,64}$', 'the mini-program AppSecret (letters and digits)')),
  WECHAT_COMPONENT_APPID: opt(str('^wx[0-9a-zA-Z]{6,30}$', 'the open-platform component appid (thirdparty), like wx + 16 characters')),
  WECHAT_COMPONENT_APPSECRET: opt(str('^[0-9a-zA-Z]{16,64}$', 'the open-platform component AppSecret (letters and digits)')),
  WECHAT_API_BASE: opt(str(URL_PATTERN, 'the WeChat API root, e.g. https://api.weixin.qq.com')),
  NOTIFY_URL: str(URL_PATTERN, 'the public https URL of POST /api/wechatpay/notify'),
  DATABASE_URL: opt(str('^(sqlite:.+|postgres(ql)?://\\S+)$', 'sqlite:<path>, sqlite::memory: or postgres://user:password@host:port/database')),
  ADMIN_TOKEN: str('^\\S{16,256}$', 'a random token of at least 16 characters for the admin API'),
  SESSION_SECRET: str('^\\S{32,512}$', 'a random secret of at least 32 characters that signs session tokens'),
  MAX_ORDER_FEN: opt(str(INT, 'the largest order amount in fen, a positive integer')),
  RATE_LIMIT_ORDERS_PER_MIN: opt(str(INT, 'orders per user per minute, a positive integer')),
  RATE_LIMIT_LOGINS_PER_MIN: opt(str(INT, 'logins (POST /api/session) per source address per minute, a positive integer')),
  CORS_ORIGINS: opt(str('^\\S*$', 'comma-separated origins, e.g. https://shop.example.com,http://127.0.0.1:10086')),
  PORT: opt(str('^[0-9]{1,5}$', 'the TCP port to listen on')),
  HOST: opt(str('^\\S+$', 'the interface to listen on')),
  LOG_LEVEL: opt(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { description: 'fatal, error, warn, info, debug, trace or silent' })),
  ORDER_EXPIRE_MINUTES: opt(str(INT, 'minutes an unpaid order stays payable, 5 to 10080')),
  SESSION_TTL_SECONDS: opt(str(INT, 'lifetime of a session token in seconds')),
  RECONCILE_INTERVAL_SECONDS: opt(str(INT, 'seconds between reconciliation passes, 0 to turn it off')),
  DATA_ENCRYPTION_KEY: opt(str('.+', `${DATA_KEY_BYTES} random bytes in base64 (openssl rand -base64 ${DATA_KEY_BYTES}); encrypts onboarding personal data`)),
  MEDIA_MAX_BYTES: opt(str(INT, 'the largest onboarding image in bytes, a positive integer')),
  PROFIT_SHARING: opt(Type.Union([Type.Literal('off'), Type.Literal('manual'), Type.Literal('auto')], { description: 'off, manual or auto' })),
  PLATFORM_COMMISSION_BPS: opt(str(INT, 'the platform commission in basis points, 0 to 3000 (1000 = 10 %)')),
  WORKERS: opt(str(INT, 'the number of backend processes npm run server starts, 1 to 64')),
})
export type Env = Static<typeof EnvSchema>
export const ENV_KEYS = Object.keys(EnvSchema.properties) as Array<keyof Env>
