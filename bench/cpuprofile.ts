/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`) into self time per function and per
 * module, restricted to a time window and divided by the number of operations in that window,
 * so each line reads "ms of backend CPU per order".
 */
import { relative } from 'node:path'

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame }
/** The JSON `node --cpu-prof` writes. */
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface ProfileLine { name: string; ms: number; msPerOp: number; share: number }
export interface ProfileSummary {
  /** Sampled busy time in the window (idle excluded), ms. */
  busyMs: number
  busyMsPerOp: number
  samples: number
  byFunction: ProfileLine[]
  byModule: ProfileLine[]
}

const ROOT = relative('/', `${__dirname}/..`)

/** Which module a frame belongs to: an npm package, a node: internal, a project file or a V8 pseudo-frame. */
export function moduleOf(f: CallFrame): string {
  const url = f.url
  if (!url) return f.functionName.startsWith('(') ? f.functionName : `(native) ${f.functionName || 'anonymous'}`
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?(?:deps\/)?([^/]+(?:\/[^/]+)?)/.exec(url)
    return `node:${(m?.[1] ?? url.slice(5)).replace(/\.js$/, '')}`
  }
  const path = url.replace(/^file:\/\//, '')
  const i = path.indexOf(ROOT)
  return i >= 0 ? path.slice(i + ROOT.length + 1) : path
}

const functionOf = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${moduleOf(f)}${f.url ? `:${f.lineNumber + 1}` : ''}`

/** Self time by function and by module over [fromUs, toUs] of the profile's clock (CLOCK_MONOTONIC µs). */
export function summariseProfile(p: CpuProfile, ops: number, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const fn = new Map<string, number>()
  const mod = new Map<string, number>()
  let t = p.startTime
  let busyUs = 0
  let samples = 0
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]
    const dt = p.timeDeltas[i + 1] ?? 0 // a sample stands for the time until the next one
    if (window && (t < window.fromUs || t > window.toUs)) continue
    const node = byId.get(p.samples[i])
    if (!node || node.callFrame.functionName === '(idle)') continue
    samples++
    busyUs += dt
    const f = functionOf(node.callFrame)
    fn.set(f, (fn.get(f) ?? 0) + dt)
    const m = moduleOf(node.callFrame)
    mod.set(m, (mod.get(m) ?? 0) + dt)
  }
  const lines = (m: Map<string, number>, limit: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([name, us]) => ({
      name,
      ms: Math.round(us / 100) / 10,
      msPerOp: Math.round((us / 1000 / Math.max(1, ops)) * 1000) / 1000,
      share: Math.round((us / Math.max(1, busyUs)) * 1000) / 1000,
    }))
  return {
    busyMs: Math.round(busyUs / 1000),
    busyMsPerOp: Math.round((busyUs / 1000 / Math.max(1, ops)) * 1000) / 1000,
    samples,
    byFunction: lines(fn, 25),
    byModule: lines(mod, 25),
  }
}

/** A markdown table of profile lines. */
export function profileTable(title: string, lines: ProfileLine[]): string {
  const rows = lines.map((l) => `| ${l.name.replace(/\|/g, '\\|')} | ${l.msPerOp.toFixed(3)} | ${(l.share * 100).toFixed(1)} % |`)
  return [`| ${title} | ms per op | share |`, '| --- | ---: | ---: |', ...rows].join('\n')
}
