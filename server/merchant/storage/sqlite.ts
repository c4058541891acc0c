import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import type {
  AttemptRecord,
  AttemptRepository,
  NotificationLog,
  NotificationLogEntry,
  OrderRecord,
  OrderRepository,
  RefundRecord,
  RefundRepository,
  Storage,
  UserRecord,
  UserRepository,
} from './types'
import { createKeyLock, createMemoryLimiter } from './memory-guards'
import { MIGRATIONS } from './migrations'
import { sqliteGate, type SqliteGate } from './sqlite-gate'
import { sqliteOnboarding } from './sqlite-onboarding'
import { sqliteComponentTickets } from './sqlite-component'
import { sqliteSplits } from './sqlite-splits'
import { query, tableWriter } from './sqlite-table'

/** Resolves `sqlite:<path>` (relative to cwd) or `sqlite::memory:` to what better-sqlite3 opens. */
export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:/, '')
  if (rest === ':memory:' || rest === '') return ':memory:'
  return resolve(rest.replace(/^\/\/(?=\/)/, ''))
}

/** How long a write waits for another connection's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000

/** Applies the migrations a file has not run yet (`user_version` counts them), each in its own transaction. */
function migrate(db: Database.Database) {
  const version = db.pragma('user_version', { simple: true }) as number
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v].sqlite)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}

/**
 * One connection with the backend's settings, and its gate: WAL, foreign keys, a busy timeout.
 * A committed paid row or refund must survive a power loss after WeChat Pay got its 204: COMMIT
 * itself does not sync (synchronous=NORMAL), the gate does, once for every commit made meanwhile,
 * and answers nobody before (sqlite-gate.ts). FULL would hold the event loop for one fsync per commit.
 */
export function openSqliteConnection(databaseUrl: string): { db: Database.Database; gate: SqliteGate } {
  const filename = sqliteFilename(databaseUrl)
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  return { db, gate: sqliteGate(db, filename === ':memory:' ? null : `${filename}-wal`) }
}

/**
 * Opens (and migrates) the SQLite storage over one connection (openSqliteConnection), reached through
 * its gate, which commits in groups and syncs the WAL off the event loop; the lock and the limiters
 * live in this process.
 */
