/** The emulator's shared dependencies and policy: clock, randomness, keys, state. */
import { randomBytes, randomInt, type KeyObject } from 'node:crypto'
import { randomNonce } from '../wechatpay'
import { createPlatformKey, generateRsaKey, KeyCache } from './platform'
import type { StateStore } from './state/store'
import type { MerchantRecord, PlatformKeyRecord, PlatformMode } from './state/types'

/** Everything buildEmulator accepts; each has a default suitable for `npm run emulator`. */
export interface EmulatorOptions {
  /** How WeChat Pay signs: `publicKey` (PUB_KEY_ID_…, default) or `certificate` (GET /v3/certificates). */
  platformMode?: PlatformMode
  /** Multiplies the notification retry schedule (1 = real: 15 s, 15 s, 30 s, 3 min …). */
  retryScale?: number
  /** A notify_url slower than this counts as failed (WeChat Pay: 5 s). */
  notifyTimeoutMs?: number
  /** Keep state in this JSON file across restarts; memory only when absent. */
  statePath?: string
  /** Allowed browser origins; default every loopback origin. */
  corsOrigins?: string[]
  /** Probability that a notification is preceded by a WECHATPAY/SIGNTEST/ probe. */
  signtestRate?: number
  /** Time from refund request to refund SUCCESS (emulated ms, scaled by retryScale). */
  refundSettleMs?: number
  /** Applyments move CHECKING → AUDITING → NEED_SIGN → FINISH after this many emulated ms per state; 0 = only by the control API. */
  applymentAutoMs?: number
  /** Largest image accepted by /v3/merchant/media/upload (default 2 MB). */
  mediaMaxBytes?: number
  /** Minimum emulated ms between two refunds of one order (WeChat Pay: 1 minute); 0 turns the rule off. */
  refundIntervalMs?: number
  /** An order younger than this (emulated ms) cannot be closed (WeChat Pay: 5 minutes); 0 turns the rule off. */
  minCloseAgeMs?: number
  /** Milliseconds since the epoch; the control API's clock offset is added to it. */
  clock?: () => number
  nonce?: (length?: number) => string
  /** Uniform [0, 1): ids, probes. */
  random?: () => number
  /** Used to deliver notifications. */
  fetch?: typeof fetch
  /** RSA-2048 key generation for platform keys (tests inject a pool: keygen is slow). */
  generateKey?: () => KeyObject
  /** Fastify request logging. */
  logger?: boolean
}

export interface ResolvedOptions {
  platformMode: PlatformMode
  retryScale: number
  notifyTimeoutMs: number
  statePath?: string
  corsOrigins?: string[]
  signtestRate: number
  refundSettleMs: number
  applymentAutoMs: number
  mediaMaxBytes: number
  refundIntervalMs: number
  minCloseAgeMs: number
}

/** The real default probe rate; off when retries are scaled down unless asked (tests pass 0). */
export const DEFAULT_SIGNTEST_RATE = 0.02
export const DEFAULT_NOTIFY_TIMEOUT_MS = 5000
export const DEFAULT_REFUND_SETTLE_MS = 3000
/** Images up to 2 MB (wechatpay-service-provider.md §2; the e-commerce page says 5 MB, unconfirmed). */
export const DEFAULT_MEDIA_MAX_BYTES = 2 * 1024 * 1024
/** "同一笔订单多次退款的请求需相隔1分钟" (wechatpay-service-provider.md §7). */
export const DEFAULT_REFUND_INTERVAL_MS = 60_000
/** "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟" (wechatpay-v3.md §7.2). */
export const DEFAULT_MIN_CLOSE_AGE_MS = 5 * 60_000

