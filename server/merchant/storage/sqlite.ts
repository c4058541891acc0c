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
import { ONBOARDING_MIGRATION, sqliteOnboarding } from './sqlite-onboarding'
import { sqliteComponentTickets } from './sqlite-component'
import { SPLITS_MIGRATION, sqliteSplits } from './sqlite-splits'


const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
type Row = Record<string, unknown>
const fromRow = <T>(row: Row | undefined): T | undefined => {
  if (!row) return undefined
  const out: Row = {}
  for (const [k, v] of Object.entries(row)) out[camel(k)] = v
  return out as T
}
const toParams = (obj: object): Row => {
  const out: Row = {}
  for (const [k, v] of Object.entries(obj)) out[snake(k)] = v === undefined ? null : v
  return out
}

/** Resolves `sqlite:<path>` (relative to cwd) or `sqlite::memory:` to what better-sqlite3 opens. */
export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:/, '')
  if (rest === ':memory:' || rest === '') return ':memory:'
  return resolve(rest.replace(/^\/\/(?=\/)/, ''))
}

/** How long a write waits for another connection's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000

/** Opens (and migrates) the SQLite storage: WAL with synchronous=FULL, foreign keys, a busy timeout. */
export function openSqliteStorage(databaseUrl: string): Storage {
  const filename = sqliteFilename(databaseUrl)
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const db = new Database(filename)
  db.pragma('journal_mode = WAL')
  // FULL: a committed paid row or refund must survive a power loss after WeChat Pay got its 204.
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  const version = db.pragma('user_version', { simple: true }) as number
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v])
      db.pragma(`user_version = ${v + 1}`)
    })()
  }

  const insertSql = (table: string, obj: object) => {
    const cols = Object.keys(obj).map(snake)
    return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`
  }
  const statements = new Map<string, Database.Statement>()
  const stmt = (sql: string) => {
    let s = statements.get(sql)
    if (!s) statements.set(sql, (s = db.prepare(sql)))
    return s
  }
  const update = (table: string, keyColumn: string, key: string, patch: object) => {
    const entries = Object.keys(patch)
    if (!entries.length) return
    const sql = `UPDATE ${table} SET ${entries.map((k) => `${snake(k)} = @${snake(k)}`).join(', ')} WHERE ${keyColumn} = @__key`
    stmt(sql).run({ ...toParams(patch), __key: key })
  }

  const users: UserRepository = {
    upsertByOpenid(openid, unionid, now, newId) {
      const existing = fromRow<UserRecord>(stmt('SELECT * FROM users WHERE openid = ?').get(openid) as Row)
      if (existing) {
        stmt('UPDATE users SET last_login_at = ?, unionid = COALESCE(?, unionid) WHERE id = ?').run(now, unionid, existing.id)
        return { ...existing, lastLoginAt: now, unionid: unionid ?? existing.unionid }
      }
      const user: UserRecord = { id: newId(), openid, unionid, createdAt: now, lastLoginAt: now }
      stmt(insertSql('users', user)).run(toParams(user))
      return user
    },
    get: (id) => fromRow<UserRecord>(stmt('SELECT * FROM users WHERE id = ?').get(id) as Row),
  }

  const orders: OrderRepository = {
    insert: (o) => void stmt(insertSql('orders', o)).run(toParams(o)),
    get: (orderNo) => fromRow<OrderRecord>(stmt('SELECT * FROM orders WHERE order_no = ?').get(orderNo) as Row),
    findByRequest: (userId, requestId) =>
      fromRow<OrderRecord>(stmt('SELECT * FROM orders WHERE user_id = ? AND request_id = ?').get(userId, requestId) as Row),
    listByUser: (userId, limit) =>
      (stmt('SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(userId, limit) as Row[]).map((r) => fromRow<OrderRecord>(r) as OrderRecord),
    update: (orderNo, patch) => update('orders', 'order_no', orderNo, patch),
    listUnpaid: (since, limit) =>
      (stmt("SELECT * FROM orders WHERE status = 'unpaid' AND created_at >= ? ORDER BY COALESCE(last_queried_at, 0) ASC, created_at ASC LIMIT ?").all(since, limit) as Row[]).map(
        (r) => fromRow<OrderRecord>(r) as OrderRecord,
      ),
  }

  const attempts: AttemptRepository = {
    insert: (a) => void stmt(insertSql('attempts', a)).run(toParams(a)),
    get: (no) => fromRow<AttemptRecord>(stmt('SELECT * FROM attempts WHERE out_trade_no = ?').get(no) as Row),
    listByOrder: (orderNo) =>
      (stmt('SELECT * FROM attempts WHERE order_no = ? ORDER BY seq ASC').all(orderNo) as Row[]).map((r) => fromRow<AttemptRecord>(r) as AttemptRecord),
    update: (no, patch) => update('attempts', 'out_trade_no', no, patch),
  }

  const refunds: RefundRepository = {
    insert: (r) => void stmt(insertSql('refunds', r)).run(toParams(r)),
    get: (no) => fromRow<RefundRecord>(stmt('SELECT * FROM refunds WHERE out_refund_no = ?').get(no) as Row),
    findByRequest: (orderNo, requestId) =>
      fromRow<RefundRecord>(stmt('SELECT * FROM refunds WHERE order_no = ? AND request_id = ?').get(orderNo, requestId) as Row),
    listByOrder: (orderNo) =>
      (stmt('SELECT * FROM refunds WHERE order_no = ? ORDER BY created_at ASC, rowid ASC').all(orderNo) as Row[]).map((r) => fromRow<RefundRecord>(r) as RefundRecord),
    listUnsettled: (limit) =>
      (
        stmt(
          "SELECT * FROM refunds WHERE status IN ('pending', 'processing', 'abnormal') OR (kind = 'stray' AND status = 'failed') ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 WHEN 'processing' THEN 2 ELSE 3 END, updated_at ASC, rowid ASC LIMIT ?",
        ).all(limit) as Row[]
      ).map((r) => fromRow<RefundRecord>(r) as RefundRecord),
    update: (no, patch) => update('refunds', 'out_refund_no', no, patch),
  }

  const notifications: NotificationLog = {
    append: (e) => {
      const { id: _id, ...rest } = e
      stmt(insertSql('notification_log', rest)).run(toParams(rest))
    },
    list: (limit) =>
      (stmt('SELECT * FROM notification_log ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => fromRow<NotificationLogEntry>(r) as NotificationLogEntry),
  }

  return {
    users,
    orders,
    attempts,
    refunds,
    notifications,
    ...sqliteOnboarding(db),
    ...sqliteSplits(db),
    componentTickets: sqliteComponentTickets(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => {
      if (db.open) db.close()
    },
  }
}
