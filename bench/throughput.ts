/**
 * Sections 3 and 4 of the benchmark, in the deployment's shape: the emulator and the merchant
 * backend each run as their own process (`npm run emulator`, `npm run server`), so together they
 * can use both cores, and the load comes from this process.
 *
 * 3. POST /api/orders through the backend against the emulator (autocannon, fixed duration and
 *    connections): orders/s, p50/p99, backend RSS.
 * 4. Signed TRANSACTION.SUCCESS notifications posted to /api/wechatpay/notify, every one twice
 *    (half the posts are duplicates); afterwards each order must have changed state exactly once.
 *    The same posts go to the raw floor (bench/notify-floor.ts: verify + decrypt + one durable
 *    insert, no framework), rounds alternating between the two; the backend is reported against it.
 */
import type { ChildProcess } from 'node:child_process'
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildNotification, rfc3339 } from '../server/wechatpay'
import { openStorage } from '../server/merchant/storage'
import { registerMerchant, type EmulatorHandle } from '../test/support/emulator'
import { loginToken, machineBusyMs, orderBackendEnv, orderLoad, rssMb, startBackendProcess } from './backend'
import { cpuMs, startEmulatorProcess } from './emulator'
import { postNotifications, startFloorProcess } from './notify-floor'
import { postgresCpuMs, treeCpuMs } from './proc'

/** Section 4 alternates backend and floor this many times. */
const NOTIFY_ROUNDS = 4

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
  cpuMsPerOrder: { backend: number | null; emulator: number | null; loadGenerator: number; postgres: number | null }
  /** Backend processes (WORKERS). */
  workers: number
  /** Cores the whole machine kept busy during the window (every process, this bench's and its neighbours'), or null. */
  machineCoresBusy: number | null
  /** The measured window on CLOCK_MONOTONIC in µs (the clock of a `--cpu-prof` profile). */
  windowUs: { fromUs: number; toUs: number }
}

export interface OrderBenchOptions {
  durationMs?: number
  connections?: number
  /** The backend's DATABASE_URL (default: a fresh SQLite file); a PostgreSQL server this process started is measured on its own. */
  databaseUrl?: string
  /** WORKERS: backend processes; their CPU is summed (primary + workers). */
  workers?: number
  /** Called with the backend's pid right before the measured load; what it returns is awaited right after (bench/profile.ts). */
  aroundLoad?: (backendPid: number) => Promise<() => Promise<void>>
}

/** Section 3: orders through the backend process against the emulator process. */
export async function benchOrderThroughput({ durationMs = 8000, connections = 16, databaseUrl, workers = 1, aroundLoad }: OrderBenchOptions = {}): Promise<OrdersThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-orders-'))
  const emulator = await startEmulatorProcess()
  let backend: { child: ChildProcess; url: string } | undefined
  try {
    // registerMerchant only needs the control API's URL.
    const merchant = await registerMerchant({ url: emulator.url } as EmulatorHandle)
    const env = orderBackendEnv(merchant, emulator.url, dir, 'merchant.db')
    backend = await startBackendProcess({ ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), WORKERS: String(workers) })
    const token = await loginToken(emulator.url, merchant.appId, backend.url)
    const load = (seconds: number) => orderLoad(backend!.url, token, connections, seconds)
    await load(2) // warm-up: JIT (V8 is still optimising after 1 s), SQLite pages, keep-alive connections
    const finish = await aroundLoad?.(backend.child.pid as number)
    const pg = databaseUrl?.startsWith('postgres')
    const cpu0 = { backend: treeCpuMs(backend.child.pid), emulator: cpuMs(emulator.child.pid), load: process.cpuUsage(), machine: machineBusyMs(), postgres: pg ? postgresCpuMs() : null }
    const fromUs = Number(process.hrtime.bigint() / 1000n)
    const r = await load(Math.max(1, Math.round(durationMs / 1000)))
    const toUs = Number(process.hrtime.bigint() / 1000n)
    const loadCpu = process.cpuUsage(cpu0.load)
    const cpu1 = { backend: treeCpuMs(backend.child.pid), emulator: cpuMs(emulator.child.pid), machine: machineBusyMs(), postgres: pg ? postgresCpuMs() : null }
    await finish?.()
    const perOrder = (before: number | null, after: number | null) =>
      before === null || after === null ? null : Math.round(((after - before) / Math.max(1, r.requests.total)) * 1000) / 1000
    const cpuMsPerOrder = {
      backend: perOrder(cpu0.backend, cpu1.backend),
      emulator: perOrder(cpu0.emulator, cpu1.emulator),
      loadGenerator: Math.round(((loadCpu.user + loadCpu.system) / 1000 / Math.max(1, r.requests.total)) * 1000) / 1000,
      postgres: perOrder(cpu0.postgres, cpu1.postgres),
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
      workers,
      machineCoresBusy: cpu0.machine === null || cpu1.machine === null ? null : Math.round((cpu1.machine - cpu0.machine) / (toUs - fromUs) * 1000 * 100) / 100,
      windowUs: { fromUs, toUs },
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
  /** Every order paid, and each by exactly one applied notification. */
  exactlyOnce: boolean
  /** Posts not answered 204 (a 500 asks WeChat Pay to deliver again; the floor must answer all). */
  failedPosts: number
  backendRssMb: number | null
  /** Backend CPU (user + system) per post. */
  cpuMsPerPost: number
  /** PostgreSQL server CPU per post while the backend ran, and while the floor ran (null on SQLite). */
  postgresCpuMsPerPost: { backend: number | null; floor: number | null }
  /** The raw floor (bench/notify-floor.ts) on the same posts, interleaved round by round; ratio = backend / floor. */
  floor: { perSec: number; cpuMsPerPost: number; ratio: number }
}

