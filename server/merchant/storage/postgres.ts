import pg from 'pg'
import { ConfigError } from '../errors'
import type { AttemptRecord, NotificationLogEntry, OrderRecord, RefundRecord, Storage, UserRecord } from './types'
import { isConnectionFailure, pgDb, poolConfig, type PgDb } from './postgres-client'
import { pgKeyLock, pgLeases, pgLimiter } from './postgres-guards'
import { migratePostgres } from './postgres-migrate'
import { pgComponentTickets, pgOnboarding, pgSplits } from './postgres-platform'
import { pgTableWriter } from './postgres-table'

/** Connections of the main pool (queries and transactions) per process. */
const POOL_MAX = 10
/** Connections that hold per-key advisory locks (one per key locked at once in this process). */
const LOCK_POOL_MAX = 10
/** Connections of the READ COMMITTED pool: the limiters' upserts (postgres-guards.ts) and SELECTs made outside transactions. */
const PLAIN_POOL_MAX = 6

/** The order, payment and notification repositories (same queries and order as sqlite.ts; `rowid` breaks ties). */
function pgCore(db: PgDb, plainDb: PgDb): Pick<Storage, 'users' | 'orders' | 'attempts' | 'refunds' | 'notifications'> {
  const users: Storage['users'] = {
    async upsertByOpenid(openid, unionid, now, newId) {
      const touched = await db.one<UserRecord>('UPDATE users SET last_login_at = $1, unionid = COALESCE($2, unionid) WHERE openid = $3 RETURNING *', [now, unionid, openid])
      if (touched) return touched
      const user: UserRecord = { id: newId(), openid, unionid, createdAt: now, lastLoginAt: now }
      // Another process may have stored this openid since the UPDATE: then that row is the user.
      const stored = await db.one<UserRecord>(
        'INSERT INTO users (id, openid, unionid, created_at, last_login_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (openid) DO UPDATE SET last_login_at = EXCLUDED.last_login_at, unionid = COALESCE(EXCLUDED.unionid, users.unionid) RETURNING *',
        [user.id, openid, unionid, now],
      )
      return stored ?? user
    },
    get: (id) => db.one('SELECT * FROM users WHERE id = $1', [id]),
  }

  const orderWriter = pgTableWriter<OrderRecord>(db, 'orders', 'order_no')
  const orders: Storage['orders'] = {
    insert: (o) => orderWriter.insert(o),
    get: (orderNo) => db.one('SELECT * FROM orders WHERE order_no = $1', [orderNo]),
    findByRequest: (userId, requestId) => db.one('SELECT * FROM orders WHERE user_id = $1 AND request_id = $2', [userId, requestId]),
    listByUser: (userId, limit) => db.rows('SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at DESC, rowid DESC LIMIT $2', [userId, limit]),
    update: (orderNo, patch) => orderWriter.update(orderNo, patch),
    // Through `open_orders` (migrations.ts): entries of orders no longer unpaid are dropped first, at
    // READ COMMITTED (nothing to serialize: a final status never turns unpaid without the trigger).
    listUnpaid: async (since, limit) => {
      await plainDb.exec("DELETE FROM open_orders p USING orders o WHERE o.order_no = p.order_no AND o.status <> 'unpaid'")
      return db.rows(
        "SELECT o.* FROM open_orders p JOIN orders o ON o.order_no = p.order_no WHERE p.created_at >= $1 AND o.status = 'unpaid' ORDER BY COALESCE(o.last_queried_at, 0) ASC, o.created_at ASC, o.rowid ASC LIMIT $2",
        [since, limit],
      )
    },
  }

  const attemptWriter = pgTableWriter<AttemptRecord>(db, 'attempts', 'out_trade_no')
  const attempts: Storage['attempts'] = {
    insert: (a) => attemptWriter.insert(a),
    get: (no) => db.one('SELECT * FROM attempts WHERE out_trade_no = $1', [no]),
    listByOrder: (orderNo) => db.rows('SELECT * FROM attempts WHERE order_no = $1 ORDER BY seq ASC', [orderNo]),
    update: (no, patch) => attemptWriter.update(no, patch),
  }

  const refundWriter = pgTableWriter<RefundRecord>(db, 'refunds', 'out_refund_no')
  const refunds: Storage['refunds'] = {
    insert: (r) => refundWriter.insert(r),
    get: (no) => db.one('SELECT * FROM refunds WHERE out_refund_no = $1', [no]),
    findByRequest: (orderNo, requestId) => db.one('SELECT * FROM refunds WHERE order_no = $1 AND request_id = $2', [orderNo, requestId]),
    listByOrder: (orderNo) => db.rows('SELECT * FROM refunds WHERE order_no = $1 ORDER BY created_at ASC, rowid ASC', [orderNo]),
    listUnsettled: (limit) =>
      db.rows(
        "SELECT * FROM refunds WHERE status IN ('pending', 'processing', 'abnormal') OR (kind = 'stray' AND status = 'failed') ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 WHEN 'processing' THEN 2 ELSE 3 END, updated_at ASC, rowid ASC LIMIT $1",
        [limit],
      ),
    update: (no, patch) => refundWriter.update(no, patch),
  }

  const logWriter = pgTableWriter<Omit<NotificationLogEntry, 'id'>>(db, 'notification_log', 'id')
  const notifications: Storage['notifications'] = {
    append: ({ id: _id, ...entry }) => logWriter.insert(entry),
    list: (limit) => db.rows('SELECT * FROM notification_log ORDER BY id DESC LIMIT $1', [limit]),
  }
  return { users, orders, attempts, refunds, notifications }
}

