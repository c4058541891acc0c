import { AppError } from '@/lib/errors'
import { MOCK_STORAGE_KEY, createMockBackend } from '@/services/mock-backend'
import { createMemoryStorage } from '@/services/types'

const setup = (storage = createMemoryStorage()) => {
  const sleeps: number[] = []
  const backend = createMockBackend({ storage, latencyMs: 250, sleep: async (ms) => { sleeps.push(ms) }, now: () => Date.UTC(2026, 10, 23, 1, 2, 3) })
  return { backend, storage, sleeps }
}

describe('in-app mock backend', () => {
  test('creates realistic orders and payment objects, with latency', async () => {
    const { backend, sleeps } = setup()
    const { order, payment } = await backend.createOrder({ amount: 1230, description: ' 拿铁 ', requestId: 'req-mock-001' })
    if (!payment) throw new Error('a new order comes with payment parameters')
    expect(order).toEqual({
      orderNo: expect.stringMatching(/^20261123090203[0-9A-Z]{8}$/), amount: 1230, currency: 'CNY', description: '拿铁', status: 'unpaid',
      createdAt: '2026-11-23T01:02:03.000Z', paidAt: null, transactionId: null, refundedAmount: 0,
    })
    expect(payment.timeStamp).toBe(String(Date.UTC(2026, 10, 23, 1, 2, 3) / 1000))
    expect(payment.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(payment.package).toMatch(/^prepay_id=wx20261123090203[0-9a-f]{20}$/)
    expect(payment.signType).toBe('RSA')
    expect(payment.paySign).toHaveLength(344)
    expect(payment.paySign).toMatch(/^[A-Za-z0-9+/]{342}==$/)
    expect(sleeps).toEqual([250])
  })

  test('same requestId → same order', async () => {
    const { backend } = setup()
    const a = await backend.createOrder({ amount: 100, description: 'x', requestId: 'req-mock-002' })
    const b = await backend.createOrder({ amount: 100, description: 'x', requestId: 'req-mock-002' })
    expect(b.order.orderNo).toBe(a.order.orderNo)
    expect(await backend.listOrders()).toHaveLength(1)
  })

  test('the backend\'s replay rules: another body → BAD_REQUEST; a paid order → no payment', async () => {
    const { backend } = setup()
    const a = await backend.createOrder({ amount: 100, description: 'x', requestId: 'req-mock-007' })
    await expect(backend.createOrder({ amount: 101, description: 'x', requestId: 'req-mock-007' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    backend.completePayment(a.payment!, 'success')
    const replay = await backend.createOrder({ amount: 100, description: 'x', requestId: 'req-mock-007' })
    expect(replay).toMatchObject({ order: { orderNo: a.order.orderNo, status: 'paid' }, payment: null })
  })

  test('applies the backend rules with the same codes', async () => {
    const { backend } = setup()
    await expect(backend.createOrder({ amount: 0, description: 'x', requestId: 'req-mock-003' })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    await expect(backend.createOrder({ amount: 5_000_001, description: 'x', requestId: 'req-mock-003' })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    await expect(backend.createOrder({ amount: 1.5, description: 'x', requestId: 'req-mock-003' })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    await expect(backend.createOrder({ amount: 1, description: '  ', requestId: 'req-mock-003' })).rejects.toMatchObject({ code: 'INVALID_DESCRIPTION' })
    await expect(backend.getOrder('M404')).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' })
  })

  test('remembers orders in storage across instances, newest first', async () => {
    const storage = createMemoryStorage()
    const first = setup(storage).backend
    await first.createOrder({ amount: 1, description: 'first', requestId: 'req-mock-004' })
    await first.createOrder({ amount: 2, description: 'second', requestId: 'req-mock-005' })
    expect(storage.get(MOCK_STORAGE_KEY)).toContain('second')
    const again = setup(storage).backend
    expect((await again.listOrders()).map((o) => o.description)).toEqual(['second', 'first'])
  })

  test('marks paid only when the simulated sheet confirms; then it is no longer payable', async () => {
    const { backend } = setup()
    const { order, payment } = await backend.createOrder({ amount: 1, description: 'x', requestId: 'req-mock-006' })
    if (!payment) throw new Error('a new order comes with payment parameters')
    expect(backend.completePayment(payment, 'cancel')).toBe('cancel')
    expect((await backend.getOrder(order.orderNo)).status).toBe('unpaid')
    const fresh = await backend.renewPayment(order.orderNo)
    expect(fresh.package).not.toBe(payment.package)
    expect(backend.completePayment(fresh, 'success')).toBe('ok')
    const paid = await backend.getOrder(order.orderNo)
    expect(paid).toMatchObject({ status: 'paid', paidAt: '2026-11-23T01:02:03.000Z', transactionId: expect.stringMatching(/^4200\d{24}$/) })
    await expect(backend.renewPayment(order.orderNo)).rejects.toMatchObject({ code: 'ORDER_NOT_PAYABLE' })
    expect(backend.completePayment(payment, 'success')).toEqual({ fail: '订单已支付或已关闭' })
  })

  test('an unknown prepay_id is refused', () => {
    const { backend } = setup()
    expect(backend.completePayment({ timeStamp: '1', nonceStr: 'n', package: 'prepay_id=wxnope', signType: 'RSA', paySign: 's' }, 'success')).toEqual({ fail: 'prepay_id 无效' })
  })

  test('can be told to fail the next call', async () => {
    const { backend } = setup()
    backend.failNext('listOrders', new AppError('NETWORK_ERROR'))
    await expect(backend.listOrders()).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    await expect(backend.listOrders()).resolves.toEqual([])
  })
})