export interface EmulatorContext {
  store: StateStore
  options: ResolvedOptions
  /** Emulated now (ms): the injected clock plus the control API's offset. */
  now(): number
  nonce(length?: number): string
  random(): number
  fetch: typeof fetch
  keys: KeyCache
  /** The emulator-wide platform key (created once, kept in the state file). */
  defaultPlatform(): PlatformKeyRecord
  /** Which key signs an answer to this merchant, given the request's Wechatpay-Serial (§2.3 migration). */
  responseKey(merchant: MerchantRecord | undefined, requestSerial: string | undefined): PlatformKeyRecord
  /** Which key signs this merchant's notifications. */
  notificationKey(merchant: MerchantRecord): PlatformKeyRecord
  /** The platform keys this merchant may see (current, and the new one during a switch). */
  merchantPlatforms(merchant: MerchantRecord): PlatformKeyRecord[]
  newPlatformKey(mode: PlatformMode): PlatformKeyRecord
  newId(prefix: string, digitsLength: number): string
}

/** Fills the defaults of EmulatorOptions. */
export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const retryScale = o.retryScale ?? 1
  return {
    platformMode: o.platformMode ?? 'publicKey',
    retryScale,
    notifyTimeoutMs: o.notifyTimeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
    statePath: o.statePath,
    corsOrigins: o.corsOrigins,
    signtestRate: o.signtestRate ?? (retryScale < 1 ? 0 : DEFAULT_SIGNTEST_RATE),
    refundSettleMs: o.refundSettleMs ?? DEFAULT_REFUND_SETTLE_MS,
    applymentAutoMs: o.applymentAutoMs ?? 0,
    mediaMaxBytes: o.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES,
    refundIntervalMs: o.refundIntervalMs ?? DEFAULT_REFUND_INTERVAL_MS,
    minCloseAgeMs: o.minCloseAgeMs ?? DEFAULT_MIN_CLOSE_AGE_MS,
  }
}

/** Builds the context; creates (and stores) the platform key on first use. */
export function createContext(o: EmulatorOptions, store: StateStore): EmulatorContext {
  const options = resolveOptions(o)
  const clock = o.clock ?? Date.now
  const random = o.random ?? (() => randomInt(0, 2 ** 47) / 2 ** 47)
  const nonce = o.nonce ?? ((length = 32) => randomNonce(length))
  const generateKey = o.generateKey ?? generateRsaKey
  const keys = new KeyCache()
  const data = () => store.data
  const now = () => clock() + data().clockOffsetMs

  const caKey = (): KeyObject => {
    if (!data().caPrivateKeyPem) {
      data().caPrivateKeyPem = generateKey().export({ type: 'pkcs8', format: 'pem' }).toString()
      store.save()
    }
    return keys.privateKey(data().caPrivateKeyPem as string)
  }
  const newPlatformKey = (mode: PlatformMode) =>
    createPlatformKey({ mode, privateKey: generateKey(), caKey: mode === 'certificate' ? caKey() : undefined, now: now(), random })

  const defaultPlatform = () => {
    const current = data().platform
    if (current && current.mode === options.platformMode) return current
    data().platform = newPlatformKey(options.platformMode)
    store.save()
    return data().platform as PlatformKeyRecord
  }
  const currentOf = (m: MerchantRecord) => m.platform ?? defaultPlatform()

  return {
    store,
    options,
    now,
    nonce,
    random,
    fetch: o.fetch ?? fetch,
    keys,
    defaultPlatform,
    responseKey(merchant, requestSerial) {
      if (!merchant) return defaultPlatform()
      const current = currentOf(merchant)
      if (merchant.pendingPlatform && requestSerial === merchant.pendingPlatform.serialNo) return merchant.pendingPlatform
      return current
    },
    notificationKey(merchant) {
      if (merchant.pendingPlatform && merchant.announcedSerial === merchant.pendingPlatform.serialNo) return merchant.pendingPlatform
      return currentOf(merchant)
    },
    merchantPlatforms(merchant) {
      return merchant.pendingPlatform ? [currentOf(merchant), merchant.pendingPlatform] : [currentOf(merchant)]
    },
    newPlatformKey,
    newId(prefix, digitsLength) {
      let out = prefix
      while (out.length < prefix.length + digitsLength) out += String(Math.floor(random() * 10))
      return out
    },
  }
}

/** `bytes` random bytes as base64url: session keys and media ids are opaque. */
export const opaque = (bytes = 16) => randomBytes(bytes).toString('base64url')
