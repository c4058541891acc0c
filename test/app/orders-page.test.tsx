import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { AppError } from '@/lib/errors'
import OrdersPage from '@/pages/orders'
import { renderPage } from './support/render-page'
import { flush, instantBackend } from './support/fakes'
import { lifecycle } from './support/taro-mock'
import CheckoutPage from '@/pages/checkout'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const items = () => Array.from(document.querySelectorAll('.order-item')) as HTMLElement[]

beforeEach(() => jest.clearAllMocks())

/** Renders the page and lets its first load (on show) finish. */
async function renderOrders() {
  const view = renderPage(<OrdersPage />)
  await act(async () => { await flush() })
  return view
}

/** Seeds the page's backend with orders: the first created is paid, the second left unpaid. */
async function seed(backend: ReturnType<typeof instantBackend>) {
  const first = await backend.createOrder({ amount: 100, description: '第一单', requestId: 'req-seed-0001' })
  backend.completePayment(first.payment!, 'success')
  const second = await backend.createOrder({ amount: 2550, description: '第二单', requestId: 'req-seed-0002' })
  return { paid: first.order, unpaid: second.order }
}

describe('orders page', () => {
  test('empty state: 还没有订单', async () => {
    await renderOrders()
    await screen.findByText('还没有订单')
    expect(items()).toHaveLength(0)
  })

  test('lists orders newest first with status badges', async () => {
    const view = await renderOrders()
    await seed(view.backend)
    await act(async () => { await view.stores.orders.getState().load() })
    expect(items().map((i) => i.querySelector('.order-item__description')?.textContent)).toEqual(['第二单', '第一单'])
    expect(items().map((i) => i.querySelector('.status-badge')?.textContent)).toEqual(['待支付', '已支付'])
    expect(items()[0].textContent).toContain('¥25.50')
    expect(items()[0].textContent).toContain('点击继续支付')
  })

  test('shows every status label', async () => {
    const view = await renderOrders()
    const statuses = ['unpaid', 'paid', 'closed', 'refunded', 'failed'] as const
    act(() => view.stores.orders.setState({
      status: 'ready',
      orders: statuses.map((status, i) => ({
        orderNo: `M${i}`, amount: 100, currency: 'CNY' as const, description: status, status,
        createdAt: `2026-11-2${i}T00:00:00.000Z`, paidAt: null, transactionId: null, refundedAmount: 0,
      })),
    }))
    expect(items().map((i) => i.querySelector('.status-badge')?.textContent)).toEqual(['待支付', '已支付', '已关闭', '已退款', '支付失败'])
  })

  test('loading, then an error with 重新加载', async () => {
    const view = await renderOrders()
    await screen.findByText('还没有订单')
    view.backend.failNext('listOrders', new AppError('NETWORK_ERROR'))
    let loading: Promise<void> = Promise.resolve()
    act(() => { loading = view.stores.orders.getState().load() })
    expect(screen.getByText('加载中…')).toBeTruthy()
    await act(async () => { await loading })
    expect(screen.getByText('网络连接失败，请检查网络后重试')).toBeTruthy()
    await seed(view.backend)
    await act(async () => { fireEvent.click(screen.getByText('重新加载')); await flush() })
    await waitFor(() => expect(items()).toHaveLength(2))
    expect(screen.queryByText('网络连接失败，请检查网络后重试')).toBeNull()
  })

  test('pull-down refresh reloads and stops the refresh animation', async () => {
    const view = await renderOrders()
    await screen.findByText('还没有订单')
    await seed(view.backend)
    await act(async () => { lifecycle.fire('pullDownRefresh'); await flush() })
    await waitFor(() => expect(items()).toHaveLength(2))
    await waitFor(() => expect(Taro.stopPullDownRefresh).toHaveBeenCalled())
  })

  test('tapping an unpaid order pays that same order, then opens the result page', async () => {
    const view = await renderOrders()
    const { unpaid } = await seed(view.backend)
    await act(async () => { await view.stores.orders.getState().load() })
    fireEvent.click(items()[0])
    await screen.findByText('确认支付')
    expect(document.getElementById('orders-progress')?.textContent).toBe('等待支付…')
    fireEvent.click(document.getElementById('sheet-confirm')!)
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/result/index' }))
    expect(view.backend.calls.renewPayment).toEqual([[unpaid.orderNo]])
    expect((await view.backend.getOrder(unpaid.orderNo)).status).toBe('paid')
    expect(await view.backend.listOrders()).toHaveLength(2)
  })

  test('tapping a paid order does nothing', async () => {
    const view = await renderOrders()
    await seed(view.backend)
    await act(async () => { await view.stores.orders.getState().load() })
    fireEvent.click(items()[1])
    expect(document.getElementById('sheet-confirm')).toBeNull()
    expect(view.backend.calls.renewPayment).toBeUndefined()
  })

  test('with several pages mounted (H5 keeps the stack in the DOM) only the paying page shows the sheet', async () => {
    const view = renderPage(<><CheckoutPage /><OrdersPage /></>)
    await act(async () => { await flush() })
    await seed(view.backend)
    await act(async () => { await view.stores.orders.getState().load() })
    fireEvent.click(items()[0])
    await screen.findByText('确认支付')
    expect(document.querySelectorAll('#sheet-confirm')).toHaveLength(1)
    expect(document.querySelector('.orders #sheet-confirm')).toBeTruthy()
    fireEvent.click(document.getElementById('sheet-cancel')!)
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledTimes(1))
  })
})
