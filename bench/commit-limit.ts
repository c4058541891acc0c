/**
 * The cost of one durable SQLite commit with the backend's settings (WAL, synchronous=NORMAL, then
 * an fdatasync of the WAL), measured in the same run as the throughput it bounds: one single-row
 * insert per transaction, each synced on its own (the backend's gate shares one sync among the
 * commits that arrive meanwhile, on the thread pool), wall time and CPU time.
 */
import Database from 'better-sqlite3'
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CommitCost {
  /** Wall time per commit, ms: how long the event loop is held. */
  wallMs: number
  /** CPU (user + system) per commit, ms. */
  cpuMs: number
  commits: number
}

/** Commits single-row inserts for about `durationMs` (after a short warm-up). */
export function measureDurableCommit({ durationMs = 1500 } = {}): CommitCost {
  const dir = mkdtempSync(join(tmpdir(), 'bench-commit-'))
  const db = new Database(join(dir, 'commit.db'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b INTEGER NOT NULL)')
    const stmt = db.prepare('INSERT INTO t (a, b) VALUES (?, ?)')
    const wal = openSync(join(dir, 'commit.db-wal'), 'r')
    const insert = (a: string, b: number) => {
      stmt.run(a, b)
      fdatasyncSync(wal)
    }
    for (let i = 0; i < 20; i++) insert(`warm-${i}`, i)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    let commits = 0
    while (performance.now() - t0 < durationMs) insert(`row-${commits}`, commits++)
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    closeSync(wal)
    const r = (x: number) => Math.round(x * 1000) / 1000
    return { wallMs: r(wall / commits), cpuMs: r((cpu.user + cpu.system) / 1000 / commits), commits }
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
