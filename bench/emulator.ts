/**
 * Emulator throughput: JSAPI order creations per second, and the share of the emulator's time
 * spent in RSA (verifying the merchant's Authorization + signing the answer).
 *
 * The emulator runs as its own process (`server/emulator/server.ts`, as `npm run emulator` does);
 * this process pre-signs every order request first (client signing is not the emulator's cost),
 * then drives it with N concurrent keep-alive connections for `durationMs`.
 * RSA share = (measured verify + sign time per order) × orders / wall time; on Linux also
 * against the emulator process's CPU time (utime + stime from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'node:http'
import { publicKeyPem, requestMessage, responseMessage, signMessage, signRequest, verifySignature } from '../server/wechatpay'

export interface EmulatorBenchResult {
  ordersPerSec: number
  /** Fraction of wall time the emulator spent in RSA verify + sign. */
  rsaShare: number
  /** Fraction of the emulator process's CPU time spent in RSA (Linux), else null. */
  rsaShareOfCpu: number | null
  orders: number
  errors: number
  seconds: number
  concurrency: number
  /** Measured cost of one order's RSA work (verify the request + sign the answer), ms. */
  rsaMsPerOrder: number
  /** Average latency per order, ms. */
  meanLatencyMs: number
}

const ROOT = join(__dirname, '..')

/** `npm run emulator` as a child process on a free port; resolves with its URL once it listens. */
export function startEmulatorProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/emulator/server.ts'), '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, EMULATOR_STATE: '', EMULATOR_SIGNTEST_RATE: '0', EMULATOR_LOG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return listening(child, 'emulator', /on (http:\/\/[\d.]+:\d+)/)
}

