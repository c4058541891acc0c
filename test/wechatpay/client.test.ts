import {
  loadPublicKey,
  paySignMessage,
  verifySignature,
  WechatPayClient,
  WechatPayError,
  type PlatformVerification,
} from '../../server/wechatpay'
import { fakeWechatPay, type FakeAnswer, type SeenRequest } from './support/fake-wechatpay'
import { certificatesBody, makePlatformCertificate } from './support/certificates'
import { apiV3Key, jsapiOrder, merchant, platform } from './support/keys'
import { rejectionOf } from '../support/rejection'

const NOW = 1_767_225_600_000 // 2026-01-01T00:00:00Z, fixed
const clock = () => NOW
const publicKeyMode: PlatformVerification = { mode: 'publicKey', publicKeyId: platform.publicKeyId, publicKey: platform.publicKey }

function clientFor(handle: (req: SeenRequest) => FakeAnswer | Promise<FakeAnswer>, extra: Partial<ConstructorParameters<typeof WechatPayClient>[0]> = {}) {
  const fake = fakeWechatPay(handle, clock)
  const sleeps: number[] = []
  const client = new WechatPayClient({
    ...merchant,
    apiV3Key,
    platform: publicKeyMode,
    baseUrl: 'https://api.mch.weixin.qq.com',
    fetch: fake.fetch,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    ...extra,
  })
  return { client, seen: fake.seen, sleeps }
}

const order = jsapiOrder

const rejection = (p: Promise<unknown>) => rejectionOf(p, WechatPayError)

describe('requests are signed as WeChat Pay checks them', () => {
  test('a JSAPI order carries a valid Authorization, the JSON body and the headers WeChat Pay requires', async () => {
    const { client, seen } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx2026010100000000000000000000001' } }))
    await expect(client.createJsapiOrder(order)).resolves.toEqual({ prepay_id: 'wx2026010100000000000000000000001' })
    expect(seen).toHaveLength(1)
    const [req] = seen
    expect(req.authorized).toBe(true)
    expect(req.method).toBe('POST')
    expect(req.pathWithQuery).toBe('/v3/pay/transactions/jsapi')
    expect(JSON.parse(req.body.toString())).toEqual(order)
    expect(req.headers.get('accept')).toBe('application/json')
    expect(req.headers.get('content-type')).toBe('application/json')
    expect(req.headers.get('user-agent')).toMatch(/\S/)
    expect(req.headers.get('wechatpay-serial')).toBe(platform.publicKeyId)
    expect(req.headers.get('authorization')).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="[0-9A-Za-z]{32}",signature="[^"]+",timestamp="1767225600",serial_no="A5FFF8E34235EA7B5F0A8159D409FE5EA3F4E6EF"$/)
  })

  test('characters of out_trade_no that URLs escape are signed as sent', async () => {
    const { client, seen } = clientFor(() => ({ status: 200, body: { trade_state: 'NOTPAY', out_trade_no: 'A|B*C-1_2' } }))
    await client.queryOrderByOutTradeNo('A|B*C-1_2')
    expect(seen[0].pathWithQuery).toBe('/v3/pay/transactions/out-trade-no/A%7CB*C-1_2?mchid=1900000109')
    expect(seen[0].authorized).toBe(true)
  })

  test('partner calls use the partner paths with sp_mchid and sub_mchid', async () => {
    const { client, seen } = clientFor((req) => (req.method === 'GET' ? { status: 200, body: { trade_state: 'NOTPAY' } } : { status: 204 }))
    await client.queryOrderByOutTradeNo('ORDER_2026_0001', '1900000110')
    await client.queryOrderByTransactionId('4200001234202601010000000001', '1900000110')
    await client.closeOrder('ORDER_2026_0001', '1900000110')
    expect(seen.map((r) => `${r.method} ${r.pathWithQuery}`)).toEqual([
      'GET /v3/pay/partner/transactions/out-trade-no/ORDER_2026_0001?sp_mchid=1900000109&sub_mchid=1900000110',
      'GET /v3/pay/partner/transactions/id/4200001234202601010000000001?sp_mchid=1900000109&sub_mchid=1900000110',
      'POST /v3/pay/partner/transactions/out-trade-no/ORDER_2026_0001/close',
    ])
    expect(JSON.parse(seen[2].body.toString())).toEqual({ sp_mchid: '1900000109', sub_mchid: '1900000110' })
    expect(seen.every((r) => r.authorized)).toBe(true)
  })

  test('close answers 204 with an empty, signed body', async () => {
    const { client, seen } = clientFor(() => ({ status: 204 }))
    await expect(client.closeOrder('ORDER_2026_0001')).resolves.toBeUndefined()
    expect(JSON.parse(seen[0].body.toString())).toEqual({ mchid: merchant.mchid })
  })

  test('media upload signs the meta JSON and sends it byte-identical in the multipart body', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
    const { client, seen } = clientFor(() => ({ status: 200, body: { media_id: 'H1ihR9JUtVj-J7CJqBUY5ZOrG_Je75H-rKhaWmqfC4DczdgW6fZdVcGWk6aU7IAtJ9SC2Yk_ul4PZwfLSp1ZBSQ' } }))
    await expect(client.uploadMedia('front.png', png)).resolves.toHaveProperty('media_id')
    const req = seen[0]
    expect(req.authorized).toBe(true)
    expect(req.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/)
    const text = req.body.toString('latin1')
    expect(text).toContain('{"filename":"front.png","sha256":"')
    expect(text).toContain('Content-Disposition: form-data; name="file"; filename="front.png"\r\nContent-Type: image/png')
    expect(req.body.includes(png)).toBe(true)
  })
})

