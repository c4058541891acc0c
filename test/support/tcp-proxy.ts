// A TCP proxy between backends and their database, so a test can make the database go away (every
// connection cut, new ones refused) and come back on the same address, without stopping the server.
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { freePort } from '../../scripts/free-port'

export interface TcpProxy {
  port: number
  /** Cuts every open connection and refuses new ones until restore(). */
  cut(): Promise<void>
  /** Accepts connections again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
}

/** Starts a proxy on a free loopback port forwarding to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  }
  let server: Server
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
      track(client)
      track(upstream)
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
      client.pipe(upstream).pipe(client)
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
  // Not listen(0): restore() listens on this port again, and an ephemeral one may be taken by then.
  const port = await listen(await freePort())
  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })
  return {
    port,
    cut: stop,
    restore: async () => void (await listen(port)),
    close: stop,
  }
}
