/**
 * The wire under the client: one HTTP exchange, either over node:http / node:https with keep-alive
 * Agents shared by every call (the default), or over an injected fetch (tests).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { HeaderSource } from './verify'

/** One exchange to send. */
export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string | Buffer
  /** The whole exchange, connect to the last byte of the answer. */
  timeoutMs: number
  /** Safe to repeat: a request that hit a keep-alive socket the server had just closed is sent again on a new one. */
  idempotent?: boolean
}

/** An answer read to its end. */
export interface HttpAnswer {
  status: number
  headers: HeaderSource
  body: Buffer
}

/** Sends one request; throws an HttpFailure when no complete answer came. */
export type HttpSend = (req: HttpRequest) => Promise<HttpAnswer>

/** No complete answer: `answered` tells whether the status line had arrived (then the request surely took effect). */
export class HttpFailure extends Error {
  readonly kind: 'TIMEOUT' | 'NETWORK_ERROR'
  readonly answered: boolean
  constructor(kind: 'TIMEOUT' | 'NETWORK_ERROR', answered: boolean, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'HttpFailure'
    this.kind = kind
    this.answered = answered
  }
}

/** Idle keep-alive sockets are closed after this, before servers close theirs (Node's own default is 5 s). */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000

const describe = (e: unknown) => String((e as Error | null)?.message ?? e)
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE'])

/** A keep-alive transport over node:http / node:https; `close()` ends its idle sockets. */
export function keepAliveSend(): { send: HttpSend; close(): void } {
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' as const }
  const http = new HttpAgent(agentOptions)
  const https = new HttpsAgent(agentOptions)

  const once = (req: HttpRequest, body: Buffer | undefined, deadline: number, fresh: boolean): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url)
      const secure = url.protocol === 'https:'
      const headers: Record<string, string> = { ...req.headers }
      if (body) headers['Content-Length'] = String(body.length)
      let answered = false
      let settled = false
      const fail = (e: unknown, timedOut = false) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const code = (e as { code?: string } | null)?.code
        // A keep-alive socket the server closed while idle: the request never reached it; send again on a new socket.
        if (!timedOut && !answered && !fresh && req.idempotent && outgoing.reusedSocket && code && STALE_SOCKET_CODES.has(code)) {
          once(req, body, deadline, true).then(resolve, reject)
          return
        }
        reject(timedOut
          ? new HttpFailure('TIMEOUT', answered, answered ? `answer not complete within ${req.timeoutMs} ms` : `no answer within ${req.timeoutMs} ms`, e)
          : new HttpFailure('NETWORK_ERROR', answered, answered ? `connection lost while reading the answer (${describe(e)})` : describe(e), e))
      }
      const outgoing = (secure ? httpsRequest : httpRequest)(
        url,
        { method: req.method, headers, agent: fresh ? false : secure ? https : http },
        (res: IncomingMessage) => {
          answered = true
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => fail(e))
          res.on('aborted', () => fail(new Error('answer aborted')))
          res.on('end', () => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
          })
        },
      )
      const timer = setTimeout(() => {
        const e = new Error('timeout')
        fail(e, true)
        outgoing.destroy(e)
      }, Math.max(0, deadline - Date.now()))
      outgoing.on('error', (e) => fail(e))
      outgoing.end(body)
    })

  return {
    send: (req) => {
      const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8')
      return once(req, body, Date.now() + req.timeoutMs, false)
    },
    close: () => {
      http.destroy()
      https.destroy()
    },
  }
}

/** The same exchange over a fetch function (injected by tests, or any fetch-compatible client). */
export function fetchSend(fetchImpl: typeof fetch): HttpSend {
  return async (req) => {
    let response: Response
    try {
      response = await fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs) })
    } catch (e) {
      const name = (e as { name?: unknown } | null)?.name // DOMException may come from another realm: no instanceof
      const timedOut = name === 'TimeoutError' || name === 'AbortError'
      throw new HttpFailure(timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', false, timedOut ? `no answer within ${req.timeoutMs} ms` : describe(e), e)
    }
    try {
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }
    } catch (e) {
      throw new HttpFailure('NETWORK_ERROR', true, 'connection lost while reading the answer', e)
    }
  }
}
