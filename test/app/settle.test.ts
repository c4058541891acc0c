import { isBusy, outcomeKind, settle, type OutcomeKind } from '@/store/settle'
import type { OrderStatus } from '@/services/types'

describe('settle: (client outcome, server status) → final phase', () => {
  test.each<[OutcomeKind, OrderStatus | null, string]>([
    ['ok', 'paid', 'succeeded'],
    ['cancel', 'paid', 'succeeded'],
    ['fail', 'paid', 'succeeded'],
    ['ok', 'unpaid', 'pending'],
    ['cancel', 'unpaid', 'cancelled'],
    ['fail', 'unpaid', 'failed'],
    ['ok', null, 'pending'],
    ['cancel', null, 'cancelled'],
    ['fail', null, 'failed'],
    ['ok', 'closed', 'failed'],
    ['cancel', 'closed', 'failed'],
    ['ok', 'failed', 'failed'],
    ['ok', 'refunded', 'failed'],
  ])('%s + %s → %s', (outcome, status, phase) => {
    expect(settle(outcome, status)).toBe(phase)
  })

  test('the client alone never makes a success', () => {
    for (const outcome of ['ok', 'cancel', 'fail'] as const) {
      for (const status of ['unpaid', 'closed', 'failed', 'refunded', null] as const) {
        expect(settle(outcome, status)).not.toBe('succeeded')
      }
    }
  })

  test('outcome kinds and busy phases', () => {
    expect(outcomeKind('ok')).toBe('ok')
    expect(outcomeKind('cancel')).toBe('cancel')
    expect(outcomeKind({ fail: 'x' })).toBe('fail')
    expect(['creating', 'paying', 'confirming'].every((p) => isBusy(p as never))).toBe(true)
    expect(['idle', 'succeeded', 'cancelled', 'failed', 'pending'].some((p) => isBusy(p as never))).toBe(false)
  })
})
