/**
 * `npx tsx bench/ab-orders.ts <git-rev> [rounds] [--postgres]`: POST /api/orders through two backends side by
 * side — A = the server code of <git-rev> (extracted with `git archive`, this checkout's
 * node_modules), B = this checkout — against one emulator process. Both run all the time; the load
 * alternates between them in 2-second slices (A B, B A, …), so a neighbour's burst of CPU or disk
 * lands on both alike. Prints orders/s, backend CPU per order, p50 / p99 per backend and B / A.
 * On a shared machine this is the before/after comparison to trust; separate runs are not.
 * `--postgres`: both backends on an embedded PostgreSQL (durable settings), a database each; the
 * server's CPU during each side's slices is printed too.
 */
import { execSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerMerchant, type EmulatorHandle } from '../test/support/emulator'
import { loginToken, orderBackendEnv, orderLoad, startBackendProcess } from './backend'
import { startEmulatorProcess } from './emulator'
import { createDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/embedded-postgres'
import { round } from './measure'
import { postgresCpuMs, treeCpuMs } from './proc'

const ROOT = join(__dirname, '..')
const SLICE_SECONDS = 2
const CONNECTIONS = 16

interface Side { name: string; orders: number; seconds: number; cpuMs: number; pgCpuMs: number; p50: number[]; p99: number[]; errors: number }

async function main() {
  const args = process.argv.slice(2).filter((a) => a !== '--postgres')
  const rev = args[0]
  const rounds = Number(args[1] ?? 6)
  let server: EmbeddedPostgres | undefined
  if (process.argv.includes('--postgres')) server = await startEmbeddedPostgres()
  const database = async (name: string) => (server ? createDatabase(server.url, name) : undefined)
  if (!rev) throw new Error('usage: npx tsx bench/ab-orders.ts <git-rev> [rounds]')
  const work = mkdtempSync(join(tmpdir(), 'bench-ab-'))
  const before = join(work, 'a')
  mkdirSync(before)
  execSync(`git archive ${rev} | tar -x -C ${before}`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], shell: '/bin/sh' })
  symlinkSync(join(ROOT, 'node_modules'), join(before, 'node_modules'))
  const emulator = await startEmulatorProcess()
  const children = [emulator.child]
  try {
    const merchant = await registerMerchant({ url: emulator.url } as EmulatorHandle)
    const start = async (name: string, root: string) => {
      const dir = join(work, `db-${name}`)
      mkdirSync(dir)
      const url = await database(`ab_${name[0].toLowerCase()}`)
      const backend = await startBackendProcess({ ...orderBackendEnv(merchant, emulator.url, dir, 'merchant.db'), ...(url ? { DATABASE_URL: url } : {}) }, root)
      children.push(backend.child)
      const token = await loginToken(emulator.url, merchant.appId, backend.url)
      const side: Side = { name, orders: 0, seconds: 0, cpuMs: 0, pgCpuMs: 0, p50: [], p99: [], errors: 0 }
      return { backend, token, side }
    }
    const sides = [await start(`A ${rev}`, before), await start('B this checkout', ROOT)]
    for (const s of sides) await orderLoad(s.backend.url, s.token, CONNECTIONS, 2) // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
        const cpu0 = treeCpuMs(s.backend.child.pid)
        const pg0 = server ? postgresCpuMs() ?? 0 : 0
        const res = await orderLoad(s.backend.url, s.token, CONNECTIONS, SLICE_SECONDS)
        const cpu1 = treeCpuMs(s.backend.child.pid)
        s.side.pgCpuMs += server ? (postgresCpuMs() ?? 0) - pg0 : 0
        s.side.orders += res.requests.total
        s.side.seconds += res.duration
        s.side.cpuMs += cpu0 === null || cpu1 === null ? 0 : cpu1 - cpu0
        s.side.p50.push(res.latency.p50)
        s.side.p99.push(res.latency.p99)
        s.side.errors += res.non2xx + res.errors + res.timeouts
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const view = (s: Side) => ({
      ordersPerSec: round(s.orders / s.seconds, 1),
      cpuMsPerOrder: round(s.cpuMs / Math.max(1, s.orders), 3),
      ...(server ? { postgresCpuMsPerOrder: round(s.pgCpuMs / Math.max(1, s.orders), 3) } : {}),
      p50MedianMs: med(s.p50),
      p99MedianMs: med(s.p99),
      p99MaxMs: Math.max(...s.p99),
      orders: s.orders,
      errors: s.errors,
    })
    const [a, b] = sides.map((s) => view(s.side))
    process.stdout.write(`${JSON.stringify({ rounds, sliceSeconds: SLICE_SECONDS, connections: CONNECTIONS, [sides[0].side.name]: a, [sides[1].side.name]: b }, null, 2)}\n`)
    process.stdout.write(`B / A: orders/s ${round(b.ordersPerSec / a.ordersPerSec, 3)}×, CPU per order ${round(b.cpuMsPerOrder / a.cpuMsPerOrder, 3)}×, p99 (median of slices) ${round(b.p99MedianMs / a.p99MedianMs, 3)}×\n`)
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    rmSync(work, { recursive: true, force: true })
    await server?.stop()
  }
}

main().catch((e) => {
  process.stderr.write(`ab-orders failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
