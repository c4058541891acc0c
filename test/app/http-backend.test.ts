import { AppError } from '@/lib/errors'
import { SESSION_STORAGE_KEY, createHttpBackend } from '@/services/http-backend'
import { createMemoryStorage, type HttpRequest, type HttpUpload } from '@/services/types'

type Call = Parameters<HttpRequest>[0]
type Answer = { statusCode: number; data: unknown } | Error | 'hang'

const order = {
  orderNo: 'M20261123090000123456', amount: 1230, currency: 'CNY', description: '拿铁', status: 'unpaid',
  createdAt: '2026-11-23T01:00:00.000Z', paidAt: null, transactionId: null, refundedAmount: 0,
}
const payment = { timeStamp: '1795395600', nonceStr: 'n'.repeat(32), package: 'prepay_id=wx1', signType: 'RSA', paySign: 's' }

/** A fake Taro.request answering by "METHOD path" from queues, recording every call. */
function fakeServer(routes: Record<string, Answer[]>) {
  const calls: Call[] = []
  const request: HttpRequest = (options) => {
    calls.push(options)
    const key = `${options.method} ${options.url.replace('https://api.test', '')}`
    const queue = routes[key]
    if (!queue?.length) return Promise.reject(new Error(`unexpected ${key}`))
    const answer = queue.length > 1 ? queue.shift()! : queue[0]
    if (answer === 'hang') return new Promise(() => {})
    if (answer instanceof Error) return Promise.reject(answer)
    return Promise.resolve(answer)
  }
  // Taro.uploadFile answers with the body as text; progress is reported halfway.
  const uploads: Array<Parameters<HttpUpload>[0]> = []
  const upload: HttpUpload = async (options) => {
    uploads.push(options)
    options.onProgress?.(50)
    const res = await request({ url: options.url, method: 'POST', header: options.header, timeout: options.timeout, data: { file: options.filePath } })
    return { statusCode: res.statusCode, data: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) }
  }
  return { request, upload, calls, uploads }
}

const session = (token: string) => ({ statusCode: 200, data: { token, expiresIn: 7200 } })

function setup(routes: Record<string, Answer[]>, { codes = ['code-1', 'code-2', 'code-3'], storage = createMemoryStorage() } = {}) {
  const server = fakeServer(routes)
  const login = jest.fn(async () => {
    const code = codes.shift()
    if (!code) throw new Error('no more codes')
    return code
  })
  const backend = createHttpBackend({ baseUrl: 'https://api.test/', request: server.request, upload: server.upload, login, storage, timeoutMs: 5000, now: () => 1_800_000_000_000 })
  return { backend, login, storage, calls: server.calls, uploads: server.uploads }
}

