/**
 * A loopback port nobody listens on right now, for servers that must know their port before they
 * listen (a backend whose NOTIFY_URL names it, a PostgreSQL started by a test).
 *
 * Not the kernel's `listen(0)`: that answers a port of the ephemeral range (32768–60999 on Linux),
 * which every outgoing connection of the run also draws from, so between "released" and "listened
 * on again" a client socket can take it (EADDRINUSE, seen on CI). Ports are drawn below that range
 * instead, each jest worker from its own slice so concurrent workers never pick the same one, and
 * each is checked by listening on it once.
 */
import { createServer } from 'node:net'

const FIRST = 20_000
const END = 32_768 // the start of Linux's default ephemeral range
const SLICES = 8
const SLICE = Math.floor((END - FIRST) / SLICES)

const worker = Number(process.env.JEST_WORKER_ID ?? 0)
const sliceStart = FIRST + (worker % SLICES) * SLICE
// A random start within the slice: two runs on one machine rarely walk the same ports.
let next = Math.floor(Math.random() * SLICE)

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = sliceStart + (next++ % SLICE)
    if (await listenable(port)) return port
  }
  throw new Error(`no free loopback port in ${sliceStart}–${sliceStart + SLICE - 1}`)
}
