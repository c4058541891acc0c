// The merchant backend as a real child process on a file database (or the DATABASE_URL a test passes),
// so a test can SIGKILL it at any point and start it again on the same port and data (restart, crash
// and two-process tests).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COMPILED_NODE_PATH, compileServer } from './compiled-server'
import type { EmulatorHandle, TestMerchant } from './emulator'
import { freePort, merchantEnv } from './merchant'

const STDOUT_KEPT_CHARS = 256 * 1024

export interface BackendProcess {
  /** http://127.0.0.1:<port>, the same across restarts. */
  url: string
  /** Starts the process and waits until /healthz answers. */
  start(): Promise<void>
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>
  /** Sends `signal` (default SIGTERM) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The running process's pid (with WORKERS > 1, the cluster primary's). */
  pid(): number | undefined
  /** What the current (or last) process wrote to stderr. */
  stderr(): string
  /** What the current (or last) process wrote to stdout (its log lines; the last 256 KiB). */
  stdout(): string
  /** Kills whatever is still running and removes the temp dir (afterAll). */
  cleanup(): void
}

/**
 * Prepares a backend process for this merchant: keys written to a private temp dir, a file database
 * there, and the backend compiled to JavaScript there once (compiled-server.ts), so a restart costs
 * a node start rather than a TypeScript transpile of every module. `extraEnv` wins over the defaults
 * (e.g. DATABASE_URL=postgres://…, WORKERS, NOTIFY_URL).
 */
export async function backendProcess(emu: EmulatorHandle, merchant: TestMerchant, extraEnv: Record<string, string> = {}): Promise<BackendProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'merchant-process-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const { env, files } = merchantEnv(emu, merchant, `${url}/api/wechatpay/notify`)
  const realEnv: Record<string, string> = { ...env, DATABASE_URL: `sqlite:${join(dir, 'merchant.db')}`, PORT: String(port), LOG_LEVEL: 'warn', ...extraEnv }
  for (const [virtual, pem] of Object.entries(files)) {
    const real = join(dir, virtual.split('/').pop() as string)
    writeFileSync(real, pem, { mode: 0o600 })
    for (const [k, v] of Object.entries(realEnv)) if (v === virtual) realEnv[k] = real
  }
  const entry = compileServer(join(dir, 'compiled'))
  let child: ChildProcess | null = null
  let stderr = ''
  let stdout = ''
  const all: ChildProcess[] = []
  return {
    url,
    async start() {
      // One node process running the compiled server, so SIGKILL really kills the server.
      const c = spawn(process.execPath, [entry], { cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_PATH: COMPILED_NODE_PATH, ...realEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
      child = c
      all.push(c)
      stderr = ''
      stdout = ''
      c.stderr?.on('data', (b) => (stderr += b))
      c.stdout?.on('data', (b) => (stdout = (stdout + b).slice(-STDOUT_KEPT_CHARS)))
      const deadline = Date.now() + 30_000
      for (;;) {
        if (c.exitCode !== null) throw new Error(`backend exited: ${stderr}`)
        try {
          if ((await fetch(`${url}/healthz`)).ok) return
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`backend did not come up: ${stderr}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async kill() {
      const c = child
      if (!c || c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise((r) => c.once('exit', r))
      c.kill('SIGKILL')
      await exited
    },
    async stop(signal = 'SIGTERM') {
      const c = child
      if (!c || c.exitCode !== null || c.signalCode !== null) return { code: c?.exitCode ?? null, signal: c?.signalCode ?? null }
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => c.once('exit', (code, sig) => r({ code, signal: sig })))
      c.kill(signal)
      return exited
    },
    pid: () => child?.pid,
    stderr: () => stderr,
    stdout: () => stdout,
    cleanup() {
      for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
