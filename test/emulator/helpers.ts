/** Shared helpers for the emulator tests: raw signed calls, a notify endpoint, a client per merchant. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadPublicKey, PlatformKeys, type JsapiOrderRequest, signRequest, verifyWechatpaySignature, WechatPayClient, type WechatPayClientOptions } from '../../server/wechatpay'
import type { EmulatorHandle, TestMerchant } from '../support/emulator'
import { waitFor } from '../support/wait-for'

export interface RawAnswer {
  status: number
  headers: Headers
  text: string
  json: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawCall {
  method?: string
  body?: unknown
  /** Override the signing clock (ms). */
  clock?: () => number
  headers?: Record<string, string>
  /** Sign this string instead of the body sent. */
  signedBody?: string
  /** Sign with another merchant's identity (mchid/serial/key). */
  as?: Pick<TestMerchant, 'mchid' | 'serialNo' | 'privateKey'>
}

/** One signed v3 call with full control over what is signed and sent. */
export async function call(emu: EmulatorHandle, m: TestMerchant, path: string, o: RawCall = {}): Promise<RawAnswer> {
  const method = o.method ?? (o.body === undefined ? 'GET' : 'POST')
  const body = o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
  const who = o.as ?? m
  const headers: Record<string, string> = {
    Authorization: signRequest({ mchid: who.mchid, serialNo: who.serialNo, privateKey: who.privateKey, clock: o.clock }, method, path, o.signedBody ?? body),
    Accept: 'application/json',
    'User-Agent': 'emulator-test/1.0',
    ...(body ? { 'Content-Type': 'application/json' } : {}),
    ...o.headers,
  }
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k]
  const res = await fetch(emu.url + path, { method, headers, body: body || undefined })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** The platform keys a merchant holds (public-key mode: its PUB_KEY_ID; certificate mode: the certificate). */
export const platformKeysOf = (m: TestMerchant) => new PlatformKeys([[m.platform.serialNo, loadPublicKey(m.platform.certificatePem ?? m.platform.publicKeyPem)]])

/** True when the answer carries a valid platform signature for this merchant. */
export const signedByPlatform = (m: TestMerchant, a: RawAnswer, now = Math.floor(Date.now() / 1000)) =>
  verifyWechatpaySignature({ headers: a.headers, body: Buffer.from(a.text), keys: platformKeysOf(m), now }).ok

/** Switches a merchant's platform keys (POST /__emulator/merchants/:mchid/platform-switch); answers the new (and previous) platform. */
export async function switchTo(emu: EmulatorHandle, mchid: string, body: Record<string, unknown>) {
  const res = await fetch(`${emu.url}/__emulator/merchants/${mchid}/platform-switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return (await res.json()) as { platform: TestMerchant['platform']; previous?: TestMerchant['platform'] }
}

/** The library client for a merchant, pointed at the emulator; `extra` overrides its options (clock, platform, …). */
export function clientFor(emu: EmulatorHandle, m: TestMerchant, extra: Partial<WechatPayClientOptions> = {}): WechatPayClient {
  return new WechatPayClient({
    mchid: m.mchid,
    serialNo: m.serialNo,
    privateKey: m.privateKey,
    apiV3Key: m.apiV3Key,
    baseUrl: emu.url,
    maxRetries: 0,
    platform: m.platform.mode === 'publicKey' ? { mode: 'publicKey', publicKeyId: m.platform.serialNo, publicKey: loadPublicKey(m.platform.publicKeyPem) } : { mode: 'certificate' },
    ...extra,
  })
}

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  at: number
}

/** A tiny notify_url: answers each POST with the next scripted status (then the last one), records what came. */
export async function notifyEndpoint(script: Array<number | { status: number; delayMs: number }> = [204]): Promise<{ url: string; received: Received[]; close(): Promise<void>; waitFor(n: number, timeoutMs?: number): Promise<Received[]> }> {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() })
      const step = script[Math.min(received.length - 1, script.length - 1)]
      const { status, delayMs } = typeof step === 'number' ? { status: step, delayMs: 0 } : step
      setTimeout(() => {
        res.statusCode = status
        res.end(status === 200 || status === 204 ? '' : JSON.stringify({ code: 'FAIL', message: '失败' }))
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
    async waitFor(n, timeoutMs = 10_000) {
      await waitFor(() => received.length >= n, `${n} notifications (got ${received.length})`, timeoutMs)
      return received
    },
  }
}

/** Runs `work` with a fresh notifyEndpoint(script), closing the endpoint afterwards whatever happens. */
export async function withNotifyEndpoint<T>(script: Parameters<typeof notifyEndpoint>[0], work: (endpoint: Awaited<ReturnType<typeof notifyEndpoint>>) => Promise<T>): Promise<T> {
  const endpoint = await notifyEndpoint(script)
  try {
    return await work(endpoint)
  } finally {
    await endpoint.close()
  }
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const found = await waitFor(async () => {
    const value = await check()
    return value === undefined ? undefined : { value }
  }, 'a condition', timeoutMs)
  return found.value
}

let seq = 0
/** A fresh valid out_trade_no. */
export const tradeNo = (prefix = 'T') => `${prefix}${Date.now()}${String(seq++).padStart(4, '0')}`

/** A valid direct order body for this merchant and user. */
export const directOrder = (m: TestMerchant, openid: string, notifyUrl = 'https://merchant.example.com/notify', over: Record<string, unknown> = {}): JsapiOrderRequest & Record<string, unknown> => ({
  appid: m.appId,
  mchid: m.mchid,
  description: '测试商品',
  out_trade_no: tradeNo(),
  notify_url: notifyUrl,
  amount: { total: 100, currency: 'CNY' },
  payer: { openid },
  ...over,
}) as JsapiOrderRequest & Record<string, unknown>
