import type { BackendHandle } from '../support/merchant'

/**
 * Calls the listening backend over loopback HTTP with an optional bearer token; returns status and
 * parsed body. (Fastify's inject needs light-my-request, whose ESM-only `cookie` dependency jest's
 * CommonJS runtime cannot load; real HTTP also exercises the real server.)
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
  let parsed: any = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) }
}

/** Polls `probe` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v) return v as Exclude<T, false | null | undefined | 0 | ''>
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, 25))
  }
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
  return res.body as { order: { orderNo: string; status: string }; payment: any }
}