export async function openSqliteStorage(databaseUrl: string): Promise<Storage> {
  const { db, gate } = openSqliteConnection(databaseUrl)
  migrate(db)
  const { run } = gate

  const userByOpenid = query<UserRecord>(db, 'SELECT * FROM users WHERE openid = ?')
  const userById = query<UserRecord>(db, 'SELECT * FROM users WHERE id = ?')
  const touchUser = db.prepare('UPDATE users SET last_login_at = ?, unionid = COALESCE(?, unionid) WHERE id = ?')
  const userWriter = tableWriter<UserRecord>(db, 'users', 'id')
  // One synchronous statement sequence: nothing else runs between the read and the write.
  const upsertUser = db.transaction((openid: string, unionid: string | null, now: number, newId: () => string): UserRecord => {
    const existing = userByOpenid.get(openid)
    if (existing) {
      touchUser.run(now, unionid, existing.id)
      return { ...existing, lastLoginAt: now, unionid: unionid ?? existing.unionid }
    }
    const user: UserRecord = { id: newId(), openid, unionid, createdAt: now, lastLoginAt: now }
    userWriter.insert(user)
    return user
  })
  const users: UserRepository = {
    upsertByOpenid: (openid, unionid, now, newId) => run(() => upsertUser(openid, unionid, now, newId)),
    get: (id) => run(() => userById.get(id)),
  }

  const orderWriter = tableWriter<OrderRecord>(db, 'orders', 'order_no')
  const orderByNo = query<OrderRecord>(db, 'SELECT * FROM orders WHERE order_no = ?')
  const orderByRequest = query<OrderRecord>(db, 'SELECT * FROM orders WHERE user_id = ? AND request_id = ?')
  const ordersByUser = query<OrderRecord>(db, 'SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
  const unpaidOrders = query<OrderRecord>(
    db,
    "SELECT * FROM orders WHERE status = 'unpaid' AND created_at >= ? ORDER BY COALESCE(last_queried_at, 0) ASC, created_at ASC LIMIT ?",
  )
  const orders: OrderRepository = {
    insert: (o) => run(() => orderWriter.insert(o)),
    get: (orderNo) => run(() => orderByNo.get(orderNo)),
    findByRequest: (userId, requestId) => run(() => orderByRequest.get(userId, requestId)),
    listByUser: (userId, limit) => run(() => ordersByUser.all(userId, limit)),
    update: (orderNo, patch) => run(() => orderWriter.update(orderNo, patch)),
    listUnpaid: (since, limit) => run(() => unpaidOrders.all(since, limit)),
  }

  const attemptWriter = tableWriter<AttemptRecord>(db, 'attempts', 'out_trade_no')
  const attemptByNo = query<AttemptRecord>(db, 'SELECT * FROM attempts WHERE out_trade_no = ?')
  const attemptsByOrder = query<AttemptRecord>(db, 'SELECT * FROM attempts WHERE order_no = ? ORDER BY seq ASC')
  const attempts: AttemptRepository = {
    insert: (a) => run(() => attemptWriter.insert(a)),
    get: (no) => run(() => attemptByNo.get(no)),
    listByOrder: (orderNo) => run(() => attemptsByOrder.all(orderNo)),
    update: (no, patch) => run(() => attemptWriter.update(no, patch)),
  }

  const refundWriter = tableWriter<RefundRecord>(db, 'refunds', 'out_refund_no')
  const refundByNo = query<RefundRecord>(db, 'SELECT * FROM refunds WHERE out_refund_no = ?')
  const refundByRequest = query<RefundRecord>(db, 'SELECT * FROM refunds WHERE order_no = ? AND request_id = ?')
  const refundsByOrder = query<RefundRecord>(db, 'SELECT * FROM refunds WHERE order_no = ? ORDER BY created_at ASC, rowid ASC')
  const unsettledRefunds = query<RefundRecord>(
    db,
    "SELECT * FROM refunds WHERE status IN ('pending', 'processing', 'abnormal') OR (kind = 'stray' AND status = 'failed') ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 WHEN 'processing' THEN 2 ELSE 3 END, updated_at ASC, rowid ASC LIMIT ?",
  )
  const refunds: RefundRepository = {
    insert: (r) => run(() => refundWriter.insert(r)),
    get: (no) => run(() => refundByNo.get(no)),
    findByRequest: (orderNo, requestId) => run(() => refundByRequest.get(orderNo, requestId)),
    listByOrder: (orderNo) => run(() => refundsByOrder.all(orderNo)),
    listUnsettled: (limit) => run(() => unsettledRefunds.all(limit)),
    update: (no, patch) => run(() => refundWriter.update(no, patch)),
  }

  const logWriter = tableWriter<Omit<NotificationLogEntry, 'id'>>(db, 'notification_log', 'id')
  const logNewest = query<NotificationLogEntry>(db, 'SELECT * FROM notification_log ORDER BY id DESC LIMIT ?')
  const notifications: NotificationLog = {
    append: ({ id: _id, ...entry }) => run(() => logWriter.insert(entry)),
    list: (limit) => run(() => logNewest.all(limit)),
  }

  return {
    engine: 'sqlite',
    users,
    orders,
    attempts,
    refunds,
    notifications,
    ...sqliteOnboarding(db, gate),
    ...sqliteSplits(db, gate),
    componentTickets: sqliteComponentTickets(db, gate),
    transaction: gate.transaction,
    withLock: createKeyLock(),
    // In memory: one process owns a SQLite file (WORKERS>1 is refused with SQLite).
    limiter: (_name, limit, windowMs, clock) => createMemoryLimiter(limit, windowMs, clock),
    lead: () => Promise.resolve(true),
    close: async () => {
      await gate.close()
      if (db.open) db.close()
    },
  }
}
