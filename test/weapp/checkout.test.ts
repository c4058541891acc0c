/** @jest-environment jsdom */
// The compiled mini-program (production-mode Taro weapp output with the in-app mock backend and
// the real `wechat` payment driver) rendered in miniprogram-simulate, its wxml compiled by the
// official wcc compiler. A user types into the compiled inputs and taps the compiled button; what
// reaches wx.requestPayment is what a phone's WeChat client would receive.
import { simSuite } from './support/sim-suite'
import { waitFor, type SimApp } from './support/weapp-sim'
import type { WxBehaviour } from './support/wx-stub'

const CHECKOUT = 'pages/checkout/index'
const RESULT = 'pages/result/index'

const sim = simSuite()

/** Launches the app on the checkout page and waits until its form is rendered. */
const openCheckout = (wx: Partial<WxBehaviour> = {}) => sim.open(CHECKOUT, wx, (app) => app.find('amount-input') && app.find('pay-button'), 'the checkout form to render')

/** Types an amount and a description, and waits for the pay button to enable. */
async function fill(page: SimApp, amount: string, description: string) {
  page.input('amount-input', amount)
  page.input('description-input', description)
  await waitFor(() => page.attr('pay-button', 'disabled') === false, 'the pay button to enable')
}

/** Waits until the result page is on top and shows a final title; returns that title. */
async function resultTitle(page: SimApp, timeoutMs?: number): Promise<string> {
  await waitFor(() => page.top().route === RESULT && /支付成功|已取消支付|支付失败|支付结果确认中/.test(page.text()), 'the result page', timeoutMs)
  return page.text()
}

/** The mock backend's orders, as the compiled app stored them with wx.setStorageSync. */
function storedOrders(page: SimApp): Array<{ amount: number; description: string; status: string; orderNo: string }> {
  return JSON.parse(String(page.wx.storage.get('wxpay.mock-backend.v1'))).orders
}

/** The options objects the compiled code passed to one wx API. */
const callsOf = (page: SimApp, api: string) => page.wx.calls.filter((c) => c.api === api).map((c) => c.options)