/** Resolves with the child's URL once its stdout matches `pattern` (group 1); rejects with its stderr if it exits first. */
export function listening(child: ChildProcess, what: string, pattern: RegExp): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      const m = pattern.exec(out)
      if (m) resolve({ child, url: m[1] })
    })
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${err.trim()}`)))
  })
}

/** utime + stime of a process in ms (Linux), or null. */
export function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // clock ticks, USER_HZ = 100
  } catch {
    return null
  }
}

const postJson = async (url: string, path: string, body: unknown) => {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<Record<string, unknown>>
}

/** Measures orders/s against a fresh emulator process. */
export async function benchEmulatorOrders(options: { durationMs?: number; concurrency?: number } = {}): Promise<EmulatorBenchResult> {
  const durationMs = options.durationMs ?? 5000
  const concurrency = options.concurrency ?? 16
  const merchantKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const mchid = '1900000109'
  const serialNo = randomBytes(20).toString('hex').toUpperCase()
  const appId = 'wxbench0000000001'
  const openid = 'o-bench-user'

  // The RSA work of one order, measured in this process on the same kind of key.
  const platformKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const sampleBody = JSON.stringify({ appid: appId, mchid, description: '压测订单', out_trade_no: 'B000000000000001', notify_url: 'https://shop.example.com/notify', amount: { total: 100, currency: 'CNY' }, payer: { openid } })
  const reqMessage = requestMessage({ method: 'POST', pathWithQuery: '/v3/pay/transactions/jsapi', timestamp: '1767225600', nonce: 'n'.repeat(32), body: sampleBody })
  const reqSignature = signMessage(reqMessage, merchantKey)
  const merchantPublic = createPublicKey(merchantKey)
  const answer = responseMessage('1767225600', 'n'.repeat(32), '{"prepay_id":"wx20260101000000abcdef0123456789abcdef"}')
  for (let i = 0; i < 20; i++) {
    verifySignature(reqMessage, reqSignature, merchantPublic)
    signMessage(answer, platformKey)
  }
  const rsaRounds = 300
  const t0 = performance.now()
  for (let i = 0; i < rsaRounds; i++) {
    verifySignature(reqMessage, reqSignature, merchantPublic)
    signMessage(answer, platformKey)
  }
  const rsaMsPerOrder = (performance.now() - t0) / rsaRounds

  const { child, url } = await startEmulatorProcess()
  try {
    await postJson(url, '/__emulator/apps', { appId, secret: 'bench-secret' })
    await postJson(url, '/__emulator/merchants', { mchid, serialNo, publicKeyPem: publicKeyPem(merchantKey), apiV3Key: 'A'.repeat(32), appIds: [appId] })
    await postJson(url, '/__emulator/login', { appId, openid })

    // Pre-sign enough distinct orders for the run (the emulator cannot sign faster than rsaMsPerOrder allows).
    const capacity = Math.ceil((durationMs / rsaMsPerOrder) * 1.3) + concurrency
    const signer = { mchid, serialNo, privateKey: merchantKey }
    const runId = randomBytes(3).toString('hex')
    const requests = Array.from({ length: capacity }, (_, i) => {
      const body = JSON.stringify({ appid: appId, mchid, description: '压测订单', out_trade_no: `B${runId}${String(i).padStart(10, '0')}`, notify_url: 'https://shop.example.com/notify', amount: { total: 100, currency: 'CNY' }, payer: { openid } })
      return { body, authorization: signRequest(signer, 'POST', '/v3/pay/transactions/jsapi', body) }
    })

    const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
    const { hostname, port } = new URL(url)
    const send = (r: { body: string; authorization: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ agent, hostname, port, method: 'POST', path: '/v3/pay/transactions/jsapi', headers: { Authorization: r.authorization, Accept: 'application/json', 'User-Agent': 'bench/1.0', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(r.body) } }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
        req.on('error', reject)
        req.end(r.body)
      })

    // Warm-up (JIT, connections), not counted.
    let next = 0
    await Promise.all(Array.from({ length: concurrency }, () => send(requests[next++])))

    let orders = 0
    let errors = 0
    let latencyTotal = 0
    const cpuBefore = cpuMs(child.pid)
    const started = performance.now()
    const deadline = started + durationMs
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline && next < requests.length) {
          const t = performance.now()
          const status = await send(requests[next++])
          latencyTotal += performance.now() - t
          if (status === 200) orders++
          else errors++
        }
      }),
    )
    const wallMs = performance.now() - started
    const cpuAfter = cpuMs(child.pid)
    agent.destroy()
    const emulatorCpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null
    return {
      ordersPerSec: Math.round((orders / wallMs) * 1000),
      rsaShare: Math.round(((rsaMsPerOrder * orders) / wallMs) * 1000) / 1000,
      rsaShareOfCpu: emulatorCpu ? Math.round(((rsaMsPerOrder * orders) / emulatorCpu) * 1000) / 1000 : null,
      orders,
      errors,
      seconds: Math.round(wallMs) / 1000,
      concurrency,
      rsaMsPerOrder: Math.round(rsaMsPerOrder * 1000) / 1000,
      meanLatencyMs: Math.round((latencyTotal / Math.max(1, orders + errors)) * 100) / 100,
    }
  } finally {
    child.kill('SIGTERM')
  }
}

if (process.argv[1] && /bench[\\/]emulator\.ts$/.test(process.argv[1])) {
  benchEmulatorOrders({ durationMs: Number(process.env.BENCH_DURATION_MS ?? 5000) }).then(
    (r) => {
      process.stdout.write(`emulator: ${r.ordersPerSec} orders/s (${r.orders} in ${r.seconds} s, ${r.errors} errors, ${r.concurrency} connections, mean ${r.meanLatencyMs} ms)\n`)
      process.stdout.write(`RSA per order (verify + sign): ${r.rsaMsPerOrder} ms → ${(r.rsaShare * 100).toFixed(1)}% of wall time${r.rsaShareOfCpu !== null ? `, ${(r.rsaShareOfCpu * 100).toFixed(1)}% of the emulator's CPU time` : ''}\n`)
    },
    (e) => {
      process.stderr.write(`bench failed: ${(e as Error).message}\n`)
      process.exit(1)
    },
  )
}
