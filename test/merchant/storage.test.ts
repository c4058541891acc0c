import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStorage, type OrderRecord, type RefundRecord } from '../../server/merchant/storage'
import { newOrderNo, outTradeNoFor } from '../../server/merchant/services/order-numbers'
import { OUT_TRADE_NO_PATTERN, rfc3339 } from '../../server/wechatpay'

const order = (userId: string, n: number, patch: Partial<OrderRecord> = {}): OrderRecord => ({
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

describe('SQLite storage', () => {
  test('a file database keeps its rows across reopen and migrates once', () => {
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'merchant-db-')), 'nested', 'm.db')}`
    const s1 = openStorage(url)
    const u = s1.users.upsertByOpenid('openid-1', null, 1, () => 'user-1')
    s1.orders.insert(order(u.id, 1))
    s1.close()
    const s2 = openStorage(url)
    expect(s2.orders.get('ORDER000001')).toMatchObject({ userId: 'user-1', amount: 100, status: 'unpaid', paidAt: null })
    expect(s2.users.upsertByOpenid('openid-1', 'union', 2, () => 'other').id).toBe('user-1')
    s2.close()
  })

  test('one requestId per user; list is newest first and per user', () => {
    const s = openStorage('sqlite::memory:')
    s.users.upsertByOpenid('a', null, 1, () => 'A')
    s.users.upsertByOpenid('b', null, 1, () => 'B')
    s.orders.insert(order('A', 1))
    s.orders.insert(order('A', 2))
    s.orders.insert(order('B', 3))
    expect(() => s.orders.insert(order('A', 4, { requestId: 'req-1-xxxxxx' }))).toThrow(/UNIQUE/)
    expect(s.orders.listByUser('A', 10).map((o) => o.orderNo)).toEqual(['ORDER000002', 'ORDER000001'])
    expect(s.orders.findByRequest('B', 'req-3-xxxxxx')?.orderNo).toBe('ORDER000003')
  })

  test('a transaction that throws leaves nothing behind; refunds can never exceed the amount', () => {
    const s = openStorage('sqlite::memory:')
    s.users.upsertByOpenid('a', null, 1, () => 'A')
    expect(() => s.transaction(() => {
      s.orders.insert(order('A', 1))
      throw new Error('boom')
    })).toThrow('boom')
    expect(s.orders.get('ORDER000001')).toBeUndefined()
    s.orders.insert(order('A', 1))
    expect(() => s.orders.update('ORDER000001', { refundedAmount: 101 })).toThrow(/CHECK/)
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

  test('unsettled refunds: unknown outcomes first, then refused strays, processing, abnormal; final ones never', () => {
    const s = openStorage('sqlite::memory:')
    const u = s.users.upsertByOpenid('openid-r', null, 1, () => 'user-r')
    s.orders.insert(order(u.id, 1, { status: 'paid', paidOutTradeNo: 'ORDER000001_1' }))
    const refund = (no: string, status: RefundRecord['status'], kind: RefundRecord['kind'], updatedAt: number): RefundRecord => ({
      outRefundNo: no, orderNo: 'ORDER000001', outTradeNo: 'ORDER000001_1', amount: 1, total: 100, reason: '', kind, requestId: no, status, refundId: null, createdAt: 1, updatedAt,
    })
    const rows = [
      refund('ABN', 'abnormal', 'admin', 1), refund('PROC', 'processing', 'admin', 1), refund('PEND2', 'pending', 'admin', 5), refund('PEND1', 'pending', 'stray', 2),
      refund('STRAYFAIL', 'failed', 'stray', 1), refund('ADMINFAIL', 'failed', 'admin', 1), refund('OK', 'succeeded', 'admin', 1), refund('CLOSED', 'closed', 'admin', 1),
    ]
    for (const r of rows) s.refunds.insert(r)
    expect(s.refunds.listUnsettled(10).map((r) => r.outRefundNo)).toEqual(['PEND1', 'PEND2', 'STRAYFAIL', 'PROC', 'ABN'])
    expect(s.refunds.listUnsettled(2).map((r) => r.outRefundNo)).toEqual(['PEND1', 'PEND2'])
    s.close()
  })
})
