import type Database from 'better-sqlite3'
import type { SqliteGate } from './sqlite-gate'
import type { SplitJobRecord, SplitJobRepository, SplitRecord, SplitRepository, SplitReturnRecord, SplitReturnRepository } from './splits'


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

interface SplitRow {
  split_no: string
  order_no: string
  request_id: string
  receivers: string
  finish: number
  status: SplitRecord['status']
  fail_reason: string | null
  created_at: number
  updated_at: number
}
const splitFromRow = (r: SplitRow | undefined): SplitRecord | undefined =>
  r && {
    splitNo: r.split_no,
    orderNo: r.order_no,
    requestId: r.request_id,
    receivers: JSON.parse(r.receivers) as SplitRecord['receivers'],
    finish: r.finish === 1,
    status: r.status,
    failReason: r.fail_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }

/** The admin splits' repository over a migrated database. */
function sqliteAdminSplits(db: Database.Database, gate: SqliteGate): SplitRepository {
  const insert = db.prepare(
    'INSERT INTO splits (split_no, order_no, request_id, receivers, finish, status, fail_reason, created_at, updated_at) VALUES (@splitNo, @orderNo, @requestId, @receivers, @finish, @status, @failReason, @createdAt, @updatedAt)',
  )
  const get = db.prepare('SELECT * FROM splits WHERE split_no = ?')
  const byRequest = db.prepare('SELECT * FROM splits WHERE order_no = ? AND request_id = ?')
  const byOrder = db.prepare('SELECT * FROM splits WHERE order_no = ? ORDER BY created_at ASC, rowid ASC')
  const update = db.prepare('UPDATE splits SET status = COALESCE(@status, status), fail_reason = COALESCE(@failReason, fail_reason), receivers = COALESCE(@receivers, receivers), updated_at = COALESCE(@updatedAt, updated_at) WHERE split_no = @splitNo')
  return {
    insert: (s) => {
      const params = { ...s, receivers: JSON.stringify(s.receivers), finish: s.finish ? 1 : 0 }
      return gate.run(() => void insert.run(params))
    },
    get: (splitNo) => gate.run(() => splitFromRow(get.get(splitNo) as SplitRow | undefined)),
    findByRequest: (orderNo, requestId) => gate.run(() => splitFromRow(byRequest.get(orderNo, requestId) as SplitRow | undefined)),
    listByOrder: (orderNo) => gate.run(() => (byOrder.all(orderNo) as SplitRow[]).map((r) => splitFromRow(r) as SplitRecord)),
    update: (splitNo, p) => {
      const params = { splitNo, status: p.status ?? null, failReason: p.failReason ?? null, receivers: p.receivers ? JSON.stringify(p.receivers) : null, updatedAt: p.updatedAt ?? null }
      return gate.run(() => void update.run(params))
    },
  }
}

/** The returns' repository over a migrated database. */
function sqliteSplitReturns(db: Database.Database, gate: SqliteGate): SplitReturnRepository {
  type Row = { return_no: string; split_no: string; order_no: string; request_id: string; return_mchid: string; amount: number; description: string; status: SplitReturnRecord['status']; fail_reason: string | null; created_at: number; updated_at: number }
  const from = (r: Row | undefined): SplitReturnRecord | undefined =>
    r && { returnNo: r.return_no, splitNo: r.split_no, orderNo: r.order_no, requestId: r.request_id, returnMchid: r.return_mchid, amount: r.amount, description: r.description, status: r.status, failReason: r.fail_reason, createdAt: r.created_at, updatedAt: r.updated_at }
  const insert = db.prepare(
    'INSERT INTO split_returns (return_no, split_no, order_no, request_id, return_mchid, amount, description, status, fail_reason, created_at, updated_at) VALUES (@returnNo, @splitNo, @orderNo, @requestId, @returnMchid, @amount, @description, @status, @failReason, @createdAt, @updatedAt)',
  )
  const byRequest = db.prepare('SELECT * FROM split_returns WHERE split_no = ? AND request_id = ?')
  const byOrder = db.prepare('SELECT * FROM split_returns WHERE order_no = ? ORDER BY created_at ASC, rowid ASC')
  const update = db.prepare('UPDATE split_returns SET status = @status, fail_reason = @failReason, updated_at = @updatedAt WHERE return_no = @returnNo')
  return {
    insert: (r) => gate.run(() => void insert.run(r)),
    findByRequest: (splitNo, requestId) => gate.run(() => from(byRequest.get(splitNo, requestId) as Row | undefined)),
    listByOrder: (orderNo) => gate.run(() => (byOrder.all(orderNo) as Row[]).map((r) => from(r) as SplitReturnRecord)),
    update: (returnNo, p) => {
      const params = { returnNo, status: p.status, failReason: p.failReason ?? null, updatedAt: p.updatedAt }
      return gate.run(() => void update.run(params))
    },
  }
}

/** The split repositories (automatic jobs, admin splits, returns) over a migrated database, every statement through the gate. */
export function sqliteSplits(db: Database.Database, gate: SqliteGate): { splitJobs: SplitJobRepository; splits: SplitRepository; splitReturns: SplitReturnRepository } {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO split_jobs (order_no, step, attempts, next_at, last_error, created_at, updated_at) VALUES (@orderNo, @step, @attempts, @nextAt, @lastError, @createdAt, @updatedAt)',
  )
  const get = db.prepare('SELECT * FROM split_jobs WHERE order_no = ?')
  const due = db.prepare("SELECT * FROM split_jobs WHERE step IN ('split', 'finish') AND next_at <= ? ORDER BY next_at ASC LIMIT ?")
  /** One UPDATE per set of patched fields, prepared the first time that set is seen. */
  const updates = new Map<string, Database.Statement>()
  const updateFor = (keys: Array<keyof typeof COLUMNS>) => {
    const id = keys.join(',')
    let s = updates.get(id)
    if (!s) updates.set(id, (s = db.prepare(`UPDATE split_jobs SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE order_no = @orderNo`)))
    return s
  }
  const splitJobs: SplitJobRepository = {
    insert: (job) => gate.run(() => void insert.run(job)),
    get: (orderNo) => gate.run(() => fromRow(get.get(orderNo) as JobRow | undefined)),
    update(orderNo, patch) {
      const keys = (Object.keys(patch) as Array<keyof typeof COLUMNS>).filter((k) => k in COLUMNS)
      if (!keys.length) return Promise.resolve()
      const stmt = updateFor(keys)
      const params = { ...patch, orderNo }
      return gate.run(() => void stmt.run(params))
    },
    listDue: (now, limit) => gate.run(() => (due.all(now, limit) as JobRow[]).map((r) => fromRow(r) as SplitJobRecord)),
  }
  return { splitJobs, splits: sqliteAdminSplits(db, gate), splitReturns: sqliteSplitReturns(db, gate) }
}
