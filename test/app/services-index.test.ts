// The composition root: which implementations each build-time setting selects.
import type { Services } from '@/services'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const KEYS = ['TARO_APP_API_BASE', 'TARO_APP_PAY_MODE', 'TARO_APP_EMULATOR_URL', 'TARO_APP_APPID'] as const
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
afterEach(() => { for (const k of KEYS) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k] } })

/** Builds the services with `env`, in a fresh module registry; returns them with the mocked Taro. */
function servicesWith(env: Partial<Record<(typeof KEYS)[number], string>>) {
  for (const k of KEYS) delete process.env[k]
  Object.assign(process.env, env)
  let services!: Services
  let taro!: Record<string, jest.Mock>
  jest.isolateModules(() => {
    taro = require('@tarojs/taro').default
    services = require('@/services').getServices()
  })
  return { services, taro }
}

describe('composition root (src/services/index.ts)', () => {
  test('nothing set: in-app mock backend + simulated pay sheet', () => {
    const { services } = servicesWith({})
    expect(services.payMode).toBe('simulated')
    expect(services.apiBase).toBeNull()
    expect(services.paySheet?.note).toBe('开发环境模拟支付，不会产生真实扣款')
    expect(typeof (services.backend as { completePayment?: unknown }).completePayment).toBe('function')
  })

  test('empty strings (the committed .env) mean the same defaults', () => {
    const { services } = servicesWith({ TARO_APP_API_BASE: '', TARO_APP_PAY_MODE: '' })
    expect(services.payMode).toBe('simulated')
  })

  test('an API base alone: HTTP backend + real requestPayment, no sheet', async () => {
    const { services, taro } = servicesWith({ TARO_APP_API_BASE: 'https://api.example.com/' })
    expect(services.payMode).toBe('wechat')
    expect(services.apiBase).toBe('https://api.example.com')
    expect(services.paySheet).toBeNull()
    taro.login.mockResolvedValue({ code: 'wx-code', errMsg: 'login:ok' })
    taro.request.mockImplementation(async ({ url }: { url: string }) =>
      url.endsWith('/api/session') ? { statusCode: 200, data: { token: 't', expiresIn: 7200 } } : { statusCode: 200, data: { orders: [] } })
    await expect(services.backend.listOrders()).resolves.toEqual([])
    expect(taro.request.mock.calls.map(([o]) => o.url)).toEqual(['https://api.example.com/api/session', 'https://api.example.com/api/orders'])
    expect(taro.request.mock.calls[0][0].data).toEqual({ code: 'wx-code' })
  })

  test('emulator mode logs in through the emulator with the appid of project.config.json', async () => {
    const { services, taro } = servicesWith({ TARO_APP_API_BASE: 'http://127.0.0.1:3000', TARO_APP_PAY_MODE: 'emulator' })
    expect(services.payMode).toBe('emulator')
    expect(services.paySheet).not.toBeNull()
    taro.request.mockImplementation(async ({ url }: { url: string }) => {
      if (url.endsWith('/__emulator/login')) return { statusCode: 200, data: { code: 'emu-code' } }
      if (url.endsWith('/api/session')) return { statusCode: 200, data: { token: 't', expiresIn: 7200 } }
      return { statusCode: 200, data: { orders: [] } }
    })
    await services.backend.listOrders()
    expect(taro.login).not.toHaveBeenCalled()
    const [login, session] = taro.request.mock.calls.map(([o]) => o)
    expect(login).toMatchObject({ url: 'http://127.0.0.1:3100/__emulator/login', method: 'POST', data: { appId: 'touristappid' } })
    expect(session).toMatchObject({ url: 'http://127.0.0.1:3000/api/session', data: { code: 'emu-code' } })
  })

  test('emulator URL and appid can be set', async () => {
    const { services, taro } = servicesWith({
      TARO_APP_API_BASE: 'http://127.0.0.1:3000', TARO_APP_PAY_MODE: 'emulator', TARO_APP_EMULATOR_URL: 'http://127.0.0.1:4999/', TARO_APP_APPID: 'wx1234567890abcdef',
    })
    taro.request.mockResolvedValue({ statusCode: 500, data: null })
    await expect(services.backend.listOrders()).rejects.toMatchObject({ code: 'LOGIN_FAILED' })
    expect(taro.request.mock.calls[0][0]).toMatchObject({ url: 'http://127.0.0.1:4999/__emulator/login', data: { appId: 'wx1234567890abcdef' } })
  })

  test('simulated sheet over a real backend is allowed (UI work against a dev backend)', () => {
    const { services } = servicesWith({ TARO_APP_API_BASE: 'http://127.0.0.1:3000', TARO_APP_PAY_MODE: 'simulated' })
    expect(services.payMode).toBe('simulated')
    expect(services.apiBase).toBe('http://127.0.0.1:3000')
  })

  test('an unknown pay mode stops the app with a clear error', () => {
    expect(() => servicesWith({ TARO_APP_PAY_MODE: 'alipay' })).toThrow('TARO_APP_PAY_MODE must be wechat, emulator or simulated, got "alipay"')
  })

  test('the mock backend brings the review simulator; a real backend does not', () => {
    expect(typeof servicesWith({}).services.reviewSimulator).toBe('function')
    expect(servicesWith({ TARO_APP_API_BASE: 'https://api.example.com' }).services.reviewSimulator).toBeNull()
  })

  test('photos: Taro.chooseMedia picks one compressed image (a cancel is null); Taro.uploadFile sends it as `file` with progress', async () => {
    const { services, taro } = servicesWith({ TARO_APP_API_BASE: 'https://api.example.com' })
    taro.chooseMedia.mockResolvedValueOnce({ tempFiles: [{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1234 }] })
    await expect(services.chooseImage()).resolves.toEqual({ path: 'wxfile://tmp/a.jpg', sizeBytes: 1234 })
    expect(taro.chooseMedia.mock.calls[0][0]).toMatchObject({ count: 1, mediaType: ['image'], sizeType: ['compressed'] })
    taro.chooseMedia.mockRejectedValueOnce({ errMsg: 'chooseMedia:fail cancel' })
    await expect(services.chooseImage()).resolves.toBeNull()
    taro.chooseMedia.mockRejectedValueOnce({ errMsg: 'chooseMedia:fail auth deny' })
    await expect(services.chooseImage()).rejects.toMatchObject({ message: '无法选择照片，请检查相册和相机权限' })

    taro.login.mockResolvedValue({ code: 'wx-code', errMsg: 'login:ok' })
    taro.request.mockResolvedValue({ statusCode: 200, data: { token: 't', expiresIn: 7200 } })
    taro.uploadFile.mockImplementation((options: { success: (r: unknown) => void }) => {
      const listeners: Array<(p: { progress: number }) => void> = []
      setTimeout(() => { listeners.forEach((l) => l({ progress: 70 })); options.success({ statusCode: 201, data: '{"mediaId":"m-1"}' }) }, 0)
      return { onProgressUpdate: (l: (p: { progress: number }) => void) => listeners.push(l) }
    })
    const progress: number[] = []
    await expect(services.backend.uploadMedia('wxfile://tmp/a.jpg', (p) => progress.push(p))).resolves.toBe('m-1')
    expect(taro.uploadFile.mock.calls[0][0]).toMatchObject({ url: 'https://api.example.com/api/media', filePath: 'wxfile://tmp/a.jpg', name: 'file', header: { Authorization: 'Bearer t' }, withCredentials: false })
    expect(progress).toEqual([70])
  })
})
