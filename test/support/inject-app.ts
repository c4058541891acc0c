/**
 * The merchant backend built in-process for app.inject with a fake gateway, a fake login API and
 * in-memory SQLite: no RSA key generation, no emulator, no sockets (style.md §2.6, Fastify layer).
 */
import { buildApp, type AppDeps, type MerchantApp } from '../../server/merchant/app'
import { loadConfig, type Config } from '../../server/merchant/config'
import vectors from '../fixtures/wechatpay-vectors.json'
import { createFakeGateway, FAKE_APPID, FAKE_MCHID, type FakeGateway } from './fake-gateway'
import type { Json } from './json'
import { testDatabaseUrl, testEngine } from './database'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
const KEY = vectors.keys.generated_merchant

/** A valid configuration for the fake merchant (certificate mode: no platform key file needed). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const env = {
    WECHATPAY_APPID: FAKE_APPID,
    WECHATPAY_MCHID: FAKE_MCHID,
    WECHATPAY_SERIAL_NO: KEY.serial_no,
    WECHATPAY_PRIVATE_KEY_PATH: '/virtual/apiclient_key.pem',
    WECHATPAY_APIV3_KEY: vectors.keys.generated_apiv3_key.value,
    WECHAT_APP_SECRET: 'fakeappsecret0000000000000000000a',
    NOTIFY_URL: 'https://merchant.example.com/api/wechatpay/notify',
    DATABASE_URL: 'sqlite::memory:',
    ADMIN_TOKEN,
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
    RECONCILE_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
  }
  return { ...loadConfig(env, { readFile: () => Buffer.from(KEY.private_key_pem) }), ...overrides }
}

/** jscode2session as WeChat answers it: code `code-<openid>` logs in as <openid>, `bad` is 40029, `down` fails. */
const fakeLoginFetch: typeof fetch = async (input) => {
  const code = new URL(String(input)).searchParams.get('js_code') ?? ''
  if (code === 'down') throw new TypeError('fetch failed')
  const body = code.startsWith('code-') ? { openid: code.slice(5), session_key: 'fake-session-key' } : { errcode: 40029, errmsg: 'invalid code' }
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
}

export interface InjectedApp {
  app: MerchantApp
  gateway: FakeGateway
  config: Config
  /** A bearer token for this openid (through POST /api/session). */
  login(openid?: string): Promise<string>
  /** One request through app.inject; `body` is the parsed JSON (or null). */
  request(method: string, url: string, opts?: { token?: string; payload?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: Json }>
  close(): Promise<void>
}

/** Builds the backend with a fake gateway; close() it in afterEach/afterAll. */
export async function injectApp(opts: { overrides?: Partial<Config>; clock?: () => number; gateway?: FakeGateway; logger?: AppDeps['logger'] } = {}): Promise<InjectedApp> {
  const gateway = opts.gateway ?? createFakeGateway()
  const config = testConfig(opts.overrides)
  // The `postgres` jest project runs the same suites on a fresh PostgreSQL database each.
  if (testEngine() === 'postgres' && config.databaseUrl === 'sqlite::memory:') config.databaseUrl = await testDatabaseUrl()
  const app = await buildApp({ config, gateway, clock: opts.clock, fetch: fakeLoginFetch, logger: opts.logger ?? false })
  const request: InjectedApp['request'] = async (method, url, o = {}) => {
    const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers }
    const payload = o.payload === undefined ? undefined : typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload)
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json'
    const res = await app.inject({ method: method as 'GET', url, headers, payload })
    let body: Json = null
    try {
      body = res.body ? JSON.parse(res.body) : null
    } catch {
      body = res.body
    }
    return { status: res.statusCode, body }
  }
  return {
    app,
    gateway,
    config,
    request,
    async login(openid = 'o-inject-user') {
      const res = await request('POST', '/api/session', { payload: { code: `code-${openid}` } })
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`)
      return res.body.token as string
    },
    close: () => app.close(),
  }
}
