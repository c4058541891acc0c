/**
 * WORKERS=<n>: `npm run server` as n processes on one machine (node:cluster). The primary only
 * forks and watches: every worker builds the whole backend and listens on the same port (the
 * primary hands connections out round-robin). The guards that must hold across them (the
 * per-order lock, the rate limiter, the one reconciler) are PostgreSQL's, which is why config.ts
 * refuses WORKERS > 1 on SQLite.
 */
import cluster, { type Worker } from 'node:cluster'

/** A worker that lived this long before dying was healthy: its replacement starts without waiting. */
export const HEALTHY_LIFETIME_MS = 30_000
/** Back-off between restarts of workers that keep dying: 0.5 s, 1 s, 2 s, … up to this. */
export const MAX_RESTART_DELAY_MS = 30_000
const FIRST_RESTART_DELAY_MS = 500
/** How long stopping waits for workers to close before SIGKILL. */
export const STOP_GRACE_MS = 10_000

/** The delay before the next restart after `failures` early deaths in a row (0 = at once). */
export function restartDelayMs(failures: number): number {
  if (failures <= 0) return 0
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (failures - 1))
}

export interface ClusterOptions {
  workers: number
  /** One line per event (fork, death, restart, stop); the primary has no request logger. */
  log?: (line: string) => void
}

/** True in a process the cluster forked (it then runs the backend like a single process). */
export const isClusterWorker = (): boolean => cluster.isWorker

/**
 * Runs the primary: forks `workers` processes, restarts one that dies unexpectedly (with back-off
 * when deaths come fast), and on SIGINT / SIGTERM stops them all and exits. A worker that dies
 * before any worker ever listened ends the start (a bad DATABASE_URL is not cured by restarting).
 */
export function runPrimary({ workers, log = (l) => console.error(l) }: ClusterOptions): void {
  let stopping = false
  let everListened = false
  let failures = 0
  let exitCode = 0
  const bornAt = new Map<Worker, number>()
  const pending = new Set<NodeJS.Timeout>()

  const fork = () => {
    const worker = cluster.fork()
    bornAt.set(worker, Date.now())
    worker.once('listening', () => {
      everListened = true
    })
  }

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (bornAt.get(worker) ?? Date.now())
    bornAt.delete(worker)
    const how = signal ?? `code ${code}`
    if (stopping) {
      if (bornAt.size === 0) finish()
      return
    }
    if (!everListened) {
      log(`cluster: worker ${worker.process.pid} exited (${how}) before the backend started; stopping`)
      stop(1)
      return
    }
    failures = lived >= HEALTHY_LIFETIME_MS ? 0 : failures + 1
    const delay = restartDelayMs(failures)
    log(`cluster: worker ${worker.process.pid} exited (${how}); starting another${delay ? ` in ${delay} ms` : ''}`)
    const timer = setTimeout(() => {
      pending.delete(timer)
      if (!stopping) fork()
    }, delay)
    pending.add(timer)
  })

  let killTimer: NodeJS.Timeout | undefined
  const finish = () => {
    if (killTimer) clearTimeout(killTimer)
    process.exit(exitCode)
  }
  const stop = (code: number) => {
    if (stopping) return
    stopping = true
    for (const t of pending) clearTimeout(t)
    exitCode = code
    if (bornAt.size === 0) return finish()
    // Each worker closes its server and storage on SIGTERM (server.ts), then exits.
    for (const w of bornAt.keys()) if (!w.isDead()) w.process.kill('SIGTERM')
    killTimer = setTimeout(() => {
      for (const w of bornAt.keys()) if (!w.isDead()) w.process.kill('SIGKILL')
    }, STOP_GRACE_MS)
    killTimer.unref()
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return
      log(`cluster: ${signal}, stopping ${bornAt.size} worker(s)`)
      stop(0)
    })
  }

  log(`cluster: starting ${workers} workers (primary ${process.pid})`)
  for (let i = 0; i < workers; i++) fork()
}
