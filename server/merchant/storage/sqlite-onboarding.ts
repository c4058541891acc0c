import type Database from 'better-sqlite3'
import { FINAL_APPLICATION_STATES, type ApplicationRecord, type ApplicationRepository, type ShopRecord, type ShopRepository } from './onboarding'
import type { SqliteGate } from './sqlite-gate'

interface ApplicationRow {
  application_no: string
  user_id: string
  request_id: string
  out_request_no: string
  organization_type: string
  merchant_shortname: string
  state: ApplicationRecord['state']
  state_desc: string | null
  applyment_id: string | null
  sub_mchid: string | null
  shop_id: string | null
  sign_url: string | null
  legal_validation_url: string | null
  account_validation: string | null
  rejections: string | null
  sealed: string
  created_at: number
  updated_at: number
  last_queried_at: number | null
}
interface ShopRow {
  shop_id: string
  sub_mchid: string
  name: string
  sub_app_id: string | null
  application_no: string | null
  created_at: number
}

const applicationFromRow = (r: ApplicationRow): ApplicationRecord => ({
  applicationNo: r.application_no,
  userId: r.user_id,
  requestId: r.request_id,
  outRequestNo: r.out_request_no,
  organizationType: r.organization_type,
  merchantShortname: r.merchant_shortname,
  state: r.state,
  stateDesc: r.state_desc,
  applymentId: r.applyment_id,
  subMchid: r.sub_mchid,
  shopId: r.shop_id,
  signUrl: r.sign_url,
  legalValidationUrl: r.legal_validation_url,
  accountValidation: r.account_validation,
  rejections: r.rejections,
  sealed: r.sealed,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastQueriedAt: r.last_queried_at,
})
const shopFromRow = (r: ShopRow): ShopRecord => ({ shopId: r.shop_id, subMchid: r.sub_mchid, name: r.name, subAppId: r.sub_app_id, applicationNo: r.application_no, createdAt: r.created_at })

/** The column of each updatable application field. */
const APPLICATION_COLUMNS: Record<keyof Omit<ApplicationRecord, 'applicationNo'>, string> = {
  userId: 'user_id',
  requestId: 'request_id',
  outRequestNo: 'out_request_no',
  organizationType: 'organization_type',
  merchantShortname: 'merchant_shortname',
  state: 'state',
  stateDesc: 'state_desc',
  applymentId: 'applyment_id',
  subMchid: 'sub_mchid',
  shopId: 'shop_id',
  signUrl: 'sign_url',
  legalValidationUrl: 'legal_validation_url',
  accountValidation: 'account_validation',
  rejections: 'rejections',
  sealed: 'sealed',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  lastQueriedAt: 'last_queried_at',
}
const FIELDS = Object.keys(APPLICATION_COLUMNS) as Array<keyof typeof APPLICATION_COLUMNS>

/** The SQLite repositories of applications and shops, over a migrated database, every statement through the gate. */
export function sqliteOnboarding(db: Database.Database, gate: SqliteGate): { applications: ApplicationRepository; shops: ShopRepository } {
  const finals = FINAL_APPLICATION_STATES.map((s) => `'${s}'`).join(', ')
  const insertApplication = db.prepare(
    `INSERT INTO applications (application_no, ${FIELDS.map((k) => APPLICATION_COLUMNS[k]).join(', ')}) VALUES (@applicationNo, ${FIELDS.map((k) => `@${k}`).join(', ')})`,
  )
  const getApplication = db.prepare('SELECT * FROM applications WHERE application_no = ?')
  const byRequest = db.prepare('SELECT * FROM applications WHERE user_id = ? AND request_id = ?')
  const byUser = db.prepare('SELECT * FROM applications WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
  const allApplications = db.prepare('SELECT * FROM applications ORDER BY created_at DESC, rowid DESC LIMIT ?')
  const open = db.prepare(`SELECT * FROM applications WHERE state NOT IN (${finals}) ORDER BY COALESCE(last_queried_at, 0) ASC, created_at ASC LIMIT ?`)
  /** One UPDATE per set of patched fields, prepared the first time that set is seen. */
  const updates = new Map<string, Database.Statement>()
  const updateFor = (keys: string[]) => {
    const id = keys.join(',')
    let s = updates.get(id)
    if (!s) {
      const sets = keys.map((k) => `${APPLICATION_COLUMNS[k as keyof typeof APPLICATION_COLUMNS]} = @${k}`).join(', ')
      updates.set(id, (s = db.prepare(`UPDATE applications SET ${sets} WHERE application_no = @__key`)))
    }
    return s
  }
  const insertShop = db.prepare('INSERT INTO shops (shop_id, sub_mchid, name, sub_app_id, application_no, created_at) VALUES (@shopId, @subMchid, @name, @subAppId, @applicationNo, @createdAt)')
  const getShop = db.prepare('SELECT * FROM shops WHERE shop_id = ?')
  const shopBySubMchid = db.prepare('SELECT * FROM shops WHERE sub_mchid = ?')

  const one = (row: unknown) => (row ? applicationFromRow(row as ApplicationRow) : undefined)
  const many = (rows: unknown[]) => (rows as ApplicationRow[]).map(applicationFromRow)
  const applications: ApplicationRepository = {
    insert: (a) => gate.run(() => void insertApplication.run(a)),
    get: (no) => gate.run(() => one(getApplication.get(no))),
    findByRequest: (userId, requestId) => gate.run(() => one(byRequest.get(userId, requestId))),
    listByUser: (userId, limit) => gate.run(() => many(byUser.all(userId, limit))),
    listAll: (limit) => gate.run(() => many(allApplications.all(limit))),
    listOpen: (limit) => gate.run(() => many(open.all(limit))),
    update(no, patch) {
      const keys = Object.keys(patch).filter((k) => k in APPLICATION_COLUMNS)
      if (!keys.length) return Promise.resolve()
      const params: Record<string, unknown> = { __key: no }
      for (const k of keys) params[k] = (patch as Record<string, unknown>)[k] ?? null
      const stmt = updateFor(keys)
      return gate.run(() => void stmt.run(params))
    },
  }
  const shops: ShopRepository = {
    insert: (s) => gate.run(() => void insertShop.run(s)),
    get: (shopId) => gate.run(() => {
      const r = getShop.get(shopId) as ShopRow | undefined
      return r && shopFromRow(r)
    }),
    findBySubMchid: (subMchid) => gate.run(() => {
      const r = shopBySubMchid.get(subMchid) as ShopRow | undefined
      return r && shopFromRow(r)
    }),
  }
  return { applications, shops }
}