describe('answers are verified before their body is trusted', () => {
  test('a tampered body is refused', async () => {
    const { client } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx1' }, tamper: (b) => b.replace('wx1', 'wx2') }))
    const e = await rejection(client.createJsapiOrder(order))
    expect(e).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', status: 200, detail: { reason: 'BAD_SIGNATURE' } })
  })

  test('an unsigned 2xx answer is treated as forged', async () => {
    const { client } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx1' }, signed: false }))
    expect(await rejection(client.createJsapiOrder(order))).toMatchObject({ code: 'RESPONSE_NOT_SIGNED' })
  })

  test.each([
    ['301 s in the past', -301_000],
    ['301 s in the future', 301_000],
  ])('an answer timestamped %s is refused', async (_name, skew) => {
    const { client } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx1' }, signer: { serial: platform.publicKeyId, privateKey: platform.privateKey, clock: () => NOW + skew } }))
    expect(await rejection(client.createJsapiOrder(order))).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', detail: { reason: 'STALE_TIMESTAMP' } })
  })

  test('an answer signed by an unknown serial is refused with a clear message', async () => {
    const { client } = clientFor(() => ({ status: 200, body: {}, signer: { serial: 'PUB_KEY_ID_0000000000000000000000000000000000', privateKey: platform.privateKey, clock } }))
    const e = await rejection(client.queryOrderByOutTradeNo('ORDER_2026_0001'))
    expect(e.code).toBe('RESPONSE_SIGNATURE_INVALID')
    expect(e.message).toContain('PUB_KEY_ID_0000000000000000000000000000000000')
    expect(e.message).toContain(platform.publicKeyId)
  })

  test('an answer whose Wechatpay-Signature-Type is not WECHATPAY2-SHA256-RSA2048 is refused', async () => {
    const { client } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx1' }, overrideHeaders: { 'Wechatpay-Signature-Type': 'WECHATPAY2-SM2-WITH-SM3' } }))
    const e = await rejection(client.createJsapiOrder(order))
    expect(e).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', detail: { reason: 'BAD_SIGNATURE' } })
    expect(e.message).toContain('WECHATPAY2-SM2-WITH-SM3')
  })

  test('an answer signed with the merchant key instead of the WeChat Pay key is refused', async () => {
    const { client } = clientFor(() => ({ status: 200, body: { prepay_id: 'wx1' }, signer: { serial: platform.publicKeyId, privateKey: merchant.privateKey, clock } }))
    expect(await rejection(client.createJsapiOrder(order))).toMatchObject({ detail: { reason: 'BAD_SIGNATURE' } })
  })
})

