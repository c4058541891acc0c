import type { AttemptRecord, RefundRecord } from '../../server/merchant/storage'
import { newOrderNo, outTradeNoFor } from '../../server/merchant/services/order-numbers'
import { OUT_TRADE_NO_PATTERN, rfc3339 } from '../../server/wechatpay'
import { ENGINES, ORDER_DEFAULTS, failure, order, storageForSuite } from './storage-helpers'

const attempt = (orderNo: string, seq: number, patch: Partial<AttemptRecord> = {}): AttemptRecord => ({
  outTradeNo: `${orderNo}_${seq}`,
  orderNo,
  seq,
  openid: 'openid-a',
  timeExpire: '2025-01-02T00:30:05+08:00',
  prepayId: null,
  prepayExpiresAt: null,
  status: 'creating',
  createdAt: 10 + seq,
  transactionId: null,
  paidAt: null,
  ...patch,
})

const refund = (no: string, status: RefundRecord['status'], kind: RefundRecord['kind'], updatedAt: number, patch: Partial<RefundRecord> = {}): RefundRecord => ({
  outRefundNo: no, orderNo: 'ORDER000001', outTradeNo: 'ORDER000001_1', amount: 1, total: 100, reason: '', kind, requestId: no, status, refundId: null, createdAt: 1, updatedAt, ...patch,
})

