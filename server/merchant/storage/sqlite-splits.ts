import type Database from 'better-sqlite3'
import type { SplitJobRecord, SplitJobRepository } from './splits'

/** Migration 3: whether an order was placed with profit sharing, its split summary, and the split jobs. */
export const SPLITS_MIGRATION = `
  ALTER TABLE orders ADD COLUMN profit_sharing INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE orders ADD COLUMN split_status TEXT;
  ALTER TABLE orders ADD COLUMN split_commission INTEGER;
  ALTER TABLE orders ADD COLUMN split_unfrozen INTEGER;
  CREATE TABLE split_jobs (
    order_no TEXT PRIMARY KEY REFERENCES orders(order_no),
    step TEXT NOT NULL CHECK (step IN ('split','finish','done','failed')),
    attempts INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX split_jobs_due ON split_jobs(step, next_at);
`

interface JobRow {
  order_no: string
  step: SplitJobRecord['step']
  attempts: number
  next_at: number
  last_error: string | null
  created_at: number
  updated_at: number
}
const fromRow = (r: JobRow | undefined): SplitJobRecord | undefined =>
  r && { orderNo: r.order_no, step: r.step, attempts: r.attempts, nextAt: r.next_at, lastError: r.last_error, createdAt: r.created_at, updatedAt: r.updated_at }
const COLUMNS: Record<keyof Omit<SplitJobRecord, 'orderNo'>, string> = {
  step: 'step',
  attempts: 'attempts',
  nextAt: 'next_at',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
}

/** The split-job repository over a migrated database. */
export function sqliteSplits(db: Database.Database): { splitJobs: SplitJobRepository } {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO split_jobs (order_no, step, attempts, next_at, last_error, created_at, updated_at) VALUES (@orderNo, @step, @attempts, @nextAt, @lastError, @createdAt, @updatedAt)',
  )
  const get = db.prepare('SELECT * FROM split_jobs WHERE order_no = ?')
  const due = db.prepare("SELECT * FROM split_jobs WHERE step IN ('split', 'finish') AND next_at <= ? ORDER BY next_at ASC LIMIT ?")
  const splitJobs: SplitJobRepository = {
    insert: (job) => void insert.run(job),
    get: (orderNo) => fromRow(get.get(orderNo) as JobRow | undefined),
    update(orderNo, patch) {
      const keys = Object.keys(patch) as Array<keyof typeof COLUMNS>
      if (!keys.length) return
      const sql = `UPDATE split_jobs SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE order_no = @orderNo`
      db.prepare(sql).run({ ...patch, orderNo })
    },
    listDue: (now, limit) => (due.all(now, limit) as JobRow[]).map((r) => fromRow(r) as SplitJobRecord),
  }
  return { splitJobs }
}
