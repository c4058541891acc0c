import { createEmulatorPaymentDriver } from '@/services/emulator-driver'
import { outcomeFromErrMsg } from '@/services/pay-outcome'
import { createPaySheetStore } from '@/services/pay-sheet-store'
import { createSimulatedPaymentDriver } from '@/services/simulated-driver'
import { createWechatPaymentDriver } from '@/services/wechat-driver'
import type { HttpRequest, Payment } from '@/services/types'
import { flush, instantBackend } from './support/fakes'

jest.mock('@tarojs/taro', () => ({ __esModule: true, default: { requestPayment: jest.fn() } }))

const payment: Payment = { timeStamp: '1795395600', nonceStr: 'a'.repeat(32), package: 'prepay_id=wx123', signType: 'RSA', paySign: 'sig' }

describe('errMsg → outcome', () => {
  test.each([
    ['requestPayment:ok', 'ok'],
    ['requestPayment:fail cancel', 'cancel'],
    ['requestPayment:fail:cancel', 'cancel'],
    ['requestPayment:fail invalid paySign', { fail: 'invalid paySign' }],
    ['暂时不支持 API', { fail: '未知的支付结果（暂时不支持 API）' }],
    [undefined, { fail: '未知的支付结果' }],
    ['requestPayment:okay', { fail: '未知的支付结果（requestPayment:okay）' }],
  ])('%j → %j', (errMsg, outcome) => {
    expect(outcomeFromErrMsg(errMsg)).toEqual(outcome)
  })
})

