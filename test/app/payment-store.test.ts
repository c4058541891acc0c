import { AppError } from '@/lib/errors'
import { createPaymentStore, type Phase } from '@/store/payment'
import type { Backend, Order, PaymentDriver } from '@/services/types'
import { deferred, flush, instantBackend, scriptedDriver } from './support/fakes'

const input = { amountFen: 1230, description: '拿铁咖啡' }

/** A store plus the list of phases it went through. */
function setup(script: Parameters<typeof scriptedDriver>[1], backend = instantBackend()) {
  const { driver, seen } = scriptedDriver(backend, script)
  const sleeps: number[] = []
  let ids = 0
  const store = createPaymentStore({
    backend,
    pay: driver,
    newRequestId: () => `req-test-${++ids}`,
    sleep: async (ms) => { sleeps.push(ms) },
  })
  const phases: Phase[] = []
  store.subscribe((s, prev) => { if (s.phase !== prev.phase) phases.push(s.phase) })
  return { store, backend, seen, sleeps, phases }
}

/** A checkout started and left with the payment sheet open until the test answers `sheet`. */
async function openSheet<T extends 'ok' | 'cancel'>() {
  const backend = instantBackend()
  const sheet = deferred<T>()
  const store = createPaymentStore({ backend, pay: () => sheet.promise, sleep: async () => {} })
  const running = store.getState().checkout(input)
  await flush()
  return { backend, sheet, store, running }
}

