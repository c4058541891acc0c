import type { ApplicationRecord, SplitJobRecord, SplitRecord, SplitReturnRecord, Storage } from '../../server/merchant/storage'
import { ENGINES, failure, order, storageForSuite } from './storage-helpers'

const application = (n: number, patch: Partial<ApplicationRecord> = {}): ApplicationRecord => ({
  applicationNo: `APP${n}`,
  userId: 'A',
  requestId: `areq-${n}`,
  outRequestNo: `OUT${n}`,
  organizationType: '2401',
  merchantShortname: '小店',
  state: 'checking',
  stateDesc: null,
  applymentId: null,
  subMchid: null,
  shopId: null,
  signUrl: null,
  legalValidationUrl: null,
  accountValidation: null,
  rejections: null,
  sealed: 'sealed-bytes',
  createdAt: 100 + n,
  updatedAt: 100 + n,
  lastQueriedAt: null,
  ...patch,
})

const job = (orderNo: string, patch: Partial<SplitJobRecord> = {}): SplitJobRecord => ({
  orderNo, step: 'split', attempts: 0, nextAt: 50, lastError: null, createdAt: 1, updatedAt: 1, ...patch,
})

const split = (splitNo: string, patch: Partial<SplitRecord> = {}): SplitRecord => ({
  splitNo,
  orderNo: 'ORDER000001',
  requestId: `sreq-${splitNo}`,
  receivers: [{ type: 'MERCHANT_ID', account: '1900000109', amount: 3, description: '佣金', result: 'pending' }],
  finish: false,
  status: 'processing',
  failReason: null,
  createdAt: 5,
  updatedAt: 5,
  ...patch,
})

const splitReturn = (returnNo: string, patch: Partial<SplitReturnRecord> = {}): SplitReturnRecord => ({
  returnNo, splitNo: 'S1', orderNo: 'ORDER000001', requestId: `rreq-${returnNo}`, returnMchid: '1900000109', amount: 1, description: '回退', status: 'processing', failReason: null, createdAt: 7, updatedAt: 7, ...patch,
})

/** A user A with paid orders 1..n. */
async function withOrders(s: Storage, n: number) {
  await s.users.upsertByOpenid('a', null, 1, () => 'A')
  for (let i = 1; i <= n; i++) await s.orders.insert(order('A', i, { status: 'paid' }))
}