describe('wechat driver', () => {
  test('passes exactly the five payment fields and maps ok', async () => {
    const requestPayment = jest.fn(async () => ({ errMsg: 'requestPayment:ok' }))
    const pay = createWechatPaymentDriver({ requestPayment, platform: 'weapp' })
    await expect(pay({ ...payment, extra: 1 } as Payment)).resolves.toBe('ok')
    expect(requestPayment).toHaveBeenCalledWith(payment)
  })

  test('a rejected cancel is a cancel, other rejections are failures', async () => {
    const cancel = createWechatPaymentDriver({ platform: 'weapp', requestPayment: async () => { throw { errMsg: 'requestPayment:fail cancel' } } })
    await expect(cancel(payment)).resolves.toBe('cancel')
    const fail = createWechatPaymentDriver({ platform: 'weapp', requestPayment: async () => { throw { errMsg: 'requestPayment:fail no permission' } } })
    await expect(fail(payment)).resolves.toEqual({ fail: 'no permission' })
  })

  test('Taro H5 fake success ("暂时不支持 API") is not a payment', async () => {
    const pay = createWechatPaymentDriver({ platform: 'weapp', requestPayment: async () => ({ errMsg: '暂时不支持 API' }) })
    expect(await pay(payment)).not.toBe('ok')
  })

  test('on H5 it fails clearly without calling requestPayment', async () => {
    const requestPayment = jest.fn()
    const pay = createWechatPaymentDriver({ requestPayment, platform: 'h5' })
    await expect(pay(payment)).resolves.toEqual({ fail: '当前环境不支持微信支付，请在微信中打开' })
    expect(requestPayment).not.toHaveBeenCalled()
  })

  test.each([
    ['success', { errMsg: 'requestPayment:ok' }, 'ok'],
    ['fail', { errMsg: 'requestPayment:fail cancel' }, 'cancel'],
  ] as const)('defaults to Taro.requestPayment with callbacks (%s), which every base library honours', async (callback, res, outcome) => {
    const Taro = jest.requireMock('@tarojs/taro').default
    // An old client returns undefined instead of a Promise: only the callback carries the outcome.
    Taro.requestPayment.mockReset().mockImplementation((opts: Record<string, (r: unknown) => void>) => {
      setTimeout(() => opts[callback](res), 0)
      return undefined
    })
    await expect(createWechatPaymentDriver({ platform: 'weapp' })(payment)).resolves.toBe(outcome)
    expect(Taro.requestPayment).toHaveBeenCalledWith(expect.objectContaining(payment))
    const sent = Taro.requestPayment.mock.calls[0][0]
    expect(Object.keys(sent).filter((k) => typeof sent[k] !== 'function').sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp'])
  })
})

describe('simulated driver + pay sheet', () => {
  test('the sheet waits for the user; 确认支付 marks the order paid in the mock backend', async () => {
    const backend = instantBackend()
    const sheet = createPaySheetStore()
    const pay = createSimulatedPaymentDriver({ sheet, complete: backend.completePayment })
    const created = await backend.createOrder({ amount: 100, description: '测试', requestId: 'req-sim-0001' })
    const result = pay(created.payment!)
    await flush()
    expect(sheet.getState().payment).toEqual(created.payment)
    sheet.getState().answer('success')
    await expect(result).resolves.toBe('ok')
    expect(sheet.getState().payment).toBeNull()
    expect((await backend.getOrder(created.order.orderNo)).status).toBe('paid')
  })

  test('取消 and 模拟失败 leave the order unpaid', async () => {
    const backend = instantBackend()
    const sheet = createPaySheetStore()
    const pay = createSimulatedPaymentDriver({ sheet, complete: backend.completePayment })
    const { order, payment: p } = await backend.createOrder({ amount: 100, description: '测试', requestId: 'req-sim-0002' })
    const cancelled = pay(p!)
    sheet.getState().answer('cancel')
    await expect(cancelled).resolves.toBe('cancel')
    const failed = pay(p!)
    sheet.getState().answer('fail')
    await expect(failed).resolves.toEqual({ fail: '模拟的支付失败' })
    expect((await backend.getOrder(order.orderNo)).status).toBe('unpaid')
  })
})

describe('emulator driver', () => {
  function setup(answer: { statusCode: number; data: unknown } | Error) {
    const calls: Parameters<HttpRequest>[0][] = []
    const request: HttpRequest = async (o) => { calls.push(o); if (answer instanceof Error) throw answer; return answer }
    const sheet = createPaySheetStore()
    const pay = createEmulatorPaymentDriver({ sheet, request, emulatorUrl: 'http://127.0.0.1:3100/', appId: 'wx0000000000000001' })
    return { pay, sheet, calls }
  }

  test('posts the payment + appId + the sheet answer to /__emulator/pay and maps errMsg', async () => {
    const { pay, sheet, calls } = setup({ statusCode: 200, data: { errMsg: 'requestPayment:ok' } })
    const result = pay(payment)
    await flush()
    expect(calls).toHaveLength(0)
    sheet.getState().answer('success')
    await expect(result).resolves.toBe('ok')
    expect(calls[0]).toMatchObject({ url: 'http://127.0.0.1:3100/__emulator/pay', method: 'POST', data: { ...payment, appId: 'wx0000000000000001', outcome: 'success' } })
  })

  test.each([
    [{ statusCode: 200, data: { errMsg: 'requestPayment:fail cancel' } }, 'cancel', 'cancel'],
    [{ statusCode: 200, data: { errMsg: 'requestPayment:fail invalid paySign' } }, 'success', { fail: 'invalid paySign' }],
    [{ statusCode: 500, data: null }, 'success', { fail: '支付模拟器返回异常（HTTP 500）' }],
  ] as const)('%j', async (answer, button, outcome) => {
    const { pay, sheet } = setup(answer)
    const result = pay(payment)
    sheet.getState().answer(button)
    await expect(result).resolves.toEqual(outcome)
  })

  test('an unreachable emulator is a clear failure', async () => {
    const { pay, sheet } = setup(Object.assign(new Error('x'), { errMsg: 'request:fail net::ERR_CONNECTION_REFUSED' }))
    const result = pay(payment)
    sheet.getState().answer('success')
    await expect(result).resolves.toEqual({ fail: '无法连接支付模拟器（request:fail net::ERR_CONNECTION_REFUSED）' })
  })
})
