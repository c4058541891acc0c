import { registerMerchant, startEmulator, type EmulatorHandle, type EmulatorOptions, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle, type StartBackendOptions } from '../support/merchant'
import type { Json } from '../support/json'

export { waitFor } from '../support/wait-for'

/**
 * Calls the listening backend over loopback HTTP with an optional bearer token; returns status and
 * parsed body. These suites run whole flows with the emulator notifying the backend for real; route
 * rules are tested through app.inject with a fake gateway (test/merchant/routes/).
 */
export async function call(backend: BackendHandle, method: string, url: string, opts: { token?: string; payload?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) }
  let body: string | undefined
  if (opts.payload !== undefined) {
    body = typeof opts.payload === 'string' ? opts.payload : JSON.stringify(opts.payload)
    headers['content-type'] = 'application/json'
  }
  Object.assign(headers, opts.headers)
  const res = await fetch(`${backend.url}${url}`, { method, headers, body })
  const text = await res.text()
  let parsed: Json = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) }
}

let seq = 0
/** A unique, valid requestId. */
export const requestId = (prefix = 'req') => `${prefix}-${process.pid}-${Date.now()}-${seq++}`

/** A clock the test moves by hand, starting at the real time. */
export function manualClock() {
  let offset = 0
  const clock = () => Date.now() + offset
  return Object.assign(clock, { advance: (ms: number) => void (offset += ms) })
}

/** Creates an order through POST /api/orders with a fresh requestId and expects 201. */
export async function createOrder(backend: BackendHandle, token: string, { amount = 100, description = '测试订单' } = {}) {
  const res = await call(backend, 'POST', '/api/orders', { token, payload: { amount, description, requestId: requestId() } })
  expect(res.status).toBe(201)
  return res.body as { order: { orderNo: string; status: string }; payment: Json }
}

/** What a whole-flow test file works with; filled in by setUpFlow's beforeAll. */
export interface Flow {
  emu: EmulatorHandle
  merchant: TestMerchant
  backend: BackendHandle
  /** A bearer token of the file's user. */
  token: string
}

/** Registers beforeAll/afterAll for a whole-flow file: an emulator, a merchant and a listening backend with `openid` logged in. */
export function setUpFlow(openid: string, options: { emulator?: EmulatorOptions; backend?: Omit<StartBackendOptions, 'emulator' | 'merchant'> } = {}): Flow {
  const flow = {} as Flow // filled in before the first test
  beforeAll(async () => {
    flow.emu = await startEmulator(options.emulator)
    flow.merchant = await registerMerchant(flow.emu)
    flow.backend = await startBackend({ emulator: flow.emu, merchant: flow.merchant, ...options.backend })
    flow.token = await flow.backend.loginToken(openid)
  })
  afterAll(async () => {
    await flow.backend?.close()
    await flow.emu?.close()
  })
  return flow
}
