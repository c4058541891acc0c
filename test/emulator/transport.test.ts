/**
 * The client's transport against the real emulator: one keep-alive connection shared by calls,
 * and the backup host — tried once for calls safe to repeat when the main host gives no answer
 * (refused connection, timeout), never after an answer and never for refunds or closes.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { loadPublicKey, WechatPayClient, WechatPayError, type WechatPayClientOptions } from '../../server/wechatpay'
import { type EmulatorHandle, type TestMerchant, withEmulator } from '../support/emulator'
import { directOrder, tradeNo } from './helpers'
import { rejectionOf } from '../support/rejection'

// RSA-2048 key generation (emulator and merchant keys) is slow on a busy machine.
jest.setTimeout(30_000)

/** Nothing listens on port 1: connections are refused. */
const CLOSED = 'http://127.0.0.1:1'

let emu: EmulatorHandle
let m: TestMerchant
withEmulator({ retryScale: 0.001 }, (e, merchant) => ([emu, m] = [e, merchant]))

const clients: WechatPayClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.close()
})

const clientWith = (o: Partial<WechatPayClientOptions>) => {
  const c = new WechatPayClient({
    mchid: m.mchid,
    serialNo: m.serialNo,
    privateKey: m.privateKey,
    apiV3Key: m.apiV3Key,
    platform: { mode: 'publicKey', publicKeyId: m.platform.serialNo, publicKey: loadPublicKey(m.platform.publicKeyPem) },
    maxRetries: 0,
    ...o,
  })
  clients.push(c)
  return c
}

const rejection = (p: Promise<unknown>) => rejectionOf(p, WechatPayError)

const listen = async <S extends Server | TcpServer>(server: S): Promise<{ server: S; url: string }> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
const closeServer = (s: Server | TcpServer) => new Promise<void>((resolve) => s.close(() => resolve()))

/** A host that records what reaches it and answers 503 (a stand-in backup host). */
async function recorder() {
  const hits: string[] = []
  const server = createHttpServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    req.resume()
    res.statusCode = 503
    res.end()
  })
  const { url } = await listen(server)
  return { url, hits, close: () => { server.closeAllConnections(); return closeServer(server) } }
}

test('calls share one keep-alive connection', async () => {
  // A TCP pass-through in front of the emulator counts the connections the client opens.
  const target = Number(new URL(emu.url).port)
  let connections = 0
  const proxy = createTcpServer((socket) => {
    connections++
    const upstream = connect(target, '127.0.0.1')
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
    socket.on('close', () => upstream.destroy())
  })
  const { url } = await listen(proxy)
  try {
    const client = clientWith({ baseUrl: url })
    await emu.login(m.appId, 'o-keepalive')
    const body = directOrder(m, 'o-keepalive')
    await client.createJsapiOrder(body)
    for (let i = 0; i < 4; i++) await expect(client.queryOrderByOutTradeNo(body.out_trade_no)).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    expect(connections).toBe(1)
  } finally {
    for (const c of clients.splice(0)) c.close()
    await closeServer(proxy)
  }
})

describe('backup host', () => {
  test('main host refuses connections: order creation and queries are served by the backup host', async () => {
    const client = clientWith({ baseUrl: CLOSED, backupBaseUrl: emu.url })
    await emu.login(m.appId, 'o-backup')
    const body = directOrder(m, 'o-backup')
    await expect(client.createJsapiOrder(body)).resolves.toMatchObject({ prepay_id: expect.stringMatching(/^wx/) })
    await expect(client.queryOrderByOutTradeNo(body.out_trade_no)).resolves.toMatchObject({ out_trade_no: body.out_trade_no, trade_state: 'NOTPAY' })
  })

  test('main host gives no answer in time: the call goes once to the backup host', async () => {
    await emu.login(m.appId, 'o-backup-slow')
    const body = directOrder(m, 'o-backup-slow')
    await clientWith({ baseUrl: emu.url }).createJsapiOrder(body)
    // The main host accepts the connection and never answers.
    const held: Socket[] = []
    const { server: silent, url } = await listen(createTcpServer((socket) => { held.push(socket); socket.resume() }))
    try {
      const client = clientWith({ baseUrl: url, backupBaseUrl: emu.url, timeoutMs: 2_500 })
      await expect(client.queryOrderByOutTradeNo(body.out_trade_no)).resolves.toMatchObject({ trade_state: 'NOTPAY' })
      expect(held).toHaveLength(1)
    } finally {
      for (const s of held) s.destroy()
      await closeServer(silent)
    }
  })

  test('refunds and closes never go to the backup host; the error says no answer came', async () => {
    const backup = await recorder()
    try {
      const client = clientWith({ baseUrl: CLOSED, backupBaseUrl: backup.url })
      const refund = await rejection(client.createRefund({ out_trade_no: tradeNo(), out_refund_no: tradeNo('R'), amount: { refund: 1, total: 1, currency: 'CNY' } }))
      expect(refund).toMatchObject({ status: 0, code: 'NETWORK_ERROR', detail: { answered: false }, retryable: true })
      expect(await rejection(client.closeOrder(tradeNo()))).toMatchObject({ status: 0, code: 'NETWORK_ERROR' })
      expect(backup.hits).toEqual([])
      // A read does go there (and the backup's 503 is what the caller sees).
      expect(await rejection(client.queryOrderByOutTradeNo('T123456'))).toMatchObject({ status: 503 })
      expect(backup.hits).toEqual([`GET /v3/pay/transactions/out-trade-no/T123456?mchid=${m.mchid}`])
    } finally {
      await backup.close()
    }
  })

  test('after an answer (500 from the main host) the backup host is not tried', async () => {
    const backup = await recorder()
    try {
      await emu.faults({ 'GET /v3/pay/transactions/out-trade-no/:out_trade_no': { status: 500, times: 1 } })
      const client = clientWith({ baseUrl: emu.url, backupBaseUrl: backup.url })
      expect(await rejection(client.queryOrderByOutTradeNo('T123456'))).toMatchObject({ status: 500, code: 'SYSTEM_ERROR' })
      expect(backup.hits).toEqual([])
    } finally {
      await backup.close()
    }
  })
})