describe('compiled checkout page', () => {
  it('renders the form from the compiled wxml without errors', async () => {
    const page = await openCheckout()
    expect(page.text()).toContain('金额')
    expect(page.text()).toContain('商品描述')
    expect(page.attr('pay-button', 'disabled')).toBe(true)
    expect(page.errors).toEqual([])
  })

  it('shows validation messages for a zero amount and an empty description, and never pays', async () => {
    const page = await openCheckout()
    page.input('amount-input', '0')
    page.blur('amount-input')
    await waitFor(() => page.find('amount-error'), 'the amount message')
    expect(page.text()).toContain('金额必须大于 0')

    page.input('description-input', '   ')
    page.blur('description-input')
    await waitFor(() => page.find('description-error'), 'the description message')
    expect(page.text()).toContain('请输入商品描述')

    expect(page.attr('pay-button', 'disabled')).toBe(true)
    expect(page.tap('pay-button')).toBe(false)
    expect(callsOf(page, 'requestPayment')).toEqual([])
  })

  it('pays ¥12.30 with exactly the contract payment object', async () => {
    const page = await openCheckout({ paymentErrMsg: 'requestPayment:fail cancel' })
    await fill(page, '12.30', '拿铁咖啡 大杯')
    expect(page.text()).toContain('¥12.30')

    const before = Math.floor(Date.now() / 1000)
    expect(page.tap('pay-button')).toBe(true)
    const payment = await waitFor(() => callsOf(page, 'requestPayment')[0], 'wx.requestPayment')
    // A wechat build has no simulated sheet: the WeChat client's own sheet is the only one.
    expect(page.find('pay-sheet')).toBeUndefined()
    const after = Math.floor(Date.now() / 1000)

    // The five contract fields, plus the success/fail callbacks (which every base library honours).
    const fields = Object.keys(payment).filter((k) => typeof payment[k] !== 'function')
    expect(fields.sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp'])
    expect(typeof payment.success).toBe('function')
    expect(typeof payment.fail).toBe('function')
    expect(payment.timeStamp).toMatch(/^\d{10}$/)
    expect(Number(payment.timeStamp)).toBeGreaterThanOrEqual(before)
    expect(Number(payment.timeStamp)).toBeLessThanOrEqual(after)
    expect(payment.nonceStr).toMatch(/^[A-Za-z0-9]{16,32}$/)
    expect(payment.package).toMatch(/^prepay_id=wx[0-9A-Za-z]+$/)
    expect(payment.signType).toBe('RSA')
    expect(payment.paySign).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
    expect(Buffer.from(payment.paySign as string, 'base64')).toHaveLength(256)

    // The user closed WeChat's pay sheet: nothing is paid, the order is kept for a retry.
    expect(await resultTitle(page)).toContain('已取消支付')
    expect(page.text()).toContain('¥12.30')
    expect(callsOf(page, 'requestPayment')).toHaveLength(1)
    expect(storedOrders(page)).toEqual([expect.objectContaining({ amount: 1230, description: '拿铁咖啡 大杯', status: 'unpaid' })])
    // The in-app mock backend never touches the network.
    expect(callsOf(page, 'request')).toEqual([])
    expect(page.errors).toEqual([])
  })

  it('retries the same order from the result page with fresh payment parameters', async () => {
    const page = await openCheckout({ paymentErrMsg: 'requestPayment:fail cancel' })
    await fill(page, '3.5', '重试订单')
    page.tap('pay-button')
    expect(await resultTitle(page)).toContain('已取消支付')

    page.wx.settings.paymentErrMsg = 'requestPayment:fail 支付密码错误'
    expect(page.tap('retry-button')).toBe(true)
    await waitFor(() => page.text().includes('支付失败'), 'the failure to show')
    expect(page.text()).toContain('支付密码错误')

    const [first, second] = callsOf(page, 'requestPayment')
    expect(second).toBeDefined()
    expect(second.nonceStr).not.toBe(first.nonceStr)
    expect(storedOrders(page)).toHaveLength(1)
    expect(storedOrders(page)[0]).toMatchObject({ amount: 350, status: 'unpaid' })
  })

  it('lists the kept order on the orders page and pays it again from there', async () => {
    const page = await openCheckout({ paymentErrMsg: 'requestPayment:fail cancel' })
    await fill(page, '66', '订单页继续支付')
    page.tap('pay-button')
    expect(await resultTitle(page)).toContain('已取消支付')
    const [order] = storedOrders(page)

    expect(page.tap('orders-link')).toBe(true)
    await waitFor(() => page.top().route === 'pages/orders/index' && page.find(`order-${order.orderNo}`), 'the order in the orders page')
    expect(page.pages().map((p) => p.route)).toEqual([RESULT, 'pages/orders/index'])
    expect(page.text()).toContain('订单页继续支付')
    expect(page.text()).toContain('¥66.00')
    expect(page.text()).toContain('待支付')

    page.tap(`order-${order.orderNo}`)
    expect(await resultTitle(page)).toContain('已取消支付')
    // The result page replaced the whole stack (reLaunch); the same order was paid again.
    expect(page.pages().map((p) => p.route)).toEqual([RESULT])
    const payments = callsOf(page, 'requestPayment')
    expect(payments).toHaveLength(2)
    expect(payments[1].nonceStr).not.toBe(payments[0].nonceStr)
    expect(storedOrders(page).map((o) => o.orderNo)).toEqual([order.orderNo])
    expect(page.errors).toEqual([])
  })

  it('makes one order and one payment for a double tap', async () => {
    const page = await openCheckout()
    await fill(page, '8.00', '双击测试')
    expect(page.tap('pay-button')).toBe(true)
    page.tap('pay-button')
    expect(await resultTitle(page)).toContain('已取消支付')
    expect(callsOf(page, 'requestPayment')).toHaveLength(1)
    expect(storedOrders(page)).toEqual([expect.objectContaining({ amount: 800, description: '双击测试', status: 'unpaid' })])
  })

  it('does not take the client\'s word: requestPayment:ok that the server never confirms is not a success', async () => {
    const page = await openCheckout({ paymentErrMsg: 'requestPayment:ok' })
    await fill(page, '1', '未确认的支付')
    page.tap('pay-button')
    // The mock backend never hears from WeChat Pay, so its order stays unpaid: after the
    // confirmation attempts the app settles for "pending", never "succeeded".
    expect(await resultTitle(page, 15_000)).toContain('支付结果确认中')
    expect(page.text()).not.toContain('支付成功')
    expect(callsOf(page, 'requestPayment')).toHaveLength(1)
    expect(storedOrders(page).map((o) => o.status)).toEqual(['unpaid'])
  })
})
