import type { Transaction } from '../../server/wechatpay'
import { decidePayment, type PaymentState } from '../../server/merchant/services/orders/transitions'
import { WechatPayError } from '../../server/wechatpay'
import { advance, isDefiniteRefusal, refundTotals, reservedFen } from '../../server/merchant/services/orders/refund-state'
import type { AttemptRecord, OrderRecord, RefundRecord } from '../../server/merchant/storage'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const order = (over: Partial<OrderRecord> = {}): OrderRecord => ({
  orderNo: '20260101080000ABCDEFGH', userId: 'u1', requestId: 'req-00000001', amount: 500, description: 'x', status: 'unpaid',
  createdAt: NOW, expiresAt: NOW + 3600_000, paidAt: null, transactionId: null, paidOutTradeNo: null, refundedAmount: 0, lastQueriedAt: null, ...over,
})
const attempt = (seq: number, over: Partial<AttemptRecord> = {}): AttemptRecord => ({
  outTradeNo: `20260101080000ABCDEFGH_${seq}`, orderNo: '20260101080000ABCDEFGH', seq, openid: 'o1', timeExpire: '2026-01-01T09:00:00+08:00',
  prepayId: 'wx1', prepayExpiresAt: NOW + 3600_000, status: 'open', createdAt: NOW, transactionId: null, paidAt: null, ...over,
})
const tx = (outTradeNo: string, over: Partial<Transaction> = {}): Transaction => ({
  appid: 'wxapp', mchid: '1900000001', out_trade_no: outTradeNo, transaction_id: '4200000001', trade_type: 'JSAPI', trade_state: 'SUCCESS',
  trade_state_desc: '支付成功', bank_type: 'OTHERS', success_time: '2026-01-01T08:01:00+08:00', payer: { openid: 'o1' },
  amount: { total: 500, payer_total: 500, currency: 'CNY', payer_currency: 'CNY' }, ...over,
} as Transaction)
const refund = (status: RefundRecord['status'], amount: number, kind: RefundRecord['kind'] = 'admin'): RefundRecord => ({
  outRefundNo: `R${status}${amount}`, orderNo: '20260101080000ABCDEFGH', outTradeNo: 'x_1', amount, total: 500, reason: '', kind, requestId: null,
  status, refundId: null, createdAt: NOW, updatedAt: NOW,
})
const state = (a: AttemptRecord, o: OrderRecord, attempts: AttemptRecord[] = [a]): PaymentState => ({ attempt: a, order: o, attempts, refunds: [] })
const facts = { ownershipProblem: null, now: NOW, source: 'notification' as const }

describe('decidePayment (pure: stored state + transaction → changes + effects)', () => {
  test('the first paid attempt pays the order and returns a close effect per live sibling, nothing else', () => {
    const [a1, a2, a3] = [attempt(1), attempt(2, { status: 'creating' }), attempt(3, { status: 'closed' })]
    const d = decidePayment(state(a1, order(), [a1, a2, a3]), tx(a1.outTradeNo), facts)
    expect(d.outcome).toBe('applied')
    expect(d.order).toMatchObject({ status: 'paid', paidOutTradeNo: a1.outTradeNo, transactionId: '4200000001', paidAt: Date.parse('2026-01-01T00:01:00Z'), refundedAmount: 0 })
    expect(d.effects).toEqual([{ kind: 'close', attempt: a2 }])
  })

  test('a second paid attempt of a paid order becomes stray with one refund of its own amount', () => {
    const a2 = attempt(2)
    const d = decidePayment(state(a2, order({ status: 'paid', paidOutTradeNo: attempt(1).outTradeNo })), tx(a2.outTradeNo), facts)
    expect(d.outcome).toBe('stray')
    expect(d.attempt).toMatchObject({ status: 'stray' })
    expect(d.order).toBeUndefined()
    expect(d.insertRefund).toMatchObject({ outRefundNo: `${a2.outTradeNo}_STRAY`, amount: 500, kind: 'stray', status: 'pending' })
    expect(d.effects).toEqual([{ kind: 'refund', refund: d.insertRefund }])
  })

  test.each([
    ['another merchant', { ownershipProblem: 'mchid 1 is not 2' }, {}, /mchid/],
    ['another amount', {}, { amount: { total: 499, payer_total: 499, currency: 'CNY', payer_currency: 'CNY' } }, /amount 499/],
  ])('%s is a mismatch: nothing changes, no effect', (_name, f, t, detail) => {
    const a1 = attempt(1)
    const d = decidePayment(state(a1, order()), tx(a1.outTradeNo, t as Partial<Transaction>), { ...facts, ...f })
    expect(d).toEqual({ outcome: 'mismatch', detail: expect.stringMatching(detail), effects: [] })
  })

  test('a repeat is a duplicate; an unknown out_trade_no is unknown_order; CLOSED closes a live attempt only', () => {
    const paid = attempt(1, { status: 'paid' })
    expect(decidePayment(state(paid, order({ status: 'paid', paidOutTradeNo: paid.outTradeNo })), tx(paid.outTradeNo), facts).outcome).toBe('duplicate')
    expect(decidePayment(undefined, tx('nope_1'), facts).outcome).toBe('unknown_order')
    const live = attempt(1)
    expect(decidePayment(state(live, order()), tx(live.outTradeNo, { trade_state: 'CLOSED' }), facts)).toMatchObject({ outcome: 'ignored', attempt: { status: 'closed' } })
    expect(decidePayment(state(live, order()), tx(live.outTradeNo, { trade_state: 'NOTPAY' }), facts).attempt).toBeUndefined()
  })
})