/** host:port/database of a URL, never its password (for messages). */
function where(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 5432}${u.pathname}`
  } catch {
    return 'the given address'
  }
}

/**
 * Opens (and migrates) the PostgreSQL storage at `url` (postgres:// or postgresql://): a main pool
 * for queries and transactions, a small pool that only holds advisory locks, a small READ COMMITTED
 * pool for the limiters and for lone SELECTs, dedicated connections for leases. A database that is unreachable or refuses at start is a ConfigError naming DATABASE_URL.
 */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = new pg.Pool(poolConfig(url, POOL_MAX, true))
  const lockPool = new pg.Pool(poolConfig(url, LOCK_POOL_MAX, false))
  const plainPool = new pg.Pool(poolConfig(url, PLAIN_POOL_MAX, false))
  for (const p of [pool, lockPool, plainPool]) {
    // An idle connection the server closed (restart, failover) is dropped by the pool; one in use
    // (a transaction, a held lock) fails its next query instead, and is destroyed on release. Neither
    // may crash the process with an unhandled 'error' event.
    p.on('error', () => undefined)
    p.on('connect', (client) => client.on('error', () => undefined))
  }
  try {
    const client = await pool.connect()
    try {
      await migratePostgres(client)
    } finally {
      client.release()
    }
  } catch (e) {
    await Promise.all([pool.end(), lockPool.end(), plainPool.end()]).catch(() => undefined)
    const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown }
    const reason = (typeof message === 'string' && message.split('\n')[0]) || String(code ?? e)
    if (isConnectionFailure(e)) throw new ConfigError(`DATABASE_URL: cannot use the PostgreSQL database at ${where(url)}: ${reason}`)
    throw new ConfigError(`DATABASE_URL: migrating the PostgreSQL database at ${where(url)} failed: ${reason}`)
  }

  const db = pgDb(pool, plainPool)
  const plainDb = pgDb(plainPool)
  const leases = pgLeases(poolConfig(url, 1, false))
  let closing: Promise<void> | undefined
  return {
    engine: 'postgres',
    ...pgCore(db, plainDb),
    ...pgOnboarding(db),
    ...pgSplits(db),
    componentTickets: pgComponentTickets(db),
    transaction: db.transaction,
    withLock: pgKeyLock(lockPool),
    limiter: (name, limit, windowMs, clock) => pgLimiter(plainDb, name, limit, windowMs, clock),
    lead: leases.lead,
    close: () => (closing ??= Promise.all([leases.close(), lockPool.end(), plainPool.end(), pool.end()]).then(() => undefined)),
  }
}
