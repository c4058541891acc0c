import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import ResultPage from '@/pages/result'
import { renderPage } from './support/render-page'
import { flush } from './support/fakes'
import type { Payment, PaymentDriver } from '@/services/types'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const el = (id: string) => document.getElementById(id) as HTMLElement
const input = { amountFen: 1230, description: '拿铁咖啡' }

/** Renders the result page after a checkout that ended the way `answer` says. */
async function afterCheckout(answer: 'success' | 'cancel' | 'fail') {
  const view = renderPage(<ResultPage />)
  let running: Promise<void> = Promise.resolve()
  await act(async () => { running = view.stores.payment.getState().checkout(input); await flush() })
  act(() => view.sheet.getState().answer(answer))
  await act(async () => { await running })
  return view
}

beforeEach(() => jest.clearAllMocks())

describe('result page', () => {
  test('succeeded: 支付成功, amount, order number, paid time', async () => {
    const { stores } = await afterCheckout('success')
    const order = stores.payment.getState().order!
    expect(el('result-title').textContent).toBe('支付成功')
    expect(el('result-amount').textContent).toBe('¥12.30')
    expect(el('result-order-no').textContent).toBe(order.orderNo)
    expect(el('result-paid-at').textContent).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(document.getElementById('retry-button')).toBeNull()
    fireEvent.click(screen.getByText('完成'))
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/checkout/index' })
    expect(stores.payment.getState().phase).toBe('idle')
  })

  test('cancelled: 继续支付 pays the same order again', async () => {
    const { stores, backend, sheet } = await afterCheckout('cancel')
    const orderNo = stores.payment.getState().order!.orderNo
    expect(el('result-title').textContent).toBe('已取消支付')
    expect(el('retry-button').textContent).toBe('继续支付')
    fireEvent.click(el('retry-button'))
    await screen.findByText('确认支付')
    expect(el('result-title').textContent).toBe('等待支付…')
    fireEvent.click(el('sheet-confirm'))
    await waitFor(() => expect(el('result-title').textContent).toBe('支付成功'))
    expect(el('result-order-no').textContent).toBe(orderNo)
    expect(await backend.listOrders()).toHaveLength(1)
    expect(backend.calls.renewPayment).toEqual([[orderNo]])
    expect(sheet.getState().payment).toBeNull()
  })

  test('failed: shows the reason and 重试', async () => {
    await afterCheckout('fail')
    expect(el('result-title').textContent).toBe('支付失败')
    expect(el('result-reason').textContent).toBe('支付失败：模拟的支付失败')
    expect(el('retry-button').textContent).toBe('重试')
  })

  test('failed before an order existed: the error message, and 重试 repeats the checkout', async () => {
    const view = renderPage(<ResultPage />)
    const { AppError } = jest.requireActual('@/lib/errors')
    view.backend.failNext('createOrder', new AppError('NETWORK_ERROR'))
    await act(async () => { await view.stores.payment.getState().checkout(input) })
    expect(el('result-reason').textContent).toBe('网络连接失败，请检查网络后重试')
    fireEvent.click(el('retry-button'))
    await screen.findByText('确认支付')
    fireEvent.click(el('sheet-confirm'))
    await waitFor(() => expect(el('result-title').textContent).toBe('支付成功'))
    expect(await view.backend.listOrders()).toHaveLength(1)
  })

  test('pending: explains, 查询结果 asks the server again, link to orders', async () => {
    let last: Payment | null = null
    const saysOkButNothingMoved: PaymentDriver = async (payment) => { last = payment; return 'ok' }
    const view = renderPage(<ResultPage />, { pay: saysOkButNothingMoved })
    await act(async () => { await view.stores.payment.getState().checkout(input) })
    expect(el('result-title').textContent).toBe('支付结果确认中')
    expect(el('result-reason').textContent).toContain('请不要重复支付')
    expect(document.getElementById('retry-button')).toBeNull()

    await act(async () => { fireEvent.click(el('confirm-button')); await flush() })
    expect(el('result-title').textContent).toBe('支付结果确认中')

    view.backend.completePayment(last!, 'success')
    fireEvent.click(el('confirm-button'))
    await waitFor(() => expect(el('result-title').textContent).toBe('支付成功'))

    fireEvent.click(el('orders-link'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/orders/index' })
  })

  test('opened with nothing in flight: says so', () => {
    renderPage(<ResultPage />)
    expect(el('result-title').textContent).toBe('没有进行中的支付')
  })
})
