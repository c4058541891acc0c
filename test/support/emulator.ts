/**
 * Test support for the WeChat Pay v3 emulator: start one on a free loopback port, drive its control
 * API, and register a merchant with real RSA keys (the interface agreed with the backend tests).
 */
import { randomBytes, randomInt, type KeyObject } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { buildEmulator, type EmulatorOptions as ServerEmulatorOptions } from '../../server/emulator/app'
import type { DeliveryRecord } from '../../server/emulator/state/types'
import { publicKeyPem as toPublicPem, type RequestPaymentParams } from '../../server/wechatpay'
import { pooledKey, pooledPlatformKey } from './test-keys'

/**
 * What a test may ask of its emulator: buildEmulator's options but the key source (the run's pool,
 * test-keys.ts). Unlike `npm run emulator`, signature probes (signtestRate), the one-refund-per-minute
 * rule (refundIntervalMs) and the close-age minimum (minCloseAgeMs) default to 0 here.
 */
export type EmulatorOptions = Omit<ServerEmulatorOptions, 'generateKey'>

export type Delivery = DeliveryRecord
export type RequestPaymentLike = Partial<Record<keyof RequestPaymentParams, unknown>>

export interface EmulatorHandle {
  url: string
  close(): Promise<void>
  advanceClock(ms: number): Promise<void>
  /** Resolves when no notification attempt is running: what was due has been delivered (or failed). */
  idle(): Promise<void>
  deliveries(): Promise<Delivery[]>
  faults(spec: Record<string, unknown>): Promise<void>
  login(appId: string, openid?: string): Promise<string>
  pay(payment: RequestPaymentLike, opts: { appId: string; openid?: string; outcome?: 'success' | 'cancel' | 'fail'; couponFen?: number }): Promise<string>
}

export { pooledKey, pooledPlatformKey }

async function control<T>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`emulator ${path} → ${res.status} ${text}`)
  return JSON.parse(text) as T
}

/**
 * Starts an emulator on 127.0.0.1:<free port>. Unlike `npm run emulator`, signature probes, the
 * refund interval and the close-age minimum are off unless a test asks for them.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const app = buildEmulator({ signtestRate: 0, refundIntervalMs: 0, minCloseAgeMs: 0, ...options, generateKey: pooledPlatformKey })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    url,
    close: () => app.close(),
    advanceClock: async (ms) => {
      await control(url, '/__emulator/clock', { advanceMs: ms })
    },
    idle: () => app.emulator.notifier.idle(),
    deliveries: async () => (await control<{ deliveries: Delivery[] }>(url, '/__emulator/notifications')).deliveries,
    faults: async (spec) => {
      await control(url, '/__emulator/faults', spec)
    },
    login: async (appId, openid) => (await control<{ code: string }>(url, '/__emulator/login', openid === undefined ? { appId } : { appId, openid })).code,
    pay: async (payment, opts) => (await control<{ errMsg: string }>(url, '/__emulator/pay', { ...payment, ...opts })).errMsg,
  }
}

export interface TestMerchant {
  /** ecommerce: a platform without a default shop (shops come from onboarding). */
  mode: 'direct' | 'partner' | 'ecommerce'
  mchid: string
  serialNo: string
  privateKey: KeyObject
  privateKeyPem: string
  apiV3Key: string
  /** direct: the merchant's appid; partner: sp_appid. */
  appId: string
  appSecret: string
  subMchid?: string
  subAppId?: string
  subAppSecret?: string
  platform: { mode: 'publicKey' | 'certificate'; serialNo: string; publicKeyPem: string; certificatePem?: string }
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const randomMchid = () => `19${randomInt(10_000_000, 99_999_999)}`
const randomAppId = () => `wx${randomBytes(8).toString('hex')}`

/** How registerMerchant sets a merchant up: its mode (default direct), and a fixed mchid or appid. */
export interface RegisterOptions { mode?: TestMerchant['mode']; mchid?: string; appId?: string }

/** Generates (or reuses) an RSA-2048 merchant key, registers merchant (+ sub-merchant) and app(s) through the control API. */
export async function registerMerchant(emu: EmulatorHandle, options: RegisterOptions = {}): Promise<TestMerchant> {
  const mode = options.mode ?? 'direct'
  const privateKey = pooledKey()
  const mchid = options.mchid ?? randomMchid()
  const appId = options.appId ?? randomAppId()
  const appSecret = randomBytes(16).toString('hex')
  const apiV3Key = Array.from(randomBytes(32), (b) => ALNUM[b % 62]).join('')
  const serialNo = randomBytes(20).toString('hex').toUpperCase()
  const sub = mode === 'partner' ? { subMchid: randomMchid(), subAppId: randomAppId(), subAppSecret: randomBytes(16).toString('hex') } : undefined
  await control(emu.url, '/__emulator/apps', { appId, secret: appSecret })
  if (sub) await control(emu.url, '/__emulator/apps', { appId: sub.subAppId, secret: sub.subAppSecret })
  const { platform } = await control<{ platform: TestMerchant['platform'] }>(emu.url, '/__emulator/merchants', {
    mchid,
    serialNo,
    publicKeyPem: toPublicPem(privateKey),
    apiV3Key,
    appIds: [appId],
    ...(sub ? { subMchids: [{ mchid: sub.subMchid, appIds: [sub.subAppId] }] } : {}),
  })
  return {
    mode,
    mchid,
    serialNo,
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    apiV3Key,
    appId,
    appSecret,
    ...(sub ?? {}),
    platform,
  }
}

/**
 * Registers the enclosing block's beforeAll / afterAll: an emulator started with `options` and one
 * merchant registered there (`merchant` options; `login`: a user of its app who has logged in),
 * handed to `set`; the emulator is closed after.
 */
export function withEmulator(options: EmulatorOptions, set: (emu: EmulatorHandle, m: TestMerchant) => void, merchant: RegisterOptions & { login?: string } = {}): void {
  let emu: EmulatorHandle | undefined
  beforeAll(async () => {
    const { login, ...register } = merchant
    const started = await startEmulator(options)
    emu = started
    const m = await registerMerchant(started, register)
    if (login !== undefined) await started.login(m.appId, login)
    set(started, m)
  })
  afterAll(() => emu?.close())
}

/** withEmulator for the enclosing block, its emulator and merchant read from the returned object inside tests. */
export function emulatorSuite(options: EmulatorOptions = {}, merchant: RegisterOptions & { login?: string } = {}): { emu: EmulatorHandle; merchant: TestMerchant } {
  const suite = {} as { emu: EmulatorHandle; merchant: TestMerchant }
  withEmulator(options, (emu, m) => Object.assign(suite, { emu, merchant: m }), merchant)
  return suite
}
