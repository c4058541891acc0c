// A round-robin HTTP load balancer in front of several backend processes, as a deployment puts one
// in front of its machines: WeChat Pay's notifications reach whichever backend is next. A backend
// that refuses the connection (killed) is skipped. `hold` makes it keep notifications instead
// (answered 500, so WeChat Pay would retry), for tests that replay a captured one themselves.
import { createServer, request, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CapturedRequest {
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface Balancer {
  /** http://127.0.0.1:<port> */
  url: string
  /** Backend roots (http://127.0.0.1:<port>) served in turn; replace it to add or drop one. */
  targets: string[]
  /** While true, POST /api/wechatpay/notify is kept in `held` and answered 500 rather than forwarded. */
  hold: boolean
  held: CapturedRequest[]
  close(): Promise<void>
}

const NOTIFY_PATH = '/api/wechatpay/notify'

/** Forwards one request to `target`; rejects on a connection error (the target is down). */
function forward(target: string, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${target}${path}`, { method, headers: { ...headers, host: new URL(target).host } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Starts a balancer on a free loopback port over `targets`. */
export async function startBalancer(targets: string[]): Promise<Balancer> {
  let next = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      if (balancer.hold && req.method === 'POST' && req.url === NOTIFY_PATH) {
        balancer.held.push({ headers: req.headers, body })
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'FAIL', message: 'held by the test balancer' }))
        return
      }
      void (async () => {
        // Each backend at most once per request: a connection refused moves on to the next one.
        for (let tried = 0; tried < balancer.targets.length; tried++) {
          const target = balancer.targets[next++ % balancer.targets.length]
          try {
            const answer = await forward(target, req.method ?? 'GET', req.url ?? '/', req.headers, body)
            const { connection: _c, 'transfer-encoding': _t, ...headers } = answer.headers
            res.writeHead(answer.status, headers).end(answer.body)
            return
          } catch {
            // down: the next one
          }
        }
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'UPSTREAM_ERROR', message: 'no backend answered' } }))
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const balancer: Balancer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    hold: false,
    held: [],
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
  return balancer
}
