/**
 * `npm run stack`: the whole flow on one machine, no WeChat account. Dev keys on first run, the
 * emulator, the merchant registered with it, the backend pointed at it, and the mini-program
 * watch build wired to both. Ctrl-C stops everything. `--no-build` skips the Taro watch;
 * `--postgres` runs the backend as WORKERS=2 processes on a throw-away embedded PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createPrivateKey } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { publicKeyPem } from '../server/wechatpay'
import { ensureDevKeys } from './dev-keys'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres'

const root = resolve(__dirname, '..')
const children: ChildProcess[] = []
let stopping = false
let postgres: EmbeddedPostgres | null = null

function start(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const prefix = (line: string) => `[${name}] ${line}`
  for (const stream of [child.stdout, child.stderr]) {
    let buf = ''
    stream?.on('data', (b: Buffer) => {
      buf += b.toString()
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      for (const l of lines) if (l.trim()) console.log(prefix(l))
    })
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(prefix(`exited (${signal ?? code}); stopping the stack`))
      void stop(1)
    }
  })
  children.push(child)
  return child
}

async function stop(code = 0) {
  if (stopping) return
  stopping = true
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 500))
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL')
  // After the backend: its workers close their pools before the database goes.
  await postgres?.stop().catch((e: unknown) => console.error(`[postgres] stop failed: ${e instanceof Error ? e.message : e}`))
  process.exit(code)
}

async function waitUp(url: string, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up at ${url}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${url} → ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

async function main() {
  const noBuild = process.argv.includes('--no-build')
  const onPostgres = process.argv.includes('--postgres')
  const emulatorPort = process.env.EMULATOR_PORT ?? '3100'
  const port = process.env.PORT ?? '3000'
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`
  const backendUrl = `http://127.0.0.1:${port}`
  process.once('SIGINT', () => void stop(0))
  process.once('SIGTERM', () => void stop(0))

  const keys = ensureDevKeys()
  console.log(`${keys.created ? 'generated' : 'using'} dev keys in ${keys.dir}`)

  // `node --import tsx` = what `npx tsx` runs, as one process we can stop by its pid.
  start('emulator', process.execPath, ['--import', 'tsx', 'server/emulator/server.ts'], { EMULATOR_PORT: emulatorPort })
  await waitUp(`${emulatorUrl}/__emulator/notifications`, 'the emulator')

  await post(`${emulatorUrl}/__emulator/apps`, { appId: keys.appId, secret: keys.appSecret })
  const { platform } = await post<{ platform: { mode: 'publicKey' | 'certificate'; serialNo: string; publicKeyPem: string } }>(`${emulatorUrl}/__emulator/merchants`, {
    mchid: keys.mchid,
    serialNo: keys.serialNo,
    publicKeyPem: publicKeyPem(createPrivateKey(keys.privateKeyPem)),
    apiV3Key: keys.apiV3Key,
    appIds: [keys.appId],
  })
  const platformEnv: Record<string, string> = {}
  if (platform.mode === 'publicKey') {
    const path = join(keys.dir, 'platform_pub_key.pem')
    writeFileSync(path, platform.publicKeyPem)
    platformEnv.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH = path
    platformEnv.WECHATPAY_PLATFORM_PUBLIC_KEY_ID = platform.serialNo
  }

  const databaseEnv: Record<string, string> = {}
  if (onPostgres) {
    postgres = await startEmbeddedPostgres()
    if (stopping) return void (await postgres.stop())
    console.log(`[postgres] embedded PostgreSQL 18 on port ${postgres.port} (removed on exit)`)
    Object.assign(databaseEnv, { DATABASE_URL: postgres.url, WORKERS: '2' })
  }

  start('backend', process.execPath, ['--import', 'tsx', 'server/merchant/server.ts'], {
    PORT: port,
    WECHATPAY_MODE: 'direct',
    WECHATPAY_APPID: keys.appId,
    WECHATPAY_MCHID: keys.mchid,
    WECHATPAY_SERIAL_NO: keys.serialNo,
    WECHATPAY_PRIVATE_KEY_PATH: keys.privateKeyPath,
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_BASE_URL: emulatorUrl,
    WECHAT_API_BASE: emulatorUrl,
    WECHAT_APP_SECRET: keys.appSecret,
    NOTIFY_URL: `${backendUrl}/api/wechatpay/notify`,
    ADMIN_TOKEN: keys.adminToken,
    SESSION_SECRET: keys.sessionSecret,
    ...platformEnv,
    ...databaseEnv,
  })
  await waitUp(`${backendUrl}/healthz`, 'the backend')

  if (!noBuild) {
    start('taro', process.execPath, [join(root, 'node_modules/@tarojs/cli/bin/taro'), 'build', '--type', 'weapp', '--watch'], {
      TARO_APP_API_BASE: backendUrl,
      TARO_APP_PAY_MODE: 'emulator',
      TARO_APP_EMULATOR_URL: emulatorUrl,
      TARO_APP_APPID: keys.appId,
    })
  }

  console.log(`
Stack is up (Ctrl-C stops everything):
  emulator          ${emulatorUrl}   (WeChat Pay v3 + jscode2session, control API under /__emulator/)
  merchant backend  ${backendUrl}    (mchid ${keys.mchid}, appid ${keys.appId})${postgres ? `
  database          embedded PostgreSQL on port ${postgres.port}, 2 backend workers (throw-away data)` : ''}
  mini-program      ${noBuild ? 'not built (--no-build)' : 'building into dist/ in watch mode'}
Open this folder in WeChat DevTools (project.config.json, miniprogramRoot dist/); in DevTools'
project settings tick "不校验合法域名" so the mini-program may call http://127.0.0.1.
Admin refunds: curl -X POST ${backendUrl}/api/admin/orders/<orderNo>/refunds -H 'X-Admin-Token: <dev-keys/merchant.json adminToken>' -H 'content-type: application/json' -d '{"amount":1,"requestId":"refund-0001"}'
`)
}

main().catch((e) => {
  console.error(`stack: ${e instanceof Error ? e.message : e}`)
  void stop(1)
})
