import type Database from 'better-sqlite3'
import { FINAL_APPLICATION_STATES, type ApplicationRecord, type ApplicationRepository, type ShopRecord, type ShopRepository } from './onboarding'


type Row = Record<string, unknown>
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const fromRow = <T>(row: unknown): T | undefined => {
  if (!row) return undefined
  const out: Row = {}
  for (const [k, v] of Object.entries(row as Row)) out[camel(k)] = v
  return out as T
}
const toParams = (obj: object): Row => {
  const out: Row = {}
  for (const [k, v] of Object.entries(obj)) out[snake(k)] = v === undefined ? null : v
  return out
}

/** The SQLite repositories of applications and shops, over an open, migrated database. */
export function sqliteOnboarding(db: Database.Database): { applications: ApplicationRepository; shops: ShopRepository } {
  const insert = (table: string, obj: object) => {
    const cols = Object.keys(obj).map(snake)
    db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(toParams(obj))
  }
  const all = <T>(sql: string, ...args: unknown[]) => (db.prepare(sql).all(...args) as Row[]).map((r) => fromRow<T>(r) as T)
  const finals = FINAL_APPLICATION_STATES.map((s) => `'${s}'`).join(', ')
  const applications: ApplicationRepository = {
    insert: (a) => insert('applications', a),
    get: (no) => fromRow<ApplicationRecord>(db.prepare('SELECT * FROM applications WHERE application_no = ?').get(no)),
    findByRequest: (userId, requestId) => fromRow<ApplicationRecord>(db.prepare('SELECT * FROM applications WHERE user_id = ? AND request_id = ?').get(userId, requestId)),
    listByUser: (userId, limit) => all<ApplicationRecord>('SELECT * FROM applications WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?', userId, limit),
    listAll: (limit) => all<ApplicationRecord>('SELECT * FROM applications ORDER BY created_at DESC, rowid DESC LIMIT ?', limit),
    listOpen: (limit) => all<ApplicationRecord>(`SELECT * FROM applications WHERE state NOT IN (${finals}) ORDER BY COALESCE(last_queried_at, 0) ASC, created_at ASC LIMIT ?`, limit),
    update(no, patch) {
      const keys = Object.keys(patch)
      if (!keys.length) return
      db.prepare(`UPDATE applications SET ${keys.map((k) => `${snake(k)} = @${snake(k)}`).join(', ')} WHERE application_no = @__key`).run({ ...toParams(patch), __key: no })
    },
  }
  const shops: ShopRepository = {
    insert: (s) => insert('shops', s),
    get: (shopId) => fromRow<ShopRecord>(db.prepare('SELECT * FROM shops WHERE shop_id = ?').get(shopId)),
    findBySubMchid: (subMchid) => fromRow<ShopRecord>(db.prepare('SELECT * FROM shops WHERE sub_mchid = ?').get(subMchid)),
  }
  return { applications, shops }
}