describe('errors are one typed WechatPayError', () => {
  test('a 400 PARAM_ERROR carries status, code, message, detail and Request-ID, and is not retried', async () => {
    const detail = { field: '/amount/total', value: 0, issue: 'must be >= 1', location: 'body' }
    const { client, seen } = clientFor(() => ({ status: 400, body: { code: 'PARAM_ERROR', message: '参数错误', detail } }))
    const e = await rejection(client.createJsapiOrder({ ...order, amount: { total: 0 } }))
    expect(e).toMatchObject({ status: 400, code: 'PARAM_ERROR', message: '参数错误', detail, requestId: 'req-1', retryable: false })
    expect(seen).toHaveLength(1)
  })

  test('an unsigned 401 SIGN_ERROR is reported as such', async () => {
    const { client } = clientFor(() => ({ status: 401, body: { code: 'SIGN_ERROR', message: '错误的签名，验签失败' }, signed: false }))
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ status: 401, code: 'SIGN_ERROR' })
  })

  test('a signed error answer whose signature is wrong is not believed', async () => {
    const { client } = clientFor(() => ({ status: 404, body: { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, tamper: (b) => b.replace('订单不存在', '订单不存在!') }))
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID' })
  })

  test('a proxy error page without a WeChat Pay body keeps its status', async () => {
    const { client } = clientFor(() => ({ status: 502, body: undefined, signed: false }), { maxRetries: 0 })
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ status: 502, code: 'MALFORMED_RESPONSE', retryable: true })
  })

  test('a refused connection is NETWORK_ERROR with status 0', async () => {
    const client = new WechatPayClient({ ...merchant, apiV3Key, platform: publicKeyMode, baseUrl: 'http://127.0.0.1:1', maxRetries: 0 })
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ status: 0, code: 'NETWORK_ERROR' })
  })

  test('no answer within timeoutMs is TIMEOUT', async () => {
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch
    const client = new WechatPayClient({ ...merchant, apiV3Key, platform: publicKeyMode, fetch: hanging, timeoutMs: 30, maxRetries: 0 })
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ status: 0, code: 'TIMEOUT' })
  })
})

describe('retries only where repeating is safe', () => {
  test('a read is retried after 500 SYSTEM_ERROR and 429 with backoff, then succeeds', async () => {
    const answers: FakeAnswer[] = [
      { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } },
      { status: 429, body: { code: 'FREQUENCY_LIMITED', message: '频率超限' } },
      { status: 200, body: { out_trade_no: 'X123456', trade_state: 'NOTPAY' } },
    ]
    const { client, seen, sleeps } = clientFor(() => answers.shift() as FakeAnswer)
    await expect(client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    expect(seen).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    expect(sleeps[1]).toBeGreaterThan(sleeps[0])
    // Each attempt is signed afresh (new nonce).
    expect(new Set(seen.map((r) => r.headers.get('authorization'))).size).toBe(3)
  })

  test('the backoff jitter comes from the injected randomness', async () => {
    const answers: FakeAnswer[] = [
      { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: '服务不可用' } },
      { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: '服务不可用' } },
      { status: 200, body: { out_trade_no: 'X123456', trade_state: 'NOTPAY' } },
    ]
    const { client, sleeps } = clientFor(() => answers.shift() as FakeAnswer, { random: () => 0.5 })
    await client.queryOrderByOutTradeNo('X123456')
    expect(sleeps).toEqual([250, 450])
  })

  test('order creation is retried with byte-identical parameters', async () => {
    const answers: FakeAnswer[] = [{ status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } }, { status: 200, body: { prepay_id: 'wx1' } }]
    const { client, seen } = clientFor(() => answers.shift() as FakeAnswer)
    await client.createJsapiOrder(order)
    expect(seen).toHaveLength(2)
    expect(seen[0].body.equals(seen[1].body)).toBe(true)
  })

  test('a refund is never blindly retried', async () => {
    const { client, seen } = clientFor(() => ({ status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } }))
    const e = await rejection(client.createRefund({ out_trade_no: 'X123456', out_refund_no: 'R123456', amount: { refund: 1, total: 1, currency: 'CNY' } }))
    expect(e).toMatchObject({ status: 500, code: 'SYSTEM_ERROR', retryable: true })
    expect(seen).toHaveLength(1)
  })

  test('retries stop after maxRetries', async () => {
    const { client, seen } = clientFor(() => ({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: '服务不可用' } }), { maxRetries: 2 })
    await rejection(client.queryOrderByOutTradeNo('X123456'))
    expect(seen).toHaveLength(3)
  })
})

