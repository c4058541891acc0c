/**
 * A CPU-time profile of a running node process with Linux `perf` (cpu-clock samples: on-CPU time
 * only, kernel and every thread included), JS frames named through `node --perf-basic-prof`.
 * Unlike `--cpu-prof` (wall-clock samples of the main thread), a main thread blocked in fsync or
 * preempted by a neighbour is not counted, so the totals match the process's CPU time.
 */
import { spawn, spawnSync } from 'node:child_process'
import { moduleOf } from './cpuprofile'
import type { ProfileLine } from './cpuprofile'

/** True when `perf` runs here. */
export function perfAvailable(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0
}

export const PERF_HZ = 1999

/** Starts `perf record` on a pid; the returned function stops it and resolves when the file is written. */
export async function recordPerf(pid: number, file: string): Promise<() => Promise<void>> {
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(PERF_HZ), '-g', '-p', String(pid), '-o', file], { stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 300)) // attached
  return async () => {
    perf.kill('SIGINT')
    if (perf.exitCode === null) await new Promise((r) => perf.once('exit', r))
  }
}

interface Frame { sym: string; dso: string }

/** What the CPU was doing in a sample, from its innermost frame (and, for V8 work, its stack). */
function leafCategory(frames: Frame[], mainThread: boolean): string {
  const leaf = frames[0]
  if (!leaf) return 'unknown'
  if (/kernel/.test(leaf.dso)) return 'kernel (syscalls: sockets, fsync, scheduling)'
  if (/^(ossl_|bn_|BN_|__bn|RSA|rsa_|EVP_|SHA|sha|HMAC|ENGINE|OPENSSL|CRYPTO|aes|gcm|ecp_|ERR_|OSSL_|ossl)/.test(leaf.sym) || /libcrypto/.test(leaf.dso)) return 'OpenSSL (RSA, SHA-256, HMAC)'
  if (/better_sqlite3/.test(leaf.dso) || /^sqlite3|^pcache|^btree/.test(leaf.sym)) return 'SQLite engine'
  const stack = frames.map((f) => f.sym).join(' ')
  if (/Heap::|Scavenge|MarkCompact|GCTracer|Sweeper|ConcurrentMarking|MinorMC/.test(stack)) return 'V8 GC'
  if (/compiler::|Compiler::|CompileLazy|Runtime_Compile|Maglev|Baseline.*Compil/.test(stack)) return 'V8 JIT compiler'
  if (!mainThread) return 'other threads (V8 platform, libuv)'
  if (/^JS:|^Builtins_|^v8::|^Runtime_/.test(leaf.sym) || /perf-\d+\.map/.test(leaf.dso)) return 'JS + V8 runtime'
  if (/^llhttp/.test(leaf.sym)) return 'llhttp (HTTP parser)'
  if (/libc|ld-linux/.test(leaf.dso) || /^(malloc|cfree|free|__mem|__str)/.test(leaf.sym)) return 'libc (malloc, memcpy)'
  return 'node / libuv native'
}

/** The JS frames of a stack, innermost first: `name module`, and the module. */
function jsFrames(frames: Frame[]): Array<{ fn: string; module: string }> {
  const out: Array<{ fn: string; module: string }> = []
  for (const f of frames) {
    const m = /^JS:[*^~+]?(\S*) (\S+?)(?::(\d+):\d+)?$/.exec(f.sym)
    if (!m) continue
    const url = m[2].startsWith('/') ? `file://${m[2]}` : m[2]
    const module = moduleOf({ functionName: m[1], url, lineNumber: Number(m[3] ?? 1) - 1 })
    out.push({ fn: `${m[1] || '(anonymous)'} ${module}`, module })
  }
  return out
}

export interface PerfSummary {
  cpuMs: number
  cpuMsPerOp: number
  /** The main thread's share: what holds the event loop. */
  mainThreadMsPerOp: number
  samples: number
  byCategory: ProfileLine[]
  /** By the nearest JS frame's module (node: internals named as such). */
  byModule: ProfileLine[]
  /** By the nearest frame of the project or an npm package (node: internals charged to their caller). */
  byOwner: ProfileLine[]
  byFunction: ProfileLine[]
  /** The top owners split by what ran under them (ms per op): e.g. how much of storage is fsync. */
  ownerByCategory: Array<{ owner: string; msPerOp: number; categories: Record<string, number> }>
}

/** Reads a perf.data of one process: CPU per op by what ran (leaf), by nearest JS module and by nearest JS function. */
export function summarisePerf(file: string, pid: number, ops: number): PerfSummary {
  const r = spawnSync('perf', ['script', '-i', file, '-F', 'tid,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(`perf script failed: ${r.stderr}`)
  const cat = new Map<string, number>()
  const mod = new Map<string, number>()
  const fn = new Map<string, number>()
  const own = new Map<string, number>()
  const cross = new Map<string, Map<string, number>>()
  let samples = 0
  let mainSamples = 0
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)
  for (const block of r.stdout.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim())
    if (!lines.length) continue
    const tid = Number(lines[0].trim().split(/\s+/)[0])
    if (!Number.isFinite(tid)) continue
    const frames = lines.slice(1).map((l) => {
      const m = /^\s*[0-9a-f]+ (.*) \((.*)\)$/.exec(l)
      return m ? { sym: m[1], dso: m[2] } : { sym: l.trim(), dso: '' }
    })
    samples++
    const main = tid === pid
    if (main) mainSamples++
    const category = leafCategory(frames, main)
    add(cat, category)
    const js = main ? jsFrames(frames) : []
    const none = main ? '(no JS on stack: event loop, native callbacks)' : `(other threads: ${category.replace(/ \(.*$/, '')})`
    add(mod, js[0]?.module ?? none)
    const owner = (js.find((f) => !f.module.startsWith('node:')) ?? js[0])?.module ?? none
    add(own, owner)
    if (!cross.has(owner)) cross.set(owner, new Map())
    add(cross.get(owner) as Map<string, number>, category)
    if (js[0]) add(fn, js[0].fn)
  }
  const msPerSample = 1000 / PERF_HZ
  const lines = (m: Map<string, number>, limit: number): ProfileLine[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([name, n]) => ({
      name,
      ms: Math.round(n * msPerSample),
      msPerOp: Math.round(((n * msPerSample) / Math.max(1, ops)) * 1000) / 1000,
      share: Math.round((n / Math.max(1, samples)) * 1000) / 1000,
    }))
  const cpuMs = samples * msPerSample
  const perOp = (n: number) => Math.round(((n * msPerSample) / Math.max(1, ops)) * 1000) / 1000
  const ownerByCategory = lines(own, 10).map((l) => ({
    owner: l.name,
    msPerOp: l.msPerOp,
    categories: Object.fromEntries([...(cross.get(l.name) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => [c, perOp(n)])),
  }))
  return {
    cpuMs: Math.round(cpuMs),
    cpuMsPerOp: Math.round((cpuMs / Math.max(1, ops)) * 1000) / 1000,
    mainThreadMsPerOp: perOp(mainSamples),
    samples,
    byCategory: lines(cat, 20),
    byModule: lines(mod, 25),
    byOwner: lines(own, 25),
    byFunction: lines(fn, 25),
    ownerByCategory,
  }
}
