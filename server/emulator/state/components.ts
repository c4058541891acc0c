/**
 * Open-platform components (第三方平台, wechatpay-service-provider.md §6): the verify ticket WeChat
 * pushes, component access tokens, and login of an authorised mini-program without its secret.
 */
import type { EmulatorContext } from '../context'
import { opaque } from '../context'
import { LOGIN_CODE_TTL_MS } from '../routes/sns'
import type { ComponentRecord } from './platform-types'

/** component_access_token lifetime (seconds, as `expires_in` says). */
export const COMPONENT_TOKEN_TTL_S = 7200
/** A component_verify_ticket is pushed every 10 minutes and stays valid 12 hours. */
export const VERIFY_TICKET_TTL_MS = 12 * 3600 * 1000

/** A WeChat API error: `{ errcode, errmsg }`. */
export interface WxError {
  errcode: number
  errmsg: string
}

const wxError = (errcode: number, errmsg: string): WxError => ({ errcode, errmsg })

/** Registers (or replaces) a component and pushes a fresh verify ticket; authorised mini-programs become known apps. */
export function registerComponent(ctx: EmulatorContext, b: { componentAppId: string; secret: string; authorizedAppIds: string[] }): string {
  const data = ctx.store.data
  const previous = data.components[b.componentAppId]
  const ticket = `ticket@@@${opaque(48)}`
  const record: ComponentRecord = {
    componentAppId: b.componentAppId,
    secret: b.secret,
    authorizedAppIds: [...new Set(b.authorizedAppIds)],
    tickets: { ...(previous && previous.secret === b.secret ? previous.tickets : {}), [ticket]: ctx.now() },
  }
  data.components[b.componentAppId] = record
  // The merchant's mini-program exists (wx.login works in it) even though the provider never holds its secret.
  for (const appId of record.authorizedAppIds) data.apps[appId] ??= { appId, secret: opaque(16) }
  ctx.store.save()
  return ticket
}

/** POST /cgi-bin/component/api_component_token. */
export function componentToken(ctx: EmulatorContext, q: Record<string, unknown>): WxError | { component_access_token: string; expires_in: number } {
  const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined)
  const appId = str('component_appid')
  const secret = str('component_appsecret')
  const ticket = str('component_verify_ticket')
  if (!appId) return wxError(41018, 'missing component_appid')
  if (!secret) return wxError(41004, 'appsecret missing')
  if (!ticket) return wxError(61006, 'component ticket is invalid')
  const component = ctx.store.data.components[appId]
  if (!component) return wxError(61011, 'invalid component')
  if (component.secret !== secret) return wxError(40125, 'invalid appsecret')
  const pushedAt = component.tickets[ticket]
  if (pushedAt === undefined) return wxError(61006, 'component ticket is invalid')
  if (ctx.now() - pushedAt > VERIFY_TICKET_TTL_MS) return wxError(61005, 'component ticket is expired')
  const token = opaque(48)
  ctx.store.data.componentTokens[token] = { componentAppId: appId, expiresAt: ctx.now() + COMPONENT_TOKEN_TTL_S * 1000 }
  ctx.store.save()
  return { component_access_token: token, expires_in: COMPONENT_TOKEN_TTL_S }
}

/** GET /sns/component/jscode2session: the openid is the authorised mini-program's. */
export function componentSession(ctx: EmulatorContext, q: Record<string, string | undefined>): WxError | { openid: string; session_key: string } {
  const { appid, js_code: code, grant_type: grantType, component_appid: componentAppId, component_access_token: token } = q
  if (!appid) return wxError(41002, 'appid missing')
  if (!componentAppId) return wxError(41018, 'missing component_appid')
  if (!token) return wxError(41001, 'access_token missing')
  if (!code) return wxError(41008, 'missing code')
  if (grantType !== 'authorization_code') return wxError(40002, 'invalid grant_type')
  const data = ctx.store.data
  const component = data.components[componentAppId]
  if (!component) return wxError(61011, 'invalid component')
  const issued = data.componentTokens[token]
  if (!issued || issued.componentAppId !== componentAppId) return wxError(40001, 'invalid credential, access_token is invalid or not latest')
  if (ctx.now() >= issued.expiresAt) return wxError(42001, 'access_token expired')
  if (!data.apps[appid]) return wxError(40013, 'invalid appid')
  if (!component.authorizedAppIds.includes(appid)) return wxError(61003, 'component is not authorized by this account')
  const login = data.codes[code]
  if (!login || login.appId !== appid || login.used || ctx.now() - login.issuedAt > LOGIN_CODE_TTL_MS) return wxError(40029, 'invalid code')
  login.used = true
  const sessionKey = opaque(16)
  ;(data.users[appid] ??= {})[login.openid] = sessionKey
  ctx.store.save()
  return { openid: login.openid, session_key: sessionKey }
}
