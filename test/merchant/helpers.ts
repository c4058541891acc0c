import type { BackendHandle } from '../support/merchant'
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
