import { FINAL_APPLICATION_STATES, type ApplicationRecord, type ApplicationRepository, type ShopRecord, type ShopRepository } from './onboarding'
import type { SplitJobRecord, SplitJobRepository, SplitRecord, SplitRepository, SplitReturnRecord, SplitReturnRepository } from './splits'
import type { ComponentTicketStore } from './types'
import type { PgDb } from './postgres-client'
import { pgTableWriter } from './postgres-table'

/** The PostgreSQL repositories of the platform half: applications, shops, splits, the component ticket. */

const finals = FINAL_APPLICATION_STATES.map((s) => `'${s}'`).join(', ')

/** Applications and shops (same queries and order as sqlite-onboarding.ts; `rowid` breaks ties). */
export function pgOnboarding(db: PgDb): { applications: ApplicationRepository; shops: ShopRepository } {
  const applicationWriter = pgTableWriter<ApplicationRecord>(db, 'applications', 'application_no')
  const shopWriter = pgTableWriter<ShopRecord>(db, 'shops', 'shop_id')
  const applications: ApplicationRepository = {
    insert: (a) => applicationWriter.insert(a),
    get: (no) => db.one('SELECT * FROM applications WHERE application_no = $1', [no]),
    findByRequest: (userId, requestId) => db.one('SELECT * FROM applications WHERE user_id = $1 AND request_id = $2', [userId, requestId]),
    listByUser: (userId, limit) => db.rows('SELECT * FROM applications WHERE user_id = $1 ORDER BY created_at DESC, rowid DESC LIMIT $2', [userId, limit]),
    listAll: (limit) => db.rows('SELECT * FROM applications ORDER BY created_at DESC, rowid DESC LIMIT $1', [limit]),
    listOpen: (limit) =>
      db.rows(`SELECT * FROM applications WHERE state NOT IN (${finals}) ORDER BY COALESCE(last_queried_at, 0) ASC, created_at ASC, rowid ASC LIMIT $1`, [limit]),
    update: (no, patch) => applicationWriter.update(no, patch),
  }
  const shops: ShopRepository = {
    insert: (s) => shopWriter.insert(s),
    get: (shopId) => db.one('SELECT * FROM shops WHERE shop_id = $1', [shopId]),
    findBySubMchid: (subMchid) => db.one('SELECT * FROM shops WHERE sub_mchid = $1', [subMchid]),
  }
  return { applications, shops }
}

/** A stored split: receivers are JSON, finish a 0/1 flag. */
type SplitRow = Omit<SplitRecord, 'receivers' | 'finish'> & { receivers: string; finish: number }
const splitOf = (r: SplitRow | undefined): SplitRecord | undefined =>
  r && { ...r, receivers: JSON.parse(r.receivers) as SplitRecord['receivers'], finish: r.finish === 1 }

/** Admin splits (same rules as sqlite-splits.ts: an update keeps what its patch leaves out or sets to null). */
function pgAdminSplits(db: PgDb): SplitRepository {
  return {
    insert: async (s) =>
      void (await db.exec(
        'INSERT INTO splits (split_no, order_no, request_id, receivers, finish, status, fail_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [s.splitNo, s.orderNo, s.requestId, JSON.stringify(s.receivers), s.finish ? 1 : 0, s.status, s.failReason, s.createdAt, s.updatedAt],
      )),
    get: async (splitNo) => splitOf(await db.one<SplitRow>('SELECT * FROM splits WHERE split_no = $1', [splitNo])),
    findByRequest: async (orderNo, requestId) => splitOf(await db.one<SplitRow>('SELECT * FROM splits WHERE order_no = $1 AND request_id = $2', [orderNo, requestId])),
    listByOrder: async (orderNo) =>
      (await db.rows<SplitRow>('SELECT * FROM splits WHERE order_no = $1 ORDER BY created_at ASC, rowid ASC', [orderNo])).map((r) => splitOf(r) as SplitRecord),
    update: async (splitNo, p) =>
      void (await db.exec(
        'UPDATE splits SET status = COALESCE($2, status), fail_reason = COALESCE($3, fail_reason), receivers = COALESCE($4, receivers), updated_at = COALESCE($5::bigint, updated_at) WHERE split_no = $1',
        [splitNo, p.status ?? null, p.failReason ?? null, p.receivers ? JSON.stringify(p.receivers) : null, p.updatedAt ?? null],
      )),
  }
}

/** Returns of admin splits. */
function pgSplitReturns(db: PgDb): SplitReturnRepository {
  const writer = pgTableWriter<SplitReturnRecord>(db, 'split_returns', 'return_no')
  return {
    insert: (r) => writer.insert(r),
    findByRequest: (splitNo, requestId) => db.one('SELECT * FROM split_returns WHERE split_no = $1 AND request_id = $2', [splitNo, requestId]),
    listByOrder: (orderNo) => db.rows('SELECT * FROM split_returns WHERE order_no = $1 ORDER BY created_at ASC, rowid ASC', [orderNo]),
    update: async (returnNo, p) =>
      void (await db.exec('UPDATE split_returns SET status = $2, fail_reason = $3, updated_at = $4 WHERE return_no = $1', [returnNo, p.status, p.failReason ?? null, p.updatedAt])),
  }
}

/** The split repositories (automatic jobs, admin splits, returns). */
export function pgSplits(db: PgDb): { splitJobs: SplitJobRepository; splits: SplitRepository; splitReturns: SplitReturnRepository } {
  const jobWriter = pgTableWriter<SplitJobRecord>(db, 'split_jobs', 'order_no')
  const splitJobs: SplitJobRepository = {
    insert: async (job) =>
      void (await db.exec(
        'INSERT INTO split_jobs (order_no, step, attempts, next_at, last_error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_no) DO NOTHING',
        [job.orderNo, job.step, job.attempts, job.nextAt, job.lastError, job.createdAt, job.updatedAt],
      )),
    get: (orderNo) => db.one('SELECT * FROM split_jobs WHERE order_no = $1', [orderNo]),
    update: (orderNo, patch) => jobWriter.update(orderNo, patch),
    listDue: (now, limit) => db.rows("SELECT * FROM split_jobs WHERE step IN ('split', 'finish') AND next_at <= $1 ORDER BY next_at ASC, rowid ASC LIMIT $2", [now, limit]),
  }
  return { splitJobs, splits: pgAdminSplits(db), splitReturns: pgSplitReturns(db) }
}

/** The component verify ticket: one row (id = 1), replaced on each save. */
export function pgComponentTickets(db: PgDb): ComponentTicketStore {
  return {
    latest: async () => (await db.one<{ ticket: string }>('SELECT ticket FROM component_ticket WHERE id = 1'))?.ticket ?? null,
    save: async (ticket, at) =>
      void (await db.exec('INSERT INTO component_ticket (id, ticket, received_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET ticket = EXCLUDED.ticket, received_at = EXCLUDED.received_at', [ticket, at])),
  }
}