describe('paySign', () => {
  test('requestPayment signs appId, timeStamp, nonceStr and package with the merchant key', () => {
    const { client } = clientFor(() => ({ status: 200 }))
    const p = client.requestPayment('wxd678efh567hg6787', 'wx2026')
    expect(p).toMatchObject({ timeStamp: '1767225600', package: 'prepay_id=wx2026', signType: 'RSA' })
    expect(p.nonceStr).toMatch(/^[0-9A-Za-z]{32}$/)
    expect(verifySignature(paySignMessage('wxd678efh567hg6787', p.timeStamp, p.nonceStr, p.package), p.paySign, merchant.publicKey)).toBe(true)
  })
})

describe('platform certificate mode', () => {
  const makeCert = (serialHex: string) => makePlatformCertificate(serialHex, NOW)

  test('downloads, decrypts and verifies certificates, then verifies answers with them', async () => {
    const current = makeCert('5157F09EFDC096DE15EBE81A47057A7232F1B8E1')
    const signer = { serial: current.serial, privateKey: current.privateKey, clock }
    const { client, seen } = clientFor(
      (req) => (req.pathWithQuery === '/v3/certificates' ? { status: 200, body: certificatesBody([current]), signer } : { status: 200, body: { prepay_id: 'wx1' }, signer }),
      { platform: { mode: 'certificate' } },
    )
    await expect(client.createJsapiOrder(order)).resolves.toEqual({ prepay_id: 'wx1' })
    await client.createJsapiOrder(order)
    expect(seen.map((r) => r.pathWithQuery)).toEqual(['/v3/certificates', '/v3/pay/transactions/jsapi', '/v3/pay/transactions/jsapi'])
    expect(seen.every((r) => r.headers.get('wechatpay-serial') === null)).toBe(true)
    expect(client.platformKeys.serials()).toEqual([current.serial])
    const { ciphertext, serial } = await client.encryptSensitive('张三')
    expect(serial).toBe(current.serial)
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/)
  })

  test('a certificate download signed by a key not in the answer is refused', async () => {
    const real = makeCert('1111111111111111111111111111111111111111')
    const { client } = clientFor(() => ({ status: 200, body: certificatesBody([real]), signer: { serial: real.serial, privateKey: platform.privateKey, clock } }), { platform: { mode: 'certificate' } })
    expect(await rejection(client.downloadCertificates())).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID' })
    expect(client.platformKeys.serials()).toEqual([])
  })

  test('a rotated certificate is picked up on its first unknown serial, at most once a minute', async () => {
    const oldCert = makeCert('2222222222222222222222222222222222222222')
    const newCert = makeCert('3333333333333333333333333333333333333333')
    let published = [oldCert]
    let signWith = oldCert
    let now = NOW
    const fake = fakeWechatPay((req) => {
      const signer = { serial: signWith.serial, privateKey: signWith.privateKey, clock: () => now }
      return req.pathWithQuery === '/v3/certificates' ? { status: 200, body: certificatesBody(published), signer } : { status: 200, body: { trade_state: 'NOTPAY' }, signer }
    }, () => now)
    const client = new WechatPayClient({ ...merchant, apiV3Key, platform: { mode: 'certificate' }, fetch: fake.fetch, clock: () => now, maxRetries: 0 })
    await client.queryOrderByOutTradeNo('X123456')
    published = [oldCert, newCert]
    signWith = newCert
    // Within a minute of the last download, an unknown serial does not trigger a download.
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ detail: { reason: 'UNKNOWN_SERIAL' } })
    now += 61_000
    await expect(client.queryOrderByOutTradeNo('X123456')).resolves.toMatchObject({ trade_state: 'NOTPAY' })
    expect(fake.seen.filter((r) => r.pathWithQuery === '/v3/certificates')).toHaveLength(2)
    expect(client.platformKeys.serials().sort()).toEqual([oldCert.serial, newCert.serial].sort())
  })

  test('a public-key-only merchant gets a clear error from certificate mode', async () => {
    const { client } = clientFor(() => ({ status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。' } }), { platform: { mode: 'certificate' } })
    expect(await rejection(client.queryOrderByOutTradeNo('X123456'))).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' })
  })

  test('loadPublicKey accepts the certificate PEM itself', () => {
    const c = makeCert('4444444444444444444444444444444444444444')
    expect(loadPublicKey(c.pem).asymmetricKeyDetails?.modulusLength).toBe(2048)
  })
})
