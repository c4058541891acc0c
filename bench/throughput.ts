/**
 * Sections 3 and 4 of the benchmark, in the deployment's shape: the emulator and the merchant
 * backend each run as their own process (`npm run emulator`, `npm run server`), so together they
 * can use both cores, and the load comes from this process.
 *
 * 3. POST /api/orders through the backend against the emulator (autocannon, fixed duration and
 *    connections): orders/s, p50/p99, backend RSS.
 * 4. Signed TRANSACTION.SUCCESS notifications posted to /api/wechatpay/notify, every one twice
 *    (half the posts are duplicates); afterwards each order must have changed state exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildNotification, rfc3339 } from '../server/wechatpay'
import { openStorage } from '../server/merchant/storage'
import { registerMerchant, type EmulatorHandle } from '../test/support/emulator'
import { freePort } from '../test/support/merchant'
import { cpuMs, startEmulatorProcess } from './emulator'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
  duration: number
}>

const ROOT = join(__dirname, '..')

/** Resident set size of a process in MB (Linux /proc), or null. */
function rssMb(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

/** `npm run server` with the given env, resolved once /healthz answers. */
async function startBackendProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  // BENCH_BACKEND_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=bench/out", profiles the backend under load.
  const nodeArgs = (process.env.BENCH_BACKEND_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'server/merchant/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RECONCILE_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited (${child.exitCode}): ${stderr.trim()}`)
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
    if (ok) return { child, url }
    if (Date.now() > deadline) throw new Error(`backend did not start: ${stderr.trim()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface OrdersThroughput {
  ordersPerSec: number
  orders: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  backendRssMb: number | null
  connections: number
  seconds: number
  /** CPU time (user + system) per order of each process: where the two cores went. */
  cpuMsPerOrder: { backend: number | null; emulator: number | null; loadGenerator: number }
}

/** Section 3: orders through the backend process against the emulator process. */
export async function benchOrderThroughput({ durationMs = 8000, connections = 16 } = {}): Promise<OrdersThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-orders-'))
  const emulator = await startEmulatorProcess()
  let backend: { child: ChildProcess; url: string } | undefined
  try {
    // registerMerchant only needs the control API's URL.
    const merchant = await registerMerchant({ url: emulator.url } as EmulatorHandle)
    writeFileSync(join(dir, 'apiclient_key.pem'), merchant.privateKeyPem, { mode: 0o600 })
    writeFileSync(join(dir, 'pub_key.pem'), merchant.platform.publicKeyPem)
    backend = await startBackendProcess({
      WECHATPAY_MODE: 'direct',
      WECHATPAY_APPID: merchant.appId,
      WECHATPAY_MCHID: merchant.mchid,
      WECHATPAY_SERIAL_NO: merchant.serialNo,
      WECHATPAY_PRIVATE_KEY_PATH: join(dir, 'apiclient_key.pem'),
      WECHATPAY_APIV3_KEY: merchant.apiV3Key,
      WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: join(dir, 'pub_key.pem'),
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: merchant.platform.serialNo,
      WECHATPAY_BASE_URL: emulator.url,
      WECHAT_API_BASE: emulator.url,
      WECHAT_APP_SECRET: merchant.appSecret,
      NOTIFY_URL: 'http://127.0.0.1:9/api/wechatpay/notify',
      DATABASE_URL: `sqlite:${join(dir, 'merchant.db')}`,
      ADMIN_TOKEN: 'bench-admin-token-0000',
      SESSION_SECRET: 'bench-session-secret-0000000000000000',
      RATE_LIMIT_ORDERS_PER_MIN: '999999999',
    })
    const code = ((await (await fetch(`${emulator.url}/__emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: merchant.appId }) })).json()) as { code: string }).code
    const { token } = (await (await fetch(`${backend.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()) as { token: string }
    const load = (seconds: number) =>
      autocannon({
        url: `${backend!.url}/api/orders`,
        connections,
        duration: seconds,
        requests: [{
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ amount: 100, description: '压测订单', requestId: randomUUID() }) }),
        }],
      })
    await load(1) // warm-up: JIT, SQLite pages, keep-alive connections
    const cpu0 = { backend: cpuMs(backend.child.pid), emulator: cpuMs(emulator.child.pid), load: process.cpuUsage() }
    const r = await load(Math.max(1, Math.round(durationMs / 1000)))
    const loadCpu = process.cpuUsage(cpu0.load)
    const perOrder = (before: number | null, pid: number | undefined) => {
      const after = cpuMs(pid)
      return before === null || after === null ? null : Math.round(((after - before) / Math.max(1, r.requests.total)) * 1000) / 1000
    }
    const cpuMsPerOrder = {
      backend: perOrder(cpu0.backend, backend.child.pid),
      emulator: perOrder(cpu0.emulator, emulator.child.pid),
      loadGenerator: Math.round(((loadCpu.user + loadCpu.system) / 1000 / Math.max(1, r.requests.total)) * 1000) / 1000,
    }
    return {
      ordersPerSec: Math.round(r.requests.total / r.duration),
      orders: r.requests.total,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx + r.errors + r.timeouts,
      backendRssMb: rssMb(backend.child.pid),
      connections,
      seconds: r.duration,
      cpuMsPerOrder,
    }
  } finally {
    backend?.child.kill('SIGTERM')
    emulator.child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface NotificationThroughput {
  perSec: number
  posts: number
  orders: number
  /** Every post answered 204, every order paid, and each by exactly one applied notification. */
  exactlyOnce: boolean
  backendRssMb: number | null
}

/** Section 4: notification handling by the backend process; orders are seeded in its database first. */
export async function benchNotificationThroughput({ orders = 1500, connections = 16 } = {}): Promise<NotificationThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'))
  const databaseUrl = `sqlite:${join(dir, 'merchant.db')}`
  const merchantKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const platformKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const publicKeyId = 'PUB_KEY_ID_0119000001092025010100000001'
  const apiV3Key = 'B'.repeat(32)
  const appId = 'wxbench0000000001'
  const mchid = '1900000999'
  writeFileSync(join(dir, 'apiclient_key.pem'), merchantKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 })
  writeFileSync(join(dir, 'pub_key.pem'), createPublicKey(platformKey).export({ type: 'spki', format: 'pem' }).toString())
  const orderNo = (i: number) => `BENCH${String(i).padStart(10, '0')}`

  // Seed unpaid orders with one open attempt each, as /api/orders would have left them.
  const now = Date.now()
  const seed = await openStorage(databaseUrl)
  const user = await seed.users.upsertByOpenid('o-bench', null, now, () => 'bench-user')
  await seed.transaction(async () => {
    for (let i = 0; i < orders; i++) {
      await seed.orders.insert({ orderNo: orderNo(i), userId: user.id, requestId: `bench-${i}-xxxx`, amount: 100 + i, description: 'bench', status: 'unpaid', createdAt: now, expiresAt: now + 3600_000, paidAt: null, transactionId: null, paidOutTradeNo: null, refundedAmount: 0, lastQueriedAt: null })
      await seed.attempts.insert({ outTradeNo: `${orderNo(i)}_1`, orderNo: orderNo(i), seq: 1, openid: 'o-bench', timeExpire: rfc3339(now + 3600_000), prepayId: `wx_bench_${i}`, prepayExpiresAt: now + 3600_000, status: 'open', createdAt: now, transactionId: null, paidAt: null })
    }
  })
  await seed.close()

  const posts: Array<{ headers: Record<string, string>; body: string }> = []
  for (let i = 0; i < orders; i++) {
    const plaintext = JSON.stringify({
      appid: appId, mchid, out_trade_no: `${orderNo(i)}_1`, transaction_id: `42000000${String(i).padStart(20, '0')}`,
      trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', success_time: rfc3339(now),
      amount: { total: 100 + i, payer_total: 100 + i, currency: 'CNY', payer_currency: 'CNY' }, payer: { openid: 'o-bench' },
    })
    const n = buildNotification({ id: randomUUID(), createTime: rfc3339(now), eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext }, apiV3Key, { serial: publicKeyId, privateKey: platformKey })
    posts.push(n, n)
  }
  // Spread each pair apart but keep both in flight in the same window, so duplicates race their originals.
  const order = posts.map((p, i) => ({ p, k: (i * 7919) % posts.length })).sort((a, b) => a.k - b.k).map((x) => x.p)

  const backend = await startBackendProcess({
    WECHATPAY_MODE: 'direct',
    WECHATPAY_APPID: appId,
    WECHATPAY_MCHID: mchid,
    WECHATPAY_SERIAL_NO: 'ABCDEF0123456789',
    WECHATPAY_PRIVATE_KEY_PATH: join(dir, 'apiclient_key.pem'),
    WECHATPAY_APIV3_KEY: apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: join(dir, 'pub_key.pem'),
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: publicKeyId,
    WECHATPAY_BASE_URL: 'http://127.0.0.1:9', // never called: the orders are already known
    WECHAT_API_BASE: 'http://127.0.0.1:9',
    WECHAT_APP_SECRET: 'c'.repeat(32),
    NOTIFY_URL: 'http://127.0.0.1/api/wechatpay/notify',
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN: 'bench-admin-token-0000',
    SESSION_SECRET: 'bench-session-secret-0000000000000000',
  })
  let failed = 0
  let seconds = 0
  let backendRss: number | null = null
  try {
    const url = `${backend.url}/api/wechatpay/notify`
    let next = 0
    const started = process.hrtime.bigint()
    await Promise.all(Array.from({ length: connections }, async () => {
      while (next < order.length) {
        const p = order[next++]
        const res = await fetch(url, { method: 'POST', headers: p.headers, body: p.body })
        await res.arrayBuffer()
        if (res.status !== 204) failed++
      }
    }))
    seconds = Number(process.hrtime.bigint() - started) / 1e9
    backendRss = rssMb(backend.child.pid)
  } finally {
    backend.child.kill('SIGTERM')
    await new Promise((r) => backend.child.once('exit', r))
  }

  const check = await openStorage(databaseUrl)
  try {
    const applied = new Map<string, number>()
    for (const e of await check.notifications.list(order.length + 10)) {
      if (e.outcome === 'applied' && e.outTradeNo) applied.set(e.outTradeNo, (applied.get(e.outTradeNo) ?? 0) + 1)
    }
    let paid = 0
    for (let i = 0; i < orders; i++) if ((await check.orders.get(orderNo(i)))?.status === 'paid') paid++
    const exactlyOnce = failed === 0 && paid === orders && applied.size === orders && [...applied.values()].every((n) => n === 1)
    return { perSec: Math.round(order.length / seconds), posts: order.length, orders, exactlyOnce, backendRssMb: backendRss }
  } finally {
    await check.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