describe('HTTP backend', () => {
  afterEach(() => jest.useRealTimers())

  test('logs in lazily, keeps the token and sends it as Bearer', async () => {
    const { backend, login, calls, storage } = setup({
      'POST /api/session': [session('tok-1')],
      'POST /api/orders': [{ statusCode: 201, data: { order, payment } }],
      'GET /api/orders': [{ statusCode: 200, data: { orders: [order] } }],
    })
    const created = await backend.createOrder({ amount: 1230, description: '拿铁', requestId: 'req-00000001' })
    expect(created).toEqual({ order, payment })
    await backend.listOrders()
    expect(login).toHaveBeenCalledTimes(1)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://api.test/api/session', 'POST https://api.test/api/orders', 'GET https://api.test/api/orders',
    ])
    expect(calls[0].data).toEqual({ code: 'code-1' })
    expect(calls[0].header.Authorization).toBeUndefined()
    expect(calls[1].data).toEqual({ amount: 1230, description: '拿铁', requestId: 'req-00000001' })
    expect(calls[1].header.Authorization).toBe('Bearer tok-1')
    expect(calls[2].header.Authorization).toBe('Bearer tok-1')
    expect(JSON.parse(storage.get(SESSION_STORAGE_KEY)!)).toMatchObject({ token: 'tok-1' })
  })

  test('a stored session is reused across instances (no login)', async () => {
    const storage = createMemoryStorage({ [SESSION_STORAGE_KEY]: JSON.stringify({ token: 'kept', expiresAt: 1_800_000_000_000 + 3_600_000 }) })
    const { backend, login, calls } = setup({ 'GET /api/orders/M1': [{ statusCode: 200, data: { order } }] }, { storage })
    await backend.getOrder('M1')
    expect(login).not.toHaveBeenCalled()
    expect(calls[0].header.Authorization).toBe('Bearer kept')
  })

  test('an expired stored session logs in again', async () => {
    const storage = createMemoryStorage({ [SESSION_STORAGE_KEY]: JSON.stringify({ token: 'old', expiresAt: 1_800_000_000_000 - 1 }) })
    const { backend, login } = setup({ 'POST /api/session': [session('new')], 'GET /api/orders': [{ statusCode: 200, data: { orders: [] } }] }, { storage })
    await backend.listOrders()
    expect(login).toHaveBeenCalledTimes(1)
  })

  test('401 → logs in again exactly once and repeats the call', async () => {
    const { backend, login, calls } = setup({
      'POST /api/session': [session('tok-1'), session('tok-2')],
      'GET /api/orders/M1': [
        { statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: 'token expired' } } },
        { statusCode: 200, data: { order } },
      ],
    })
    await expect(backend.getOrder('M1')).resolves.toEqual(order)
    expect(login).toHaveBeenCalledTimes(2)
    const authHeaders = calls.filter((c) => c.url.endsWith('/M1')).map((c) => c.header.Authorization)
    expect(authHeaders).toEqual(['Bearer tok-1', 'Bearer tok-2'])
  })

  test('401 twice → UNAUTHENTICATED, no third login', async () => {
    const unauth = { statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: 'no' } } }
    const { backend, login } = setup({ 'POST /api/session': [session('a'), session('b')], 'GET /api/orders': [unauth] })
    await expect(backend.listOrders()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: '登录已失效，请重新进入小程序' })
    expect(login).toHaveBeenCalledTimes(2)
  })

  test('a rejected login code is UNAUTHENTICATED; a failing wx.login is LOGIN_FAILED', async () => {
    const bad = setup({ 'POST /api/session': [{ statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: 'invalid code' } } }] })
    await expect(bad.backend.createSession()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    const noCode = setup({}, { codes: [] })
    await expect(noCode.backend.listOrders()).rejects.toMatchObject({ code: 'LOGIN_FAILED', message: '登录失败，请稍后重试' })
  })

  test('concurrent calls share one login', async () => {
    const { backend, login } = setup({ 'POST /api/session': [session('t')], 'GET /api/orders': [{ statusCode: 200, data: { orders: [] } }] })
    await Promise.all([backend.listOrders(), backend.listOrders(), backend.listOrders()])
    expect(login).toHaveBeenCalledTimes(1)
  })

  test.each([
    [400, { error: { code: 'INVALID_AMOUNT', message: 'amount must be ≥ 1' } }, 'INVALID_AMOUNT', '金额不正确，请重新输入'],
    [400, { error: { code: 'INVALID_DESCRIPTION', message: 'too long' } }, 'INVALID_DESCRIPTION', '商品描述不正确，请修改后重试'],
    [409, { error: { code: 'ORDER_NOT_PAYABLE', message: 'paid' } }, 'ORDER_NOT_PAYABLE', '该订单已无法支付'],
    [429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, 'RATE_LIMITED', '操作太频繁，请稍后再试'],
    [502, { error: { code: 'UPSTREAM_ERROR', message: 'SYSTEM_ERROR' } }, 'UPSTREAM_ERROR', '微信支付暂时不可用，请稍后重试'],
    [500, 'Internal Server Error', 'SERVER_ERROR', '服务器开小差了，请稍后重试'],
    [503, null, 'SERVER_ERROR', '服务器开小差了，请稍后重试'],
    [404, { error: { code: 'SOMETHING_NEW', message: '?' } }, 'ORDER_NOT_FOUND', '订单不存在'],
  ])('HTTP %d %j → %s', async (statusCode, data, code, message) => {
    const { backend } = setup({ 'POST /api/session': [session('t')], 'POST /api/orders': [{ statusCode, data }] })
    const error = await backend.createOrder({ amount: 1, description: 'x', requestId: 'req-00000001' }).catch((e) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ code, message })
  })

  test('the server message is kept as detail, not shown', async () => {
    const { backend } = setup({ 'POST /api/session': [session('t')], 'POST /api/orders/M1/payment': [{ statusCode: 409, data: { error: { code: 'ORDER_NOT_PAYABLE', message: 'order is paid' } } }] })
    const error = await backend.renewPayment('M1').catch((e) => e)
    expect(error.detail).toBe('HTTP 409: order is paid')
  })

  test('renewPayment POSTs to /api/orders/:orderNo/payment with a JSON body', async () => {
    const { backend, calls } = setup({ 'POST /api/session': [session('t')], 'POST /api/orders/M%2F1/payment': [{ statusCode: 200, data: { payment } }] })
    await expect(backend.renewPayment('M/1')).resolves.toEqual(payment)
    expect(calls[1]).toMatchObject({ method: 'POST', data: {} })
  })

  test('network failure → NETWORK_ERROR; platform timeout → TIMEOUT', async () => {
    const net = setup({ 'POST /api/session': [session('t')], 'GET /api/orders': [Object.assign(new Error('x'), { errMsg: 'request:fail net::ERR_CONNECTION_REFUSED' })] })
    await expect(net.backend.listOrders()).rejects.toMatchObject({ code: 'NETWORK_ERROR', message: '网络连接失败，请检查网络后重试' })
    const slow = setup({ 'POST /api/session': [session('t')], 'GET /api/orders': [Object.assign(new Error('x'), { errMsg: 'request:fail timeout' })] })
    await expect(slow.backend.listOrders()).rejects.toMatchObject({ code: 'TIMEOUT', message: '请求超时，请稍后重试' })
  })

  test('a request that never answers ends in TIMEOUT after timeoutMs', async () => {
    jest.useFakeTimers()
    const { backend, calls } = setup({ 'POST /api/session': [session('t')], 'GET /api/orders/M1': ['hang'] })
    const result = backend.getOrder('M1').catch((e) => e)
    await jest.advanceTimersByTimeAsync(4999)
    expect(calls).toHaveLength(2)
    await jest.advanceTimersByTimeAsync(1)
    const error = await result
    expect(error).toMatchObject({ code: 'TIMEOUT' })
    expect(calls[1].timeout).toBe(5000)
  })

  test('malformed answers are BAD_RESPONSE, not crashes', async () => {
    const { backend } = setup({
      'POST /api/session': [session('t')],
      'GET /api/orders/M1': [{ statusCode: 200, data: { order: { id: 1 } } }],
      'GET /api/orders': [{ statusCode: 200, data: '<html>' }],
    })
    await expect(backend.getOrder('M1')).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
    await expect(backend.listOrders()).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
  })

  describe('onboarding and shops (platform.md)', () => {
    const application = {
      applicationNo: 'A2026120112345678', organizationType: '2401', merchantShortname: '张三小吃', state: 'submitting', stateText: '提交中',
      createdAt: '2026-12-01T01:00:00.000Z', updatedAt: '2026-12-01T01:00:00.000Z',
      masked: { idCardName: '张*', idCardNumber: '1101**********002X', accountNumber: '****6789', mobile: '138****5678' },
    }
    const body = { requestId: 'req-onboard-1', organizationType: '2401' } as never

    test('uploadMedia sends the file as the multipart `file` part with the session, reports progress, answers the mediaId', async () => {
      const { backend, uploads } = setup({ 'POST /api/session': [session('tok-1')], 'POST /api/media': [{ statusCode: 201, data: { mediaId: 'media-1' } }] })
      const progress: number[] = []
      await expect(backend.uploadMedia('wxfile://tmp/a.jpg', (p) => progress.push(p))).resolves.toBe('media-1')
      expect(uploads[0]).toMatchObject({ url: 'https://api.test/api/media', filePath: 'wxfile://tmp/a.jpg', name: 'file', header: { Authorization: 'Bearer tok-1' } })
      expect(progress).toEqual([50])
    })

    test.each([
      [400, 'INVALID_IMAGE', '请上传 JPG、PNG 或 BMP 格式的图片'],
      [413, 'IMAGE_TOO_LARGE', '图片太大，请压缩后重新上传'],
    ])('an upload refused with %i %s says so in Chinese', async (statusCode, code, message) => {
      const { backend } = setup({ 'POST /api/session': [session('t')], 'POST /api/media': [{ statusCode, data: { error: { code, message: 'x' } } }] })
      await expect(backend.uploadMedia('wxfile://tmp/a.txt')).rejects.toMatchObject({ code, message })
    })

    test('an upload answer that is not JSON is BAD_RESPONSE; a 413 from a proxy (HTML body) is still IMAGE_TOO_LARGE', async () => {
      const { backend } = setup({ 'POST /api/session': [session('t')], 'POST /api/media': [{ statusCode: 201, data: '<html>' }, { statusCode: 413, data: '<html>413</html>' }] })
      await expect(backend.uploadMedia('a.jpg')).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
      await expect(backend.uploadMedia('a.jpg')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', message: '图片太大，请压缩后重新上传' })
    })

    test('400 INVALID_APPLICATION keeps every field problem', async () => {
      const details = [{ field: 'idCard.number', message: '身份证号校验位不正确，请核对' }, { field: 'contact.mobile', message: '请输入 11 位手机号' }, { bogus: 1 }]
      const { backend } = setup({
        'POST /api/session': [session('t')],
        'POST /api/applications': [{ statusCode: 400, data: { error: { code: 'INVALID_APPLICATION', message: '2 fields', details } } }],
      })
      const error = await backend.createApplication(body).catch((e: AppError) => e)
      expect(error).toMatchObject({ code: 'INVALID_APPLICATION', message: '申请资料有误，请按提示修改', fields: details.slice(0, 2) })
    })

    test('create, list, read and resubmit call the contract paths and check the answers', async () => {
      const { backend, calls } = setup({
        'POST /api/session': [session('t')],
        'POST /api/applications': [{ statusCode: 201, data: { application } }],
        'GET /api/applications': [{ statusCode: 200, data: { applications: [application] } }],
        'GET /api/applications/A2026120112345678': [{ statusCode: 200, data: { application } }],
        'PUT /api/applications/A2026120112345678': [{ statusCode: 409, data: { error: { code: 'APPLICATION_NOT_EDITABLE', message: 'auditing' } } }],
        'GET /api/shops/S1': [{ statusCode: 200, data: { shop: { shopId: 'S1', name: '张三小吃店' } } }],
        'GET /api/shops/S2': [{ statusCode: 404, data: { error: { code: 'SHOP_NOT_FOUND', message: 'S2' } } }],
      })
      await expect(backend.createApplication(body)).resolves.toEqual(application)
      await expect(backend.listApplications()).resolves.toEqual([application])
      await expect(backend.getApplication('A2026120112345678')).resolves.toEqual(application)
      await expect(backend.resubmitApplication('A2026120112345678', body)).rejects.toMatchObject({ code: 'APPLICATION_NOT_EDITABLE', message: '该申请当前不可修改' })
      await expect(backend.getShop('S1')).resolves.toEqual({ shopId: 'S1', name: '张三小吃店' })
      await expect(backend.getShop('S2')).rejects.toMatchObject({ code: 'SHOP_NOT_FOUND', message: '店铺不存在或尚未开通收款' })
      expect(calls.find((c) => c.method === 'PUT')?.data).toEqual(body)
    })

    test('an application without its masked data is BAD_RESPONSE', async () => {
      const { masked: _masked, ...bare } = application
      const { backend } = setup({ 'POST /api/session': [session('t')], 'GET /api/applications/A1': [{ statusCode: 200, data: { application: bare } }] })
      await expect(backend.getApplication('A1')).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
    })
  })
})