describe.each(ENGINES)('%s storage', (engine) => {
  const { open, durableUrl } = storageForSuite(engine)

  test('a database keeps its rows across reopen and migrates once', async () => {
    const url = await durableUrl()
    const s1 = await open(url)
    const u = await s1.users.upsertByOpenid('openid-1', null, 1, () => 'user-1')
    await s1.orders.insert(order(u.id, 1))
    await s1.close()
    const s2 = await open(url)
    expect(s2.engine).toBe(engine)
    expect(await s2.orders.get('ORDER000001')).toMatchObject({ userId: 'user-1', amount: 100, status: 'unpaid', paidAt: null })
    expect((await s2.users.upsertByOpenid('openid-1', 'union', 2, () => 'other')).id).toBe('user-1')
    await s2.close()
    const s3 = await open(url)
    expect(await s3.users.get('user-1')).toEqual({ id: 'user-1', openid: 'openid-1', unionid: 'union', createdAt: 1, lastLoginAt: 2 })
  })

  test('users: one per openid; a login updates the time and keeps a known unionid', async () => {
    const s = await open()
    const first = await s.users.upsertByOpenid('o1', 'u1', 5, () => 'A')
    expect(first).toEqual({ id: 'A', openid: 'o1', unionid: 'u1', createdAt: 5, lastLoginAt: 5 })
    expect(await s.users.upsertByOpenid('o1', null, 9, () => 'B')).toEqual({ ...first, lastLoginAt: 9 })
    expect(await s.users.get('A')).toEqual({ ...first, lastLoginAt: 9 })
    expect(await s.users.get('B')).toBeUndefined()
  })

  test('orders: an exact round trip (numbers as numbers, no extra fields), updates by patch', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    const big = order('A', 1, { amount: 99_999_999_99, expiresAt: 4_102_444_800_000 })
    await s.orders.insert(big)
    expect(await s.orders.get('ORDER000001')).toEqual({ ...big, ...ORDER_DEFAULTS })
    const shop = order('A', 2, { shopId: 'SHOP1', subMchid: '1900000109', subAppId: null, profitSharing: 1 })
    await s.orders.insert(shop)
    expect(await s.orders.get('ORDER000002')).toEqual({ ...ORDER_DEFAULTS, ...shop })
    await s.orders.update('ORDER000001', { status: 'paid', paidAt: 77, transactionId: 'T1', paidOutTradeNo: 'ORDER000001_1', splitStatus: 'pending', splitCommission: 3 })
    expect(await s.orders.get('ORDER000001')).toEqual({ ...big, ...ORDER_DEFAULTS, status: 'paid', paidAt: 77, transactionId: 'T1', paidOutTradeNo: 'ORDER000001_1', splitStatus: 'pending', splitCommission: 3 })
    await s.orders.update('ORDER000001', {})
    expect(await s.orders.get('missing')).toBeUndefined()
  })

  test('one requestId per user; list is newest first (insertion order on equal times) and per user', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.users.upsertByOpenid('b', null, 1, () => 'B')
    await s.orders.insert(order('A', 1))
    await s.orders.insert(order('A', 2, { createdAt: 1_700_000_000_005 }))
    await s.orders.insert(order('A', 3, { createdAt: 1_700_000_000_005 }))
    await s.orders.insert(order('B', 4, { requestId: 'req-1-xxxxxx' }))
    expect(await failure(s.orders.insert(order('A', 5, { requestId: 'req-1-xxxxxx' })))).toMatch(/UNIQUE|unique/)
    expect(await s.orders.get('ORDER000005')).toBeUndefined()
    expect((await s.orders.listByUser('A', 10)).map((o) => o.orderNo)).toEqual(['ORDER000003', 'ORDER000002', 'ORDER000001'])
    expect((await s.orders.listByUser('A', 2)).map((o) => o.orderNo)).toEqual(['ORDER000003', 'ORDER000002'])
    expect((await s.orders.findByRequest('B', 'req-1-xxxxxx'))?.orderNo).toBe('ORDER000004')
    expect(await s.orders.findByRequest('B', 'req-2-xxxxxx')).toBeUndefined()
  })

  test('looking up a key with a NUL character finds nothing (PostgreSQL text cannot hold one)', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.orders.insert(order('A', 1))
    expect(await s.orders.get('ORDER000001\u0000')).toBeUndefined()
    expect(await s.orders.findByRequest('A', '\u0000')).toBeUndefined()
    expect(await s.orders.listByUser('A\u0000', 10)).toEqual([])
    expect(await s.shops.get('%00\u0000')).toBeUndefined()
    expect(await s.applications.get('\u0000')).toBeUndefined()
    if (engine === 'postgres') expect(await failure(s.users.upsertByOpenid('o\u0000', null, 1, () => 'B'))).toMatch(/0x00/) // never a silent success
  })

  test('unpaid orders since a time: least recently queried first, then oldest, then inserted first', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.orders.insert(order('A', 1, { lastQueriedAt: 50 }))
    await s.orders.insert(order('A', 2))
    await s.orders.insert(order('A', 3, { createdAt: 1_700_000_000_002 }))
    await s.orders.insert(order('A', 4, { status: 'paid' }))
    await s.orders.insert(order('A', 5, { createdAt: 1_600_000_000_000 }))
    expect((await s.orders.listUnpaid(1_700_000_000_000, 10)).map((o) => o.orderNo)).toEqual(['ORDER000002', 'ORDER000003', 'ORDER000001'])
    expect((await s.orders.listUnpaid(1_700_000_000_000, 1)).map((o) => o.orderNo)).toEqual(['ORDER000002'])
    // Paid, it leaves the list (and stays out); an order that becomes unpaid again comes back.
    await s.orders.update('ORDER000002', { status: 'paid', paidAt: 1_700_000_000_100 })
    await s.orders.update('ORDER000003', { status: 'failed' })
    expect((await s.orders.listUnpaid(1_700_000_000_000, 10)).map((o) => o.orderNo)).toEqual(['ORDER000001'])
    expect((await s.orders.listUnpaid(1_700_000_000_000, 10)).map((o) => o.orderNo)).toEqual(['ORDER000001'])
    await s.orders.update('ORDER000003', { status: 'unpaid' })
    expect((await s.orders.listUnpaid(1_700_000_000_000, 10)).map((o) => o.orderNo)).toEqual(['ORDER000003', 'ORDER000001'])
  })

  test('refunds can never exceed the amount: the update is refused and changes nothing', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.orders.insert(order('A', 1))
    expect(await failure(s.orders.update('ORDER000001', { refundedAmount: 101 }))).toMatch(/CHECK|check/)
    await s.orders.update('ORDER000001', { refundedAmount: 100 })
    expect((await s.orders.get('ORDER000001'))?.refundedAmount).toBe(100)
    expect(await failure(s.orders.insert(order('A', 2, { amount: 0 })))).toMatch(/CHECK|check/)
  })

  test('attempts: round trip, one per seq, listed by seq', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.orders.insert(order('A', 1))
    await s.attempts.insert(attempt('ORDER000001', 2))
    await s.attempts.insert(attempt('ORDER000001', 1, { prepayId: 'wx1', prepayExpiresAt: 1_700_000_007_200, status: 'open' }))
    expect(await failure(s.attempts.insert(attempt('ORDER000001', 1, { outTradeNo: 'OTHER' })))).toMatch(/UNIQUE|unique/)
    expect(await failure(s.attempts.insert(attempt('NOSUCHORDER', 1)))).toMatch(/FOREIGN KEY|foreign key/)
    expect(await s.attempts.get('ORDER000001_1')).toEqual(attempt('ORDER000001', 1, { prepayId: 'wx1', prepayExpiresAt: 1_700_000_007_200, status: 'open' }))
    await s.attempts.update('ORDER000001_2', { status: 'paid', transactionId: 'T2', paidAt: 99 })
    expect((await s.attempts.listByOrder('ORDER000001')).map((a) => [a.seq, a.status])).toEqual([[1, 'open'], [2, 'paid']])
    expect(await s.attempts.listByOrder('ORDER000009')).toEqual([])
  })

  test('refunds: round trip, one per requestId of an order, listed oldest first (insertion order on ties)', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    await s.orders.insert(order('A', 1, { status: 'paid' }))
    await s.refunds.insert(refund('R2', 'pending', 'admin', 1, { createdAt: 5 }))
    await s.refunds.insert(refund('R1', 'pending', 'admin', 1, { createdAt: 5, requestId: null }))
    await s.refunds.insert(refund('R0', 'pending', 'stray', 1, { createdAt: 2, requestId: null }))
    expect(await failure(s.refunds.insert(refund('R3', 'pending', 'admin', 1, { requestId: 'R2' })))).toMatch(/UNIQUE|unique/)
    expect(await s.refunds.get('R2')).toEqual(refund('R2', 'pending', 'admin', 1, { createdAt: 5 }))
    expect((await s.refunds.findByRequest('ORDER000001', 'R2'))?.outRefundNo).toBe('R2')
    expect((await s.refunds.listByOrder('ORDER000001')).map((r) => r.outRefundNo)).toEqual(['R0', 'R2', 'R1'])
    await s.refunds.update('R2', { status: 'succeeded', refundId: 'W2', updatedAt: 9 })
    expect(await s.refunds.get('R2')).toMatchObject({ status: 'succeeded', refundId: 'W2', updatedAt: 9, amount: 1 })
  })

  test('unsettled refunds: unknown outcomes first, then refused strays, processing, abnormal; final ones never', async () => {
    const s = await open()
    const u = await s.users.upsertByOpenid('openid-r', null, 1, () => 'user-r')
    await s.orders.insert(order(u.id, 1, { status: 'paid', paidOutTradeNo: 'ORDER000001_1' }))
    const rows = [
      refund('ABN', 'abnormal', 'admin', 1), refund('PROC', 'processing', 'admin', 1), refund('PEND2', 'pending', 'admin', 5), refund('PEND1', 'pending', 'stray', 2),
      refund('STRAYFAIL', 'failed', 'stray', 1), refund('ADMINFAIL', 'failed', 'admin', 1), refund('OK', 'succeeded', 'admin', 1), refund('CLOSED', 'closed', 'admin', 1),
      refund('PEND3', 'pending', 'admin', 5),
    ]
    for (const r of rows) await s.refunds.insert(r)
    expect((await s.refunds.listUnsettled(10)).map((r) => r.outRefundNo)).toEqual(['PEND1', 'PEND2', 'PEND3', 'STRAYFAIL', 'PROC', 'ABN'])
    expect((await s.refunds.listUnsettled(2)).map((r) => r.outRefundNo)).toEqual(['PEND1', 'PEND2'])
  })

  test('the notification log: newest first, with ids', async () => {
    const s = await open()
    await s.notifications.append({ receivedAt: 1, eventId: 'E1', eventType: 'TRANSACTION.SUCCESS', outTradeNo: 'X_1', outcome: 'applied', detail: '' })
    await s.notifications.append({ id: 999, receivedAt: 1, eventId: null, eventType: null, outTradeNo: null, outcome: 'rejected', detail: 'bad signature' })
    const list = await s.notifications.list(10)
    expect(list.map((e) => e.outcome)).toEqual(['rejected', 'applied'])
    expect(list[1]).toEqual({ id: list[1].id, receivedAt: 1, eventId: 'E1', eventType: 'TRANSACTION.SUCCESS', outTradeNo: 'X_1', outcome: 'applied', detail: '' })
    expect(list[0].id).toBeGreaterThan(list[1].id as number)
    expect(await s.notifications.list(1)).toHaveLength(1)
  })

  test('a transaction that throws leaves nothing behind, and no one outside sees its writes', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    // Registered outside the transaction, so it runs in no transaction's context (as another request would).
    let start = () => undefined as void
    const outside = new Promise<void>((resolve) => (start = resolve)).then(() => s.orders.get('ORDER000001'))
    await expect(
      s.transaction(async () => {
        await s.orders.insert(order('A', 1))
        await s.attempts.insert(attempt('ORDER000001', 1))
        expect(await s.orders.get('ORDER000001')).toMatchObject({ orderNo: 'ORDER000001' }) // visible inside
        start()
        await new Promise((resolve) => setTimeout(resolve, 20)) // let the outside read run (PostgreSQL) or queue (SQLite)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await outside).toBeUndefined()
    expect(await s.orders.get('ORDER000001')).toBeUndefined()
    expect(await s.attempts.get('ORDER000001_1')).toBeUndefined()
    await s.orders.insert(order('A', 1))
    expect(await s.orders.get('ORDER000001')).toBeDefined()
  })

  test('a transaction returns its value; nested ones join it and fall with it', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    const value = await s.transaction(async () => {
      await s.orders.insert(order('A', 1))
      return s.transaction(async () => {
        await s.orders.update('ORDER000001', { status: 'paid' })
        return (await s.orders.get('ORDER000001'))?.status
      })
    })
    expect(value).toBe('paid')
    expect((await s.orders.get('ORDER000001'))?.status).toBe('paid')
    const message = await failure(
      s.transaction(async () => {
        await s.transaction(() => s.orders.insert(order('A', 2)))
        await s.orders.insert(order('A', 3, { requestId: 'req-1-xxxxxx' })) // duplicate: the whole transaction fails
      }),
    )
    expect(message).toMatch(/UNIQUE|unique/)
    expect(await s.orders.get('ORDER000002')).toBeUndefined()
    expect((await s.orders.listByUser('A', 10)).map((o) => o.orderNo)).toEqual(['ORDER000001'])
  })
})

describe('order numbers', () => {
  test('out_trade_no of every attempt is within WeChat Pay rules and orderNo is unique', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const no = newOrderNo(Date.UTC(2025, 0, 1, 16, 0, 0))
      expect(no).toMatch(/^20250102000000[0-9A-Z]{8}$/)
      seen.add(no)
      expect(outTradeNoFor(no, 999)).toMatch(OUT_TRADE_NO_PATTERN)
    }
    expect(seen.size).toBe(2000)
  })

  test('time_expire is RFC 3339 in +08:00', () => {
    expect(rfc3339(Date.UTC(2025, 0, 1, 16, 30, 5, 900))).toBe('2025-01-02T00:30:05+08:00')
  })
})
