/**
 * A fetch function that plays WeChat Pay for unit tests of the client: it checks the
 * request's Authorization with the library's server-side check (real RSA) and signs the
 * answer with the platform key. Whole-flow tests use the real emulator instead.
 */
import { checkAuthorization, signWechatpayMessage, type PlatformSigner } from '../../../server/wechatpay'
import { merchant, platform } from './keys'

export interface SeenRequest {
  method: string
  pathWithQuery: string
  headers: Headers
  body: Buffer
  authorized: boolean
}

export interface FakeAnswer {
  status: number
  body?: unknown
  /** Sign the answer (default: every answer but 401). */
  signed?: boolean
  signer?: PlatformSigner
  /** Replace the body after signing (tampering). */
  tamper?: (body: string) => string
  headers?: Record<string, string>
  /** Headers set after signing (e.g. another Wechatpay-Signature-Type). */
  overrideHeaders?: Record<string, string>
}

export function fakeWechatPay(handle: (req: SeenRequest) => FakeAnswer | Promise<FakeAnswer>, clock: () => number = Date.now) {
  const seen: SeenRequest[] = []
  const signer: PlatformSigner = { serial: platform.publicKeyId, privateKey: platform.privateKey, clock }
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input))
    const headers = new Headers(init?.headers)
    const body = init?.body === undefined || init.body === null ? Buffer.alloc(0) : Buffer.from(init.body as string | Buffer)
    const pathWithQuery = url.pathname + url.search
    const contentType = headers.get('content-type') ?? ''
    // Media upload signs the meta JSON, not the multipart bytes.
    const signedBody = contentType.startsWith('multipart/')
      ? Buffer.from(/name="meta"\r\nContent-Type: application\/json\r\n\r\n(.*?)\r\n/s.exec(body.toString('latin1'))?.[1] ?? '', 'latin1').toString('utf8')
      : body.toString('utf8')
    const auth = checkAuthorization({
      header: headers.get('authorization') ?? undefined,
      method: init?.method ?? 'GET',
      pathWithQuery,
      body: signedBody,
      now: Math.floor(clock() / 1000),
      merchant: (mchid) => (mchid === merchant.mchid ? merchant : undefined),
    })
    const req: SeenRequest = { method: init?.method ?? 'GET', pathWithQuery, headers, body, authorized: auth.ok }
    seen.push(req)
    const answer: FakeAnswer = auth.ok ? await handle(req) : { status: 401, body: { code: 'SIGN_ERROR', message: '错误的签名，验签失败' } }
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
    const signed = answer.signed ?? answer.status !== 401
    const out = new Headers({ 'Request-ID': `req-${seen.length}`, ...(text ? { 'Content-Type': 'application/json' } : {}), ...answer.headers })
    if (signed) for (const [k, v] of Object.entries(signWechatpayMessage(answer.signer ?? signer, text))) out.set(k, v)
    for (const [k, v] of Object.entries(answer.overrideHeaders ?? {})) out.set(k, v)
    return new Response(answer.status === 204 ? null : answer.tamper ? answer.tamper(text) : text, { status: answer.status, headers: out })
  }) as typeof fetch
  return { fetch: fetchImpl, seen }
}
