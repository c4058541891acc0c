import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import CheckoutPage from '@/pages/checkout'
import { deferred } from './support/fakes'
import { renderPage } from './support/render-page'
import { submitMicro } from './support/onboarding-fixtures'
import { router } from './support/taro-mock'
import type { PayOutcome } from '@/services/types'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const el = (id: string) => document.getElementById(id) as HTMLInputElement & HTMLButtonElement
const type = (id: string, value: string) => fireEvent.change(el(id), { target: { value } })
const blur = (id: string) => fireEvent.blur(el(id))

beforeEach(() => {
  jest.clearAllMocks()
  router.params = {}
})

describe('checkout page', () => {
  test('the amount field is a digit keyboard with a ¥ prefix; the pay button starts disabled', () => {
    renderPage(<CheckoutPage />)
    expect(el('amount-input').dataset.type).toBe('digit')
    expect(screen.getByText('¥')).toBeTruthy()
    expect(el('pay-button').disabled).toBe(true)
    expect(el('pay-button').textContent).toBe('立即支付')
  })

  test('a valid amount and description enable the button, which shows the amount', () => {
    renderPage(<CheckoutPage />)
    type('amount-input', '12.30')
    type('description-input', '拿铁咖啡')
    expect(el('pay-button').disabled).toBe(false)
    expect(el('pay-button').textContent).toBe('立即支付 ¥12.30')
    expect(el('description-counter').textContent).toBe('4/127')
  })

  test('no message before the field was touched', () => {
    renderPage(<CheckoutPage />)
    type('amount-input', 'abc')
    expect(document.getElementById('amount-error')).toBeNull()
    blur('amount-input')
    expect(el('amount-error').textContent).toBe('请输入正确的金额，例如 12.30')
  })

  test.each([
    ['', '请输入金额'],
    ['0', '金额必须大于 0'],
    ['1.005', '金额最多保留两位小数'],
    ['12.', '请输入正确的金额，例如 12.30'],
    ['50000.01', '单笔金额不能超过 ¥50,000.00'],
  ])('amount %j → %s, button disabled', (value, message) => {
    renderPage(<CheckoutPage />)
    type('description-input', '拿铁咖啡')
    type('amount-input', value)
    blur('amount-input')
    expect(el('amount-error').textContent).toBe(message)
    expect(el('pay-button').disabled).toBe(true)
  })

  test('description: empty and too long get messages; the counter turns red over 127', () => {
    renderPage(<CheckoutPage />)
    type('amount-input', '1')
    blur('description-input')
    expect(el('description-error').textContent).toBe('请输入商品描述')
    type('description-input', '咖'.repeat(128))
    expect(el('description-error').textContent).toBe('商品描述最多 127 个字')
    expect(el('description-counter').textContent).toBe('128/127')
    expect(el('description-counter').className).toContain('field__counter--over')
    expect(el('pay-button').disabled).toBe(true)
    type('description-input', '咖'.repeat(127))
    expect(document.getElementById('description-error')).toBeNull()
    expect(el('pay-button').disabled).toBe(false)
  })

  test('shows progress while paying, disables the form, then opens the result page', async () => {
    const sheet = deferred<PayOutcome>()
    const { stores } = renderPage(<CheckoutPage />, { pay: () => sheet.promise })
    type('amount-input', '8.8')
    type('description-input', '美式')
    fireEvent.click(el('pay-button'))
    await waitFor(() => expect(el('pay-button').textContent).toBe('等待支付…'))
    expect(el('pay-button').disabled).toBe(true)
    expect(el('amount-input').disabled).toBe(true)
    expect(Taro.reLaunch).not.toHaveBeenCalled()
    await act(async () => sheet.resolve('cancel'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/result/index' }))
    expect(stores.payment.getState().phase).toBe('cancelled')
  })

  test('shows 正在创建订单… and 正在确认… in their phases', async () => {
    const { stores } = renderPage(<CheckoutPage />)
    act(() => stores.payment.setState({ phase: 'creating' }))
    expect(el('pay-button').textContent).toBe('正在创建订单…')
    act(() => stores.payment.setState({ phase: 'confirming' }))
    expect(el('pay-button').textContent).toBe('正在确认…')
  })

  test('pays through the simulated sheet: 确认支付 → paid order → result page', async () => {
    const { backend } = renderPage(<CheckoutPage />)
    type('amount-input', '12.30')
    type('description-input', '拿铁咖啡')
    fireEvent.click(el('pay-button'))
    const confirm = await screen.findByText('确认支付')
    expect(confirm.id).toBe('sheet-confirm')
    expect(screen.getByText('¥12.30', { selector: '.pay-sheet__amount' })).toBeTruthy()
    fireEvent.click(confirm)
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/result/index' }))
    const orders = await backend.listOrders()
    expect(orders).toHaveLength(1)
    expect(orders[0]).toMatchObject({ amount: 1230, description: '拿铁咖啡', status: 'paid' })
    expect(document.getElementById('sheet-confirm')).toBeNull()
  })

  test('a double tap makes one order', async () => {
    const { backend } = renderPage(<CheckoutPage />)
    type('amount-input', '1')
    type('description-input', 'x')
    fireEvent.click(el('pay-button'))
    fireEvent.click(el('pay-button'))
    await screen.findByText('确认支付')
    fireEvent.click(el('pay-button'))
    fireEvent.click(el('sheet-cancel'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    expect(await backend.listOrders()).toHaveLength(1)
  })

  test('我的订单 opens the orders page', () => {
    renderPage(<CheckoutPage />)
    fireEvent.click(el('orders-link'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/orders/index' })
  })

  test('商户入驻 opens the applications page', () => {
    renderPage(<CheckoutPage />)
    fireEvent.click(el('onboarding-link'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/applications/index' })
  })

  test('opened by a shop\'s QR code (?shopId=), it shows the shop\'s name and orders for that shop', async () => {
    const env = renderPage(<></>)
    env.unmount()
    const application = await submitMicro(env.stores.onboarding, env.backend)
    await env.backend.advanceApplication(application.applicationNo, 'finished')
    const { shopId } = await env.backend.getApplication(application.applicationNo)
    router.params = { shopId: shopId! }
    const { backend } = renderPage(<CheckoutPage />, { backend: env.backend, pay: async () => 'cancel' })
    await waitFor(() => expect(el('shop-name').textContent).toBe('张三小吃店'))
    type('amount-input', '5')
    type('description-input', '小吃')
    fireEvent.click(el('pay-button'))
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalled())
    expect(backend.calls.createOrder[0][0]).toMatchObject({ amount: 500, shopId })
    expect(await backend.listOrders()).toEqual([expect.objectContaining({ amount: 500, shopId })])
  })

  test('an unknown shop is named as such and nothing can be paid', async () => {
    router.params = { shopId: 'S404' }
    renderPage(<CheckoutPage />)
    await waitFor(() => expect(el('shop-error').textContent).toBe('店铺不存在或尚未开通收款'))
    type('amount-input', '5')
    type('description-input', '小吃')
    expect(el('pay-button').disabled).toBe(true)
  })
})