describe.each(ENGINES)('%s storage, platform half', (engine) => {
  const { open } = storageForSuite(engine)

  test('applications: exact round trip, one per requestId, listed newest first (insertion order on ties)', async () => {
    const s = await open()
    await withOrders(s, 0)
    await s.applications.insert(application(1))
    await s.applications.insert(application(2, { createdAt: 200 }))
    await s.applications.insert(application(3, { createdAt: 200 }))
    expect(await failure(s.applications.insert(application(4, { requestId: 'areq-1' })))).toMatch(/UNIQUE|unique/)
    expect(await failure(s.applications.insert(application(5, { outRequestNo: 'OUT1' })))).toMatch(/UNIQUE|unique/)
    expect(await s.applications.get('APP1')).toEqual(application(1))
    expect((await s.applications.findByRequest('A', 'areq-2'))?.applicationNo).toBe('APP2')
    expect((await s.applications.listByUser('A', 10)).map((a) => a.applicationNo)).toEqual(['APP3', 'APP2', 'APP1'])
    expect((await s.applications.listAll(2)).map((a) => a.applicationNo)).toEqual(['APP3', 'APP2'])
    await s.applications.update('APP1', { state: 'finished', subMchid: '1900000109', rejections: '[]', updatedAt: 300 })
    expect(await s.applications.get('APP1')).toEqual(application(1, { state: 'finished', subMchid: '1900000109', rejections: '[]', updatedAt: 300 }))
  })

  test('open applications: not final, least recently queried first, then oldest', async () => {
    const s = await open()
    await withOrders(s, 0)
    await s.applications.insert(application(1, { lastQueriedAt: 500 }))
    await s.applications.insert(application(2, { state: 'failed' }))
    await s.applications.insert(application(3, { state: 'account_need_verify' }))
    await s.applications.insert(application(4, { state: 'canceled' }))
    await s.applications.insert(application(5))
    expect((await s.applications.listOpen(10)).map((a) => a.applicationNo)).toEqual(['APP3', 'APP5', 'APP1'])
  })

  test('shops: round trip, one per sub_mchid', async () => {
    const s = await open()
    const shop = { shopId: 'SHOP1', subMchid: '1900000109', name: '小店', subAppId: null, applicationNo: null, createdAt: 9 }
    await s.shops.insert(shop)
    expect(await failure(s.shops.insert({ ...shop, shopId: 'SHOP2' }))).toMatch(/UNIQUE|unique/)
    expect(await s.shops.get('SHOP1')).toEqual(shop)
    expect(await s.shops.findBySubMchid('1900000109')).toEqual(shop)
    expect(await s.shops.findBySubMchid('1900000000')).toBeUndefined()
  })

  test('split jobs: stored once, due ones soonest first (insertion order on ties), final ones never', async () => {
    const s = await open()
    await withOrders(s, 5)
    await s.splitJobs.insert(job('ORDER000001', { nextAt: 30 }))
    await s.splitJobs.insert(job('ORDER000001', { nextAt: 1, step: 'finish' })) // ignored: one job per order
    await s.splitJobs.insert(job('ORDER000002', { nextAt: 20, step: 'finish' }))
    await s.splitJobs.insert(job('ORDER000003', { nextAt: 20 }))
    await s.splitJobs.insert(job('ORDER000004', { nextAt: 10, step: 'done' }))
    await s.splitJobs.insert(job('ORDER000005', { nextAt: 99 }))
    expect(await s.splitJobs.get('ORDER000001')).toEqual(job('ORDER000001', { nextAt: 30 }))
    expect((await s.splitJobs.listDue(50, 10)).map((j) => j.orderNo)).toEqual(['ORDER000002', 'ORDER000003', 'ORDER000001'])
    expect((await s.splitJobs.listDue(50, 1)).map((j) => j.orderNo)).toEqual(['ORDER000002'])
    await s.splitJobs.update('ORDER000002', { step: 'failed', attempts: 3, lastError: 'RULE_LIMIT', updatedAt: 8 })
    expect(await s.splitJobs.get('ORDER000002')).toEqual(job('ORDER000002', { nextAt: 20, step: 'failed', attempts: 3, lastError: 'RULE_LIMIT', updatedAt: 8 }))
    expect((await s.splitJobs.listDue(50, 10)).map((j) => j.orderNo)).toEqual(['ORDER000003', 'ORDER000001'])
  })

  test('admin splits: round trip (receivers and finish as written), one per requestId, oldest first; updates keep what they leave out', async () => {
    const s = await open()
    await withOrders(s, 1)
    await s.splits.insert(split('S2', { finish: true }))
    await s.splits.insert(split('S1'))
    await s.splits.insert(split('S0', { createdAt: 1 }))
    expect(await failure(s.splits.insert(split('S3', { requestId: 'sreq-S1' })))).toMatch(/UNIQUE|unique/)
    expect(await s.splits.get('S2')).toEqual(split('S2', { finish: true }))
    expect((await s.splits.findByRequest('ORDER000001', 'sreq-S1'))?.splitNo).toBe('S1')
    expect((await s.splits.listByOrder('ORDER000001')).map((x) => x.splitNo)).toEqual(['S0', 'S2', 'S1'])
    await s.splits.update('S1', { status: 'failed', failReason: 'NO_RELATION' })
    await s.splits.update('S1', { updatedAt: 9, failReason: null })
    const receivers: SplitRecord['receivers'] = [{ type: 'MERCHANT_ID', account: '1900000109', amount: 3, description: '佣金', result: 'closed', failReason: 'NO_RELATION' }]
    await s.splits.update('S2', { receivers, status: 'finished' })
    expect(await s.splits.get('S1')).toEqual(split('S1', { status: 'failed', failReason: 'NO_RELATION', updatedAt: 9 }))
    expect(await s.splits.get('S2')).toEqual(split('S2', { finish: true, receivers, status: 'finished' }))
  })

  test('split returns: one per requestId of a split, listed oldest first, updated', async () => {
    const s = await open()
    await withOrders(s, 1)
    await s.splits.insert(split('S1'))
    await s.splitReturns.insert(splitReturn('R2'))
    await s.splitReturns.insert(splitReturn('R1'))
    expect(await failure(s.splitReturns.insert(splitReturn('R3', { requestId: 'rreq-R1' })))).toMatch(/UNIQUE|unique/)
    expect(await failure(s.splitReturns.insert(splitReturn('R4', { amount: 0 })))).toMatch(/CHECK|check/)
    expect(await s.splitReturns.findByRequest('S1', 'rreq-R1')).toEqual(splitReturn('R1'))
    expect((await s.splitReturns.listByOrder('ORDER000001')).map((r) => r.returnNo)).toEqual(['R2', 'R1'])
    await s.splitReturns.update('R1', { status: 'failed', failReason: 'BALANCE_NOT_ENOUGH', updatedAt: 8 })
    expect(await s.splitReturns.findByRequest('S1', 'rreq-R1')).toEqual(splitReturn('R1', { status: 'failed', failReason: 'BALANCE_NOT_ENOUGH', updatedAt: 8 }))
  })

  test('the component ticket: none, then the latest saved', async () => {
    const s = await open()
    expect(await s.componentTickets.latest()).toBeNull()
    await s.componentTickets.save('ticket@1', 1)
    await s.componentTickets.save('ticket@2', 2)
    expect(await s.componentTickets.latest()).toBe('ticket@2')
  })
})
