/**
 * `npx tsx bench/profile.ts [--cpu-prof] [--keep] [--postgres] [--notify]`: section 3 (or with `--notify`, section 4: perf only) of the bench (orders through the
 * backend process against the emulator process) with the backend profiled during the measured
 * load, summarised in ms of backend CPU per order (markdown tables for bench/PROFILE.md).
 *
 * By default Linux `perf` samples the backend's CPU time (bench/perf-profile.ts): the totals match
 * the process's CPU. `--cpu-prof` (or no perf) uses V8's `--cpu-prof` instead: wall-clock samples
 * of the main thread, which also count time blocked in fsync or preempted by a neighbour.
 * BENCH_DURATION_MS sets the load's length (8000). `--postgres` runs the backend on an embedded
 * PostgreSQL (durable settings, as `npm run bench`) instead of SQLite.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { profileTable, summariseProfile, type CpuProfile } from './cpuprofile'
import { perfAvailable, recordPerf, summarisePerf } from './perf-profile'
import { createDatabase, startEmbeddedPostgres } from '../scripts/embedded-postgres'
import { benchNotificationThroughput, benchOrderThroughput } from './throughput'

async function waitForProfile(dir: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []
    if (files.length) {
      const file = join(dir, files[0])
      try {
        JSON.parse(readFileSync(file, 'utf8')) // --cpu-prof writes the file at exit
        return file
      } catch {
        /* still being written */
      }
    }
    if (Date.now() > deadline) throw new Error(`no .cpuprofile appeared in ${dir}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function main() {
  const out = process.stdout
  const dir = join(__dirname, 'out', `profile-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  const usePerf = !process.argv.includes('--cpu-prof') && perfAvailable()
  process.env.BENCH_BACKEND_NODE_ARGS = usePerf ? '--perf-basic-prof' : `--cpu-prof --cpu-prof-dir=${dir}`
  const perfFile = join(dir, 'perf.data')
  let pid = 0
  const postgres = process.argv.includes('--postgres') ? await startEmbeddedPostgres() : undefined
  if (process.argv.includes('--notify')) {
    // Section 4 instead: notifications (half duplicates) through the backend, per post.
    try {
      const n = await benchNotificationThroughput({ databaseUrl: postgres ? await createDatabase(postgres.url, 'profile_notify') : undefined, aroundLoad: (p: number) => ((pid = p), recordPerf(p, perfFile)) })
      out.write(`posts ${n.posts} (${n.perSec}/s, floor ${n.floor.perSec}/s, ratio ${n.floor.ratio}); backend CPU per post ${n.cpuMsPerPost} ms\n`)
      const s = summarisePerf(perfFile, pid, n.posts)
      out.write(`backend, perf cpu-clock: ${s.cpuMsPerOp} ms per post, ${s.mainThreadMsPerOp} ms on the main thread\n\n`)
      out.write(`${profileTable('what ran (innermost frame)', s.byCategory)}\n\n${profileTable('owner: nearest project file or npm package', s.byOwner)}\n\n${profileTable('nearest JS function', s.byFunction)}\n`)
      rmSync(`/tmp/perf-${pid}.map`, { force: true })
      rmSync(dir, { recursive: true, force: true })
    } finally {
      await postgres?.stop()
    }
    return
  }
  let r: Awaited<ReturnType<typeof benchOrderThroughput>>
  try {
    r = await benchOrderThroughput({
      durationMs: Number(process.env.BENCH_DURATION_MS ?? 8000),
      connections: 16,
      databaseUrl: postgres?.url,
      ...(usePerf ? { aroundLoad: (p: number) => ((pid = p), recordPerf(p, perfFile)) } : {}),
    })
  } finally {
    await postgres?.stop()
  }
  out.write(`orders ${r.orders} in ${r.seconds} s (${r.ordersPerSec}/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.non2xx} non-2xx)\n`)
  out.write(`CPU per order (/proc, while profiled): backend ${r.cpuMsPerOrder.backend} ms, emulator ${r.cpuMsPerOrder.emulator} ms, load ${r.cpuMsPerOrder.loadGenerator} ms${postgres ? `, PostgreSQL server ${r.cpuMsPerOrder.postgres} ms` : ''}\n`)
  if (usePerf) {
    const s = summarisePerf(perfFile, pid, r.orders)
    // --perf-basic-prof's symbol map: node leaves it behind; `perf script` on a kept perf.data needs it.
    if (!process.argv.includes('--keep')) rmSync(`/tmp/perf-${pid}.map`, { force: true })
    out.write(`backend, perf cpu-clock: ${s.cpuMs} ms of CPU in the window = ${s.cpuMsPerOp} ms per order (${s.samples} samples, all threads), ${s.mainThreadMsPerOp} ms on the main thread\n\n`)
    out.write(`${profileTable('what ran (innermost frame)', s.byCategory)}\n\n${profileTable('owner: nearest project file or npm package', s.byOwner)}\n\n`)
    out.write(`${profileTable('nearest JS module (node: internals by name)', s.byModule)}\n\n${profileTable('nearest JS function', s.byFunction)}\n\n`)
    const short = (c: string) => c.replace(/ \(.*$/, '')
    out.write(`| top owners: what ran under them | ms per op | split (ms per op) |\n| --- | ---: | --- |\n`)
    for (const o of s.ownerByCategory) out.write(`| ${o.owner} | ${o.msPerOp.toFixed(3)} | ${Object.entries(o.categories).filter(([, ms]) => ms >= 0.005).map(([c, ms]) => `${short(c)} ${ms.toFixed(3)}`).join(', ')} |\n`)
  } else {
    const file = await waitForProfile(dir, 30_000)
    const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, r.orders, r.windowUs)
    out.write(`backend main thread, --cpu-prof: ${s.busyMs} ms sampled busy (wall) in the window = ${s.busyMsPerOp} ms per order (${s.samples} samples)\n\n`)
    out.write(`${profileTable('module (self time)', s.byModule)}\n\n${profileTable('function (self time)', s.byFunction)}\n`)
  }
  if (process.argv.includes('--keep')) out.write(`\nprofile kept in ${dir}\n`)
  else rmSync(dir, { recursive: true, force: true })
}

main().catch((e) => {
  process.stderr.write(`profile failed: ${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
