/**
 * The backend as the benchmarks run it: `npm run server` as its own process (of this checkout or
 * another one), its env for the order bench against the emulator, a logged-in user, and the order load.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { registerMerchant } from '../test/support/emulator'
import { freePort } from '../test/support/merchant'

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
export function rssMb(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

/** CPU time (ms) all processes of the machine have spent busy so far (Linux /proc/stat: all but idle and iowait), or null. */
export function machineBusyMs(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const busy = f.reduce((a, b) => a + b, 0) - f[3] - f[4]
    return (busy * 1000) / 100 // clock ticks, USER_HZ = 100
  } catch {
    return null
  }
}

/** `npm run server` (of the checkout at `root`) with the given env, resolved once /healthz answers. */
export async function startBackendProcess(env: Record<string, string>, root = ROOT): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  // BENCH_DEBUG=1 passes the backend's stdout and stderr (its logs) through.
  // BENCH_BACKEND_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=bench/out", profiles the backend under load.
  const nodeArgs = (process.env.BENCH_BACKEND_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, 'server/merchant/server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RECONCILE_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'pipe'],
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

type Merchant = Awaited<ReturnType<typeof registerMerchant>>

/** The backend's env for the order bench: direct mode against the emulator, its own SQLite file in `dir`. */
export function orderBackendEnv(merchant: Merchant, emulatorUrl: string, dir: string, dbFile: string): Record<string, string> {
  writeFileSync(join(dir, 'apiclient_key.pem'), merchant.privateKeyPem, { mode: 0o600 })
  writeFileSync(join(dir, 'pub_key.pem'), merchant.platform.publicKeyPem)
  return {
    WECHATPAY_MODE: 'direct',
    WECHATPAY_APPID: merchant.appId,
    WECHATPAY_MCHID: merchant.mchid,
    WECHATPAY_SERIAL_NO: merchant.serialNo,
    WECHATPAY_PRIVATE_KEY_PATH: join(dir, 'apiclient_key.pem'),
    WECHATPAY_APIV3_KEY: merchant.apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: join(dir, 'pub_key.pem'),
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: merchant.platform.serialNo,
    WECHATPAY_BASE_URL: emulatorUrl,
    WECHAT_API_BASE: emulatorUrl,
    WECHAT_APP_SECRET: merchant.appSecret,
    NOTIFY_URL: 'http://127.0.0.1:9/api/wechatpay/notify',
    DATABASE_URL: `sqlite:${join(dir, dbFile)}`,
    ADMIN_TOKEN: 'bench-admin-token-0000',
    SESSION_SECRET: 'bench-session-secret-0000000000000000',
    RATE_LIMIT_ORDERS_PER_MIN: '999999999',
  }
}

/** Logs a user of the emulator's app in to a backend; its bearer token. */
export async function loginToken(emulatorUrl: string, appId: string, backendUrl: string): Promise<string> {
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json())
  const { code } = (await post(`${emulatorUrl}/__emulator/login`, { appId })) as { code: string }
  return ((await post(`${backendUrl}/api/session`, { code })) as { token: string }).token
}

/** POST /api/orders for `seconds` over `connections` keep-alive connections, a fresh requestId each. */
export function orderLoad(backendUrl: string, token: string, connections: number, seconds: number) {
  return autocannon({
    url: `${backendUrl}/api/orders`,
    connections,
    duration: seconds,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify({ amount: 100, description: '压测订单', requestId: randomUUID() }) }),
    }],
  })
}
