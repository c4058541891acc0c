import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors'
import type { Storage, UserRecord } from '../storage'
import type { ComponentTokens } from './component'

export interface SessionServiceOptions {
  storage: Storage
  appId: string
  /** The mini-program's secret (centralized, outsourced). */
  appSecret?: string
  /** thirdparty: log in through the open-platform component instead of the secret. */
  component?: ComponentTokens
  wechatApiBase: string
  sessionSecret: string
  ttlSeconds: number
  clock: () => number
  fetch?: typeof fetch
  timeoutMs?: number
}

/** jscode2session errcodes that mean "this code is no good" (wechatpay-v3.md §10): bad, used or expired. */
const BAD_CODE_ERRCODES = new Set([40029, 40163, 40226])
/** jscode2session answers within a second or two; a hung call must not hold the login request. */
export const LOGIN_TIMEOUT_MS = 5_000
/** Component token invalid or expired: buy a new one and ask once more. */
const STALE_TOKEN_ERRCODES = new Set([40001, 42001])

/** A verified token is trusted this long without its HMAC and user lookup again (its expiry is checked on every use). */
export const VERIFIED_TOKEN_CACHE_MS = 60_000
/** Verified tokens kept at most (the oldest is dropped first). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000

type Code2SessionBody = { openid?: string; session_key?: string; unionid?: string; errcode?: number; errmsg?: string }

export interface SessionService {
  /** wx.login code → session token. The openid and session_key stay on the server. */
  login(code: string): Promise<{ token: string; expiresIn: number }>
  /** The user a bearer token names, or an UNAUTHENTICATED AppError. */
  authenticate(token: string | undefined): Promise<UserRecord>
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

/** Creates the login service: code2Session through WECHAT_API_BASE, HMAC-signed expiring tokens. */
export function createSessionService(o: SessionServiceOptions): SessionService {
  const fetchImpl = o.fetch ?? fetch
  const mac = (payload: string) => createHmac('sha256', o.sessionSecret).update(`session.v1.${payload}`).digest()
  /**
   * Tokens verified lately → their user. Safe because nothing revokes a token before its `exp` (no
   * logout, users are never deleted, a user's id and openid never change): the same token string
   * verifies the same way every time, and `exp` is still checked on each use.
   */
  const verified = new Map<string, { user: UserRecord; expMs: number; until: number }>()

  return {
    async login(code) {
      // Never include the URL in an error: it carries the app secret or the component token.
      const ask = async (url: string): Promise<Code2SessionBody> => {
        try {
          const res = await fetchImpl(url, { signal: AbortSignal.timeout(o.timeoutMs ?? LOGIN_TIMEOUT_MS) })
          return (await res.json()) as Code2SessionBody
        } catch (e) {
          throw new AppError('UPSTREAM_ERROR', `WeChat login unavailable (${e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'no answer'})`)
        }
      }
      const viaComponent = async (c: ComponentTokens) => {
        const q = { appid: o.appId, js_code: code, grant_type: 'authorization_code', component_appid: c.appId, component_access_token: await c.accessToken() }
        return ask(`${o.wechatApiBase}/sns/component/jscode2session?${new URLSearchParams(q)}`)
      }
      let body: Code2SessionBody
      if (o.component) {
        body = await viaComponent(o.component)
        if (body.errcode && STALE_TOKEN_ERRCODES.has(body.errcode)) {
          o.component.invalidate()
          body = await viaComponent(o.component)
        }
      } else {
        body = await ask(`${o.wechatApiBase}/sns/jscode2session?${new URLSearchParams({ appid: o.appId, secret: o.appSecret ?? '', js_code: code, grant_type: 'authorization_code' })}`)
      }
      if (body.errcode && BAD_CODE_ERRCODES.has(body.errcode)) throw new AppError('UNAUTHENTICATED', `login code rejected by WeChat (${body.errcode})`)
      if (body.errcode || typeof body.openid !== 'string' || !body.openid) {
        throw new AppError('UPSTREAM_ERROR', `WeChat login failed (${body.errcode ?? 'no openid'})`)
      }
      const now = o.clock()
      const user = await o.storage.users.upsertByOpenid(body.openid, body.unionid ?? null, now, randomUUID)
      const exp = Math.floor(now / 1000) + o.ttlSeconds
      const payload = b64url(JSON.stringify({ u: user.id, exp }))
      return { token: `${payload}.${b64url(mac(payload))}`, expiresIn: o.ttlSeconds }
    },

    async authenticate(token) {
      const fail = (why: string): never => {
        throw new AppError('UNAUTHENTICATED', why)
      }
      if (!token) return fail('missing bearer token')
      const now = o.clock()
      const hit = verified.get(token)
      if (hit && now < hit.until && now < hit.expMs) return hit.user
      if (hit) verified.delete(token)
      const [payload, signature, extra] = token.split('.')
      if (!payload || !signature || extra !== undefined) return fail('malformed token')
      const expected = mac(payload)
      const given = Buffer.from(signature, 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('invalid token')
      let claims: { u?: unknown; exp?: unknown }
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return fail('malformed token')
      }
      if (typeof claims.u !== 'string' || typeof claims.exp !== 'number') return fail('malformed token')
      if (claims.exp * 1000 <= now) return fail('session expired, log in again')
      const user = await o.storage.users.get(claims.u)
      if (!user) return fail('unknown user')
      if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value as string)
      verified.set(token, { user, expMs: claims.exp * 1000, until: now + VERIFIED_TOKEN_CACHE_MS })
      return user
    },
  }
}
