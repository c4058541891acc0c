/**
 * Merchant backend numbers: order creation through the backend against the emulator on loopback
 * (autocannon), and notification handling (signed notifications, half of them duplicates).
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { buildNotification } from '../server/wechatpay'
import { rfc3339Beijing as rfc3339 } from '../server/merchant/services/order-numbers'
import { buildApp } from '../server/merchant/app'
import { loadConfig } from '../server/merchant/config'
import { openStorage } from '../server/merchant/storage'
import { registerMerchant, startEmulator } from '../test/support/emulator'
import { startBackend } from '../test/support/merchant'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{
  requests: { average: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
  '2xx': number
}>

export interface OrdersBench {
  ordersPerSec: number
  p50Ms: number
  p99Ms: number
  rssMb: number
  non2xx: number
}

/** POST /api/orders (unique requestId each) through the backend, which calls the emulator for every order. */
export async function benchOrders(opts: { durationMs?: number; connections?: number } = {}): Promise<OrdersBench> {
  const emu = await startEmulator()
  const merchant = await registerMerchant(emu)
  const backend = await startBackend({ emulator: emu, merchant, overrides: { rateLimitOrdersPerMin: 1e9 } })
  try {
    const token = await backend.loginToken('o-bench-user')
    const result = await autocannon({
      url: `${backend.url}/api/orders`,
      connections: opts.connections ?? 10,
      duration: Math.max(1, Math.round((opts.durationMs ?? 5000) / 1000)),
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ amount: 100, description: '压测', requestId: randomUUID() }) }),
        },
      ],
    })
    return {
      ordersPerSec: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
      non2xx: result.non2xx + result.errors + result.timeouts,
    }
  } finally {
    await backend.close()
    await emu.close()
  }
}

/**
 * Signed TRANSACTION.SUCCESS notifications posted to /api/wechatpay/notify over loopback, each
 * order's notification twice (half the posts are duplicates), `connections` in flight; checks
 * that every order changed state exactly once.
 */
export async function benchNotifications(opts: { orders?: number; connections?: number } = {}): Promise<{ perSec: number; transitionsOk: boolean; posts: number }> {
  const orderCount = opts.orders ?? 1000
  const connections = opts.connections ?? 10
  const merchantKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const platformKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const publicKeyId = 'PUB_KEY_ID_0119000001092025010100000001'
  const apiV3Key = 'B'.repeat(32)
  const files: Record<string, Buffer> = {
    '/bench/apiclient_key.pem': Buffer.from(merchantKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    '/bench/pub_key.pem': Buffer.from(createPublicKey(platformKey).export({ type: 'spki', format: 'pem' }).toString()),
  }
  const appId = 'wxbench0000000001'
  const mchid = '1900000999'
  const config = loadConfig({
    WECHATPAY_APPID: appId,
    WECHATPAY_MCHID: mchid,
    WECHATPAY_SERIAL_NO: 'ABCDEF0123456789',
    WECHATPAY_PRIVATE_KEY_PATH: '/bench/apiclient_key.pem',
    WECHATPAY_APIV3_KEY: apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: '/bench/pub_key.pem',
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: publicKeyId,
    WECHATPAY_BASE_URL: 'http://127.0.0.1:9', // never called: the orders are seeded in storage
    WECHAT_APP_SECRET: 'c'.repeat(32),
    NOTIFY_URL: 'http://127.0.0.1/api/wechatpay/notify',
    ADMIN_TOKEN: 'bench-admin-token-0000',
    SESSION_SECRET: 'bench-session-secret-0000000000000000',
    DATABASE_URL: 'sqlite::memory:',
    RECONCILE_INTERVAL_SECONDS: '0',
  }, { readFile: (p) => files[p] })
  const storage = openStorage(config.databaseUrl)
  const app = await buildApp({ config, storage, logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/wechatpay/notify`
  try {
    const now = Date.now()
    const user = storage.users.upsertByOpenid('o-bench', null, now, () => 'bench-user')
    const bodies: Array<{ headers: Record<string, string>; body: string }> = []
    storage.transaction(() => {
      for (let i = 0; i < orderCount; i++) {
        const orderNo = `BENCH${String(i).padStart(10, '0')}`
        storage.orders.insert({ orderNo, userId: user.id, requestId: `bench-${i}-xxxx`, amount: 100 + i, description: 'bench', status: 'unpaid', createdAt: now, expiresAt: now + 3600_000, paidAt: null, transactionId: null, paidOutTradeNo: null, refundedAmount: 0, lastQueriedAt: null })
        storage.attempts.insert({ outTradeNo: `${orderNo}_1`, orderNo, seq: 1, openid: 'o-bench', timeExpire: rfc3339(now + 3600_000), prepayId: `wx_bench_${i}`, prepayExpiresAt: now + 3600_000, status: 'open', createdAt: now, transactionId: null, paidAt: null })
      }
    })
    for (let i = 0; i < orderCount; i++) {
      const plaintext = JSON.stringify({
        appid: appId, mchid, out_trade_no: `BENCH${String(i).padStart(10, '0')}_1`, transaction_id: `42000000${String(i).padStart(20, '0')}`,
        trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', success_time: rfc3339(now),
        amount: { total: 100 + i, payer_total: 100 + i, currency: 'CNY', payer_currency: 'CNY' }, payer: { openid: 'o-bench' },
      })
      const n = buildNotification({ id: randomUUID(), createTime: rfc3339(now), eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext }, apiV3Key, { serial: publicKeyId, privateKey: platformKey })
      bodies.push(n, n) // every notification twice: half of the posts are duplicates
    }
    // Interleave so duplicates arrive concurrently with their originals.
    const posts = bodies.map((b, i) => ({ b, k: (i * 7919) % bodies.length })).sort((x, y) => x.k - y.k).map((x) => x.b)
    let next = 0
    let failed = 0
    const started = process.hrtime.bigint()
    await Promise.all(Array.from({ length: connections }, async () => {
      while (next < posts.length) {
        const p = posts[next++]
        const res = await fetch(url, { method: 'POST', headers: p.headers, body: p.body })
        await res.arrayBuffer()
        if (res.status !== 204) failed++
      }
    }))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const log = storage.notifications.list(posts.length + 10)
    const applied = new Map<string, number>()
    for (const e of log) if (e.outcome === 'applied' && e.outTradeNo) applied.set(e.outTradeNo, (applied.get(e.outTradeNo) ?? 0) + 1)
    let paid = 0
    for (let i = 0; i < orderCount; i++) if (storage.orders.get(`BENCH${String(i).padStart(10, '0')}`)?.status === 'paid') paid++
    const transitionsOk = failed === 0 && paid === orderCount && applied.size === orderCount && [...applied.values()].every((n) => n === 1)
    return { perSec: Math.round(posts.length / seconds), transitionsOk, posts: posts.length }
  } finally {
    await app.close()
    storage.close()
  }
}

if (/bench[\\/]merchant\.[jt]s$/.test(process.argv[1] ?? '')) {
  void (async () => {
    const orders = await benchOrders({ durationMs: Number(process.env.BENCH_DURATION_MS ?? 5000), connections: 10 })
    console.log('orders', orders)
    const notifications = await benchNotifications()
    console.log('notifications', notifications)
  })()
}
