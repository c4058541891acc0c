/**
 * The keep-alive wire under the client (server/wechatpay/http.ts) against raw TCP servers that
 * misbehave on purpose: connection reuse, a socket closed while idle, timeouts before and after
 * the answer began.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { HttpFailure, keepAliveSend } from '../../server/wechatpay'
import { rejectionOf } from '../support/rejection'

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}'

/** A raw HTTP/1.1 server: `onRequest(socket, nthOnSocket)` is called per request head received. */
async function rawServer(onRequest: (socket: Socket, nth: number) => void) {
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    let n = 0
    let buffered = ''
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1')
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4)
        onRequest(socket, ++n)
      }
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/x`
  return {
    url,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const failure = (p: Promise<unknown>) => rejectionOf(p, HttpFailure)

const wire = keepAliveSend()
afterAll(() => wire.close())
const get = (url: string, o: { timeoutMs?: number; idempotent?: boolean } = {}) =>
  wire.send({ method: 'GET', url, headers: { Accept: 'application/json' }, timeoutMs: o.timeoutMs ?? 5_000, idempotent: o.idempotent ?? true })

test('sequential requests reuse one connection', async () => {
  const srv = await rawServer((socket) => socket.write(OK))
  try {
    for (let i = 0; i < 3; i++) expect((await get(srv.url)).body.toString()).toBe('{}')
    expect(srv.sockets).toHaveLength(1)
  } finally {
    await srv.close()
  }
})

describe('a kept-alive socket the server closes instead of answering', () => {
  // The first request on each socket is answered; a second one on the same socket gets the socket closed.
  const closingServer = () => rawServer((socket, nth) => (nth === 1 ? socket.write(OK) : socket.destroy()))

  test('a call safe to repeat is sent again on a new connection', async () => {
    const srv = await closingServer()
    try {
      await get(srv.url)
      expect((await get(srv.url)).status).toBe(200)
      expect(srv.sockets).toHaveLength(2)
    } finally {
      await srv.close()
    }
  })

  test('any other call fails as NETWORK_ERROR before an answer', async () => {
    const srv = await closingServer()
    try {
      await get(srv.url, { idempotent: false })
      expect(await failure(get(srv.url, { idempotent: false }))).toMatchObject({ kind: 'NETWORK_ERROR', answered: false })
      expect(srv.sockets).toHaveLength(1)
    } finally {
      await srv.close()
    }
  })
})

const PARTIAL = 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":'

test.each([
  ['a server that never answers: TIMEOUT, not answered', () => undefined, 200, { kind: 'TIMEOUT', answered: false }],
  ['an answer that stops halfway: TIMEOUT, answered', (socket: Socket) => socket.write(PARTIAL), 300, { kind: 'TIMEOUT', answered: true }],
  ['a connection cut in the middle of the answer: NETWORK_ERROR, answered', (socket: Socket) => socket.end(PARTIAL), undefined, { kind: 'NETWORK_ERROR', answered: true }],
])('%s', async (_name, onRequest, timeoutMs, expected) => {
  const srv = await rawServer(onRequest)
  try {
    expect(await failure(get(srv.url, { timeoutMs }))).toMatchObject(expected)
  } finally {
    await srv.close()
  }
})
