/**
 * The open-platform component (thirdparty scenario, platform.md): the verify ticket the admin
 * hands over, and a component_access_token bought with it (api_component_token, 7200 s), cached
 * until shortly before it expires.
 */
import { AppError } from '../errors'
import type { ComponentTicketStore } from '../storage'

export interface ComponentTokenOptions {
  appId: string
  appSecret: string
  wechatApiBase: string
  tickets: ComponentTicketStore
  clock: () => number
  fetch?: typeof fetch
  timeoutMs?: number
}

/** Renew the token this long before WeChat says it expires. */
export const TOKEN_MARGIN_MS = 5 * 60 * 1000

export interface ComponentTokens {
  appId: string
  /** A valid component_access_token (bought when none is cached or it nears expiry). */
  accessToken(): Promise<string>
  /** Forget the cached token (WeChat said it is invalid or expired). */
  invalidate(): void
  /** Stores the latest component_verify_ticket (and forgets the token it may replace). */
  setTicket(ticket: string): Promise<void>
}

/** Creates the token source over WECHAT_API_BASE; errors never carry the secret. */
export function createComponentTokens(o: ComponentTokenOptions): ComponentTokens {
  const fetchImpl = o.fetch ?? fetch
  let cached: { token: string; expiresAt: number } | null = null
  let inflight: Promise<string> | null = null

  const buy = async (): Promise<string> => {
    const ticket = await o.tickets.latest()
    if (!ticket) throw new AppError('UPSTREAM_ERROR', 'WeChat login unavailable: no component verify ticket yet (POST /api/admin/component/ticket)')
    let body: { component_access_token?: string; expires_in?: number; errcode?: number; errmsg?: string }
    try {
      const res = await fetchImpl(`${o.wechatApiBase}/cgi-bin/component/api_component_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ component_appid: o.appId, component_appsecret: o.appSecret, component_verify_ticket: ticket }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
      })
      body = (await res.json()) as typeof body
    } catch (e) {
      throw new AppError('UPSTREAM_ERROR', `WeChat component token unavailable (${(e as Error).name === 'TimeoutError' ? 'timeout' : 'no answer'})`)
    }
    if (body.errcode || typeof body.component_access_token !== 'string') throw new AppError('UPSTREAM_ERROR', `WeChat component token refused (${body.errcode ?? 'no token'})`)
    cached = { token: body.component_access_token, expiresAt: o.clock() + (body.expires_in ?? 7200) * 1000 - TOKEN_MARGIN_MS }
    return cached.token
  }

  return {
    appId: o.appId,
    async accessToken() {
      if (cached && o.clock() < cached.expiresAt) return cached.token
      inflight ??= buy().finally(() => {
        inflight = null
      })
      return inflight
    },
    invalidate() {
      cached = null
    },
    async setTicket(ticket) {
      await o.tickets.save(ticket, o.clock())
    },
  }
}