/** Section 4: notification handling by the backend process; orders are seeded in its database first. */
export async function benchNotificationThroughput({ orders = 1500, connections = 16, databaseUrl: url = '', floorDatabaseUrl = '', aroundLoad }: { orders?: number; connections?: number; databaseUrl?: string; floorDatabaseUrl?: string; aroundLoad?: OrderBenchOptions['aroundLoad'] } = {}): Promise<NotificationThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'))
  const databaseUrl = url || `sqlite:${join(dir, 'merchant.db')}`
  const pg = databaseUrl.startsWith('postgres')
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
  // Rounds alternate between the backend and the raw floor (same posts), so a noisy neighbour slows both alike.
  // Within a round, each pair is spread apart but both stay in flight in the same window, so duplicates race their originals.
  const rounds = Array.from({ length: NOTIFY_ROUNDS }, (_, r) => {
    const slice = posts.slice(Math.floor((orders * r) / NOTIFY_ROUNDS) * 2, Math.floor((orders * (r + 1)) / NOTIFY_ROUNDS) * 2)
    return slice.map((p, i) => ({ p, k: (i * 7919) % slice.length })).sort((a, b) => a.k - b.k).map((x) => x.p)
  })
  const order = rounds.flat()

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
  let floorSeconds = 0
  let floorFailed = 0
  const cpu = { backend: 0, floor: 0, pgBackend: 0, pgFloor: 0 }
  let backendRss: number | null = null
  // The floor's store: a fresh SQLite file by default; any URL a FloorSink in notify-floor.ts knows (e.g. a PostgreSQL one).
  const floor = await startFloorProcess({ databaseUrl: floorDatabaseUrl || `sqlite:${join(dir, 'floor.db')}`, publicKeyPath: join(dir, 'pub_key.pem'), publicKeyId, apiV3Key })
  try {
    const url = `${backend.url}/api/wechatpay/notify`
    const timed = async (pid: number | undefined, target: string, posts: typeof order) => {
      const before = [treeCpuMs(pid), pg ? postgresCpuMs() : 0]
      const r = await postNotifications(target, posts, connections)
      const after = [treeCpuMs(pid), pg ? postgresCpuMs() : 0]
      const delta = (i: number) => (before[i] === null || after[i] === null ? 0 : (after[i] as number) - (before[i] as number))
      return { ...r, cpu: delta(0), pgCpu: delta(1) }
    }
    // The floor's rounds leave the backend idle: a profile of the backend over all rounds sees only its own posts.
    const stopProfile = aroundLoad && backend.child.pid ? await aroundLoad(backend.child.pid) : undefined
    for (let r = 0; r < rounds.length; r++) {
      const runBackend = async () => {
        const b = await timed(backend.child.pid, url, rounds[r])
        seconds += b.seconds
        failed += b.failed
        cpu.backend += b.cpu
        cpu.pgBackend += b.pgCpu
      }
      const runFloor = async () => {
        const f = await timed(floor.child.pid, floor.url, rounds[r])
        floorSeconds += f.seconds
        floorFailed += f.failed
        cpu.floor += f.cpu
        cpu.pgFloor += f.pgCpu
      }
      if (r % 2 === 0) await runBackend().then(runFloor)
      else await runFloor().then(runBackend)
    }
    await stopProfile?.()
    backendRss = rssMb(backend.child.pid)
  } finally {
    backend.child.kill('SIGTERM')
    floor.child.kill('SIGTERM')
    await new Promise((r) => backend.child.once('exit', r))
  }
  if (floorFailed) throw new Error(`the notification floor refused ${floorFailed} posts`)
  const perSec = Math.round(order.length / seconds)
  const floorPerSec = Math.round(order.length / floorSeconds)
  const perPost = (ms: number) => Math.round((ms / order.length) * 1000) / 1000
  const floorResult = { perSec: floorPerSec, cpuMsPerPost: perPost(cpu.floor), ratio: Math.round((perSec / floorPerSec) * 1000) / 1000 }

  const check = await openStorage(databaseUrl)
  try {
    const applied = new Map<string, number>()
    for (const e of await check.notifications.list(order.length + 10)) {
      if (e.outcome === 'applied' && e.outTradeNo) applied.set(e.outTradeNo, (applied.get(e.outTradeNo) ?? 0) + 1)
    }
    let paid = 0
    for (let i = 0; i < orders; i++) if ((await check.orders.get(orderNo(i)))?.status === 'paid') paid++
    const exactlyOnce = paid === orders && applied.size === orders && [...applied.values()].every((n) => n === 1)
    if (!exactlyOnce || failed) process.stderr.write(`bench: notifications: ${failed} posts failed, ${paid} of ${orders} orders paid, ${applied.size} applied (${[...applied.values()].filter((n) => n !== 1).length} more than once)\n`)
    return { perSec, posts: order.length, orders, exactlyOnce, failedPosts: failed, backendRssMb: backendRss, cpuMsPerPost: perPost(cpu.backend), postgresCpuMsPerPost: pg ? { backend: perPost(cpu.pgBackend), floor: perPost(cpu.pgFloor) } : { backend: null, floor: null }, floor: floorResult }
  } finally {
    await check.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