describe('payment store', () => {
  test('happy path: creating → paying → confirming → succeeded, with the server order', async () => {
    const { store, phases, backend } = setup(['pay'])
    await store.getState().checkout(input)
    expect(phases).toEqual(['creating', 'paying', 'confirming', 'succeeded'])
    const { order, error } = store.getState()
    expect(error).toBeNull()
    expect(order).toMatchObject({ amount: 1230, description: '拿铁咖啡', status: 'paid' })
    expect(order?.paidAt).toEqual(expect.any(String))
    expect(backend.calls.createOrder).toEqual([[{ amount: 1230, description: '拿铁咖啡', requestId: 'req-test-1' }]])
  })

  test('a double tap creates one order', async () => {
    const { store, backend } = setup(['pay'])
    const first = store.getState().checkout(input)
    const second = store.getState().checkout(input)
    await Promise.all([first, second])
    expect(backend.calls.createOrder).toHaveLength(1)
    expect(await backend.listOrders()).toHaveLength(1)
    expect(store.getState().phase).toBe('succeeded')
  })

  test('checkout while the sheet is open does nothing', async () => {
    const { backend, sheet, store, running } = await openSheet<'cancel'>()
    expect(store.getState().phase).toBe('paying')
    await store.getState().checkout({ amountFen: 1, description: 'other' })
    await store.getState().retry()
    sheet.resolve('cancel')
    await running
    expect(backend.calls.createOrder).toHaveLength(1)
    expect(backend.calls.renewPayment).toBeUndefined()
    expect(store.getState().phase).toBe('cancelled')
  })

  test('cancel keeps the order; retry pays the same order with fresh parameters', async () => {
    const { store, backend, seen, phases } = setup(['cancel', 'pay'])
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('cancelled')
    expect(store.getState().error).toBeNull()
    const orderNo = store.getState().order?.orderNo
    expect(store.getState().order?.status).toBe('unpaid')

    await store.getState().retry()
    expect(phases).toEqual(['creating', 'paying', 'confirming', 'cancelled', 'creating', 'paying', 'confirming', 'succeeded'])
    expect(backend.calls.createOrder).toHaveLength(1)
    expect(backend.calls.renewPayment).toEqual([[orderNo]])
    expect(store.getState().order).toMatchObject({ orderNo, status: 'paid' })
    expect(seen[1].package).not.toBe(seen[0].package)
    expect(await backend.listOrders()).toHaveLength(1)
  })

  test('cancel is not a failure, a driver failure is', async () => {
    const { store } = setup([{ fail: 'requestPayment:fail 余额不足' }])
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('failed')
    expect(store.getState().error).toMatchObject({ code: 'PAYMENT_FAILED', message: '支付失败：余额不足' })
    expect(store.getState().order?.status).toBe('unpaid')
  })

  test('a failed payment can be retried on the same order', async () => {
    const { store, backend } = setup([{ fail: 'x' }, 'pay'])
    await store.getState().checkout(input)
    await store.getState().retry()
    expect(store.getState().phase).toBe('succeeded')
    expect(backend.calls.createOrder).toHaveLength(1)
  })

  test('`ok` but the server says unpaid: asks 3 times (0/1/2 s), then pending', async () => {
    const { store, backend, sleeps } = setup(['ok'])
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('pending')
    expect(store.getState().error?.code).toBe('PAYMENT_UNCONFIRMED')
    expect(store.getState().error?.message).toContain('暂未确认到支付结果')
    expect(backend.calls.getOrder).toHaveLength(3)
    expect(sleeps).toEqual([1000, 2000])
  })

  test('`ok` and the server sees the payment on the second question: succeeded', async () => {
    const backend = instantBackend()
    let answers = 0
    const getOrder = backend.getOrder
    backend.getOrder = async (orderNo) => {
      answers += 1
      const order = await getOrder(orderNo)
      if (answers === 2) return { ...order, status: 'paid', paidAt: '2026-11-23T09:00:00.000Z' }
      return order
    }
    const { store, sleeps } = setup(['ok'], backend)
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('succeeded')
    expect(answers).toBe(2)
    expect(sleeps).toEqual([1000])
  })

  test('a cancel the server saw as paid is a success (the server decides)', async () => {
    const backend = instantBackend()
    const pay: PaymentDriver = async (payment) => {
      backend.completePayment(payment, 'success')
      return 'cancel'
    }
    const store = createPaymentStore({ backend, pay, sleep: async () => {} })
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('succeeded')
  })

  test('network error while creating the order: failed with a Chinese message, no order', async () => {
    const backend = instantBackend()
    backend.failNext('createOrder', new AppError('NETWORK_ERROR'))
    const { store } = setup([], backend)
    await store.getState().checkout(input)
    expect(store.getState()).toMatchObject({ phase: 'failed', order: null })
    expect(store.getState().error).toMatchObject({ code: 'NETWORK_ERROR', message: '网络连接失败，请检查网络后重试' })
  })

  test('retrying a checkout that failed in transit reuses its requestId (same order server-side)', async () => {
    const backend = instantBackend()
    backend.failNext('createOrder', new AppError('TIMEOUT'))
    const { store } = setup(['pay'], backend)
    await store.getState().checkout(input)
    expect(store.getState().error?.code).toBe('TIMEOUT')
    await store.getState().retry()
    expect(store.getState().phase).toBe('succeeded')
    const ids = backend.calls.createOrder.map(([arg]) => (arg as { requestId: string }).requestId)
    expect(ids).toEqual(['req-test-1', 'req-test-1'])
  })

  test('a new checkout after a finished one gets a new requestId and a new order', async () => {
    const { store, backend } = setup(['pay', 'pay'])
    await store.getState().checkout(input)
    await store.getState().checkout(input)
    const ids = backend.calls.createOrder.map(([arg]) => (arg as { requestId: string }).requestId)
    expect(ids).toEqual(['req-test-1', 'req-test-2'])
    expect(await backend.listOrders()).toHaveLength(2)
  })

  test('server unreachable after `ok`: pending with the reason', async () => {
    const backend = instantBackend()
    backend.getOrder = async () => { throw new AppError('TIMEOUT') }
    const { store } = setup(['ok'], backend)
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('pending')
    expect(store.getState().error?.message).toBe('暂未确认到支付结果，请稍后查询（请求超时，请稍后重试）')
    expect(store.getState().order?.orderNo).toMatch(/^\d{14}[0-9A-Z]{8}$/)
  })

  test('confirm() turns pending into succeeded once the server has it', async () => {
    const { store, backend, seen } = setup(['ok'])
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('pending')
    backend.completePayment(seen[0], 'success')
    await store.getState().confirm()
    expect(store.getState().phase).toBe('succeeded')
    expect(store.getState().error).toBeNull()
  })

  test('confirm() while still unpaid stays pending', async () => {
    const { store } = setup(['ok'])
    await store.getState().checkout(input)
    await store.getState().confirm()
    expect(store.getState().phase).toBe('pending')
    expect(store.getState().error?.code).toBe('PAYMENT_UNCONFIRMED')
  })

  test('a driver that throws is a failure, not a crash', async () => {
    const backend = instantBackend()
    const store = createPaymentStore({ backend, pay: async () => { throw new Error('boom') }, sleep: async () => {} })
    await store.getState().checkout(input)
    expect(store.getState().phase).toBe('failed')
    expect(store.getState().error?.code).toBe('PAYMENT_FAILED')
  })

  test('payOrder pays an existing unpaid order (orders page)', async () => {
    const backend = instantBackend()
    const { order } = await backend.createOrder({ amount: 500, description: '旧订单', requestId: 'req-old-0001' })
    const { store } = setup(['pay'], backend)
    await store.getState().payOrder(order)
    expect(store.getState()).toMatchObject({ phase: 'succeeded', order: { orderNo: order.orderNo, status: 'paid' } })
    expect(backend.calls.renewPayment).toEqual([[order.orderNo]])
  })

  test('retry of an order paid meanwhile: ORDER_NOT_PAYABLE → asks the server → succeeded', async () => {
    const { store, backend, seen } = setup(['cancel'])
    await store.getState().checkout(input)
    backend.completePayment(seen[0], 'success')
    await store.getState().retry()
    expect(store.getState().phase).toBe('succeeded')
  })

  test('a replayed checkout whose order was paid meanwhile (payment: null) settles from the server, no sheet', async () => {
    const backend = instantBackend()
    const first = await backend.createOrder({ amount: input.amountFen, description: input.description, requestId: 'req-test-1' })
    backend.completePayment(first.payment!, 'success')
    const { store, seen } = setup([], backend)
    await store.getState().checkout(input)
    expect(seen).toHaveLength(0)
    expect(store.getState()).toMatchObject({ phase: 'succeeded', order: { orderNo: first.order.orderNo, status: 'paid' } })
  })

  test('paying a closed order: failed with ORDER_NOT_PAYABLE', async () => {
    const backend = instantBackend()
    const closed: Order = { ...(await backend.createOrder({ amount: 1, description: 'x', requestId: 'req-x-00001' })).order }
    backend.renewPayment = async () => { throw new AppError('ORDER_NOT_PAYABLE') }
    backend.getOrder = async () => ({ ...closed, status: 'closed' })
    const { store } = setup([], backend)
    await store.getState().payOrder(closed)
    expect(store.getState()).toMatchObject({ phase: 'failed', error: { code: 'ORDER_NOT_PAYABLE' } })
  })

  test('reset() returns to idle and a late answer of the old run is ignored', async () => {
    const { sheet, store, running } = await openSheet<'ok'>()
    store.getState().reset()
    sheet.resolve('ok')
    await running
    expect(store.getState()).toMatchObject({ phase: 'idle', order: null, error: null })
  })

  test('every failure carries a code and a Chinese message', async () => {
    const broken: Backend = {
      createSession: async () => {},
      createOrder: async () => { throw new TypeError('undefined is not a function') },
      getOrder: async () => { throw new Error('x') },
      listOrders: async () => [],
      renewPayment: async () => { throw new Error('x') },
      closeOrder: async () => { throw new Error('x') },
      uploadMedia: async () => { throw new Error('x') },
      createApplication: async () => { throw new Error('x') },
      listApplications: async () => [],
      getApplication: async () => { throw new Error('x') },
      resubmitApplication: async () => { throw new Error('x') },
      getShop: async () => { throw new Error('x') },
    }
    const store = createPaymentStore({ backend: broken, pay: async () => 'ok', sleep: async () => {} })
    await store.getState().checkout(input)
    expect(store.getState().error).toMatchObject({ code: 'UNKNOWN', message: '出了点问题，请稍后重试' })
  })
})
