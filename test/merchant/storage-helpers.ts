/** Shared by the storage suites: each runs once per engine against fresh databases. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStorage, type OrderRecord, type Storage } from '../../server/merchant/storage'
import { freshPostgresDatabase, type TestEngine } from '../support/database'
import { postgresServerForSuite } from '../support/postgres-server'

export const ENGINES: TestEngine[] = ['sqlite', 'postgres']

/** An order of user `userId`, numbered n (createdAt grows with n unless patched). */
export const order = (userId: string, n: number, patch: Partial<OrderRecord> = {}): OrderRecord => ({
  orderNo: `ORDER${String(n).padStart(6, '0')}`,
  userId,
  requestId: `req-${n}-xxxxxx`,
  amount: 100,
  description: '商品',
  status: 'unpaid',
  createdAt: 1_700_000_000_000 + n,
  expiresAt: 1_700_000_000_000 + n + 3600_000,
  paidAt: null,
  transactionId: null,
  paidOutTradeNo: null,
  refundedAmount: 0,
  lastQueriedAt: null,
  ...patch,
})

/** The columns an order has beyond OrderRecord's required fields, as a fresh insert leaves them. */
export const ORDER_DEFAULTS = { shopId: null, subMchid: null, subAppId: null, profitSharing: 0, splitStatus: null, splitCommission: null, splitUnfrozen: null }

/**
 * Storage for one engine, call at describe level: `open()` gives a storage on a new database (a copy
 * of the run's migrated template on PostgreSQL; `open(url)` opens that one), `durableUrl()` an empty
 * database that outlives its storage (migrated by whoever opens it first). All are closed after each test.
 */
export function storageForSuite(engine: TestEngine) {
  const server = engine === 'postgres' ? postgresServerForSuite() : undefined
  const opened: Storage[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()))
  })
  const durableUrl = async () =>
    server ? freshPostgresDatabase(server(), { empty: true }) : `sqlite:${join(mkdtempSync(join(tmpdir(), 'merchant-db-')), 'nested', 'm.db')}`
  const open = async (url?: string) => {
    const s = await openStorage(url ?? (server ? await freshPostgresDatabase(server()) : 'sqlite::memory:'))
    opened.push(s)
    return s
  }
  /** Two storages on one new database (like two processes); PostgreSQL only makes sense here. */
  const openTwo = async () => {
    const url = await durableUrl()
    return [await open(url), await open(url)] as const
  }
  return { open, durableUrl, openTwo }
}

/**
 * The message of the error p fails with (fails the test if p succeeds). Not `rejects.toThrow`:
 * better-sqlite3 makes its errors in the realm of the first test file that loaded it in a worker,
 * so in later files they are not `instanceof Error`.
 */
export async function failure(p: Promise<unknown>): Promise<string> {
  const outcome = await p.then(
    () => ({ failed: false, message: '' }),
    (e: unknown) => ({ failed: true, message: String((e as { message?: unknown } | null)?.message ?? e) }),
  )
  if (!outcome.failed) throw new Error('expected the call to fail, it succeeded')
  return outcome.message
}