describe('refund rules', () => {
  test('refundedAmount counts accepted admin refunds; pending ones are reserved too; failed and stray ones neither', () => {
    const refunds = [refund('succeeded', 100), refund('processing', 50), refund('pending', 30), refund('failed', 20), refund('succeeded', 500, 'stray')]
    expect(refundTotals(order({ status: 'paid' }), refunds)).toEqual({ refundedAmount: 150, status: 'paid' })
    expect(reservedFen(refunds)).toBe(180)
    expect(reservedFen([refund('abnormal', 70), refund('closed', 30)])).toBe(70)
    expect(refundTotals(order({ status: 'paid' }), [refund('succeeded', 500)])).toEqual({ refundedAmount: 500, status: 'refunded' })
  })
})

describe('which refund failures are definite (issue 11)', () => {
  const err = (status: number, code: string) => new WechatPayError({ status, code, message: code })
  test.each([
    [403, 'NOT_ENOUGH', true],
    [400, 'PARAM_ERROR', true],
    [404, 'RESOURCE_NOT_EXISTS', true],
    [401, 'SIGN_ERROR', true],
    [429, 'FREQUENCY_LIMITED', false],
    [500, 'SYSTEM_ERROR', false],
    [503, 'SERVICE_UNAVAILABLE', false],
    [0, 'TIMEOUT', false],
    [0, 'NETWORK_ERROR', false],
    [200, 'RESPONSE_SIGNATURE_INVALID', false],
    [200, 'RESPONSE_NOT_SIGNED', false],
    [200, 'MALFORMED_RESPONSE', false],
  ])('%i %s → definite: %s', (status, code, definite) => {
    expect(isDefiniteRefusal(err(status, code))).toBe(definite)
  })
  test('an error that is not WeChat Pay\'s is never a refusal', () => {
    expect(isDefiniteRefusal(new Error('boom'))).toBe(false)
  })
})

describe('advance: a report never moves a refund back', () => {
  test.each([
    ['pending', 'processing', 'processing'],
    ['processing', 'succeeded', 'succeeded'],
    ['processing', 'abnormal', 'abnormal'],
    ['abnormal', 'succeeded', 'succeeded'],
    ['failed', 'succeeded', 'succeeded'],
    ['succeeded', 'processing', null],
    ['succeeded', 'abnormal', null],
    ['closed', 'processing', null],
    ['processing', 'processing', null],
  ] as const)('%s + %s → %s', (from, reported, to) => {
    expect(advance({ ...refund(from, 10), refundId: 'R1' }, reported, 'R1', NOW)?.status ?? null).toBe(to)
  })
})
