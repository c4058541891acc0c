/**
 * GET /sns/jscode2session, the WeChat login API (wechatpay-v3.md §10): always HTTP 200, errors as
 * `errcode`/`errmsg`; a code is valid 5 minutes, once, for the appid it was issued to.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { EmulatorContext } from '../context'
import { opaque } from '../context'
import type { Faults } from '../faults'

/** wx.login codes expire after 5 minutes. */
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000

// The real API answers with Content-Type text/plain; clients must not rely on a JSON content type.
const send = (reply: FastifyReply, body: Record<string, unknown>) => reply.code(200).type('text/plain').send(JSON.stringify(body))

export const snsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; faults: Faults }> = async (app, { ctx, faults }) => {
  const fail = (reply: FastifyReply, errcode: number, errmsg: string) => send(reply, { errcode, errmsg: `${errmsg}, rid: ${ctx.nonce(8).toLowerCase()}-${ctx.nonce(8).toLowerCase()}` })

  app.get<{ Querystring: Record<string, string | undefined> }>('/sns/jscode2session', async (req, reply) => {
    const fault = faults.take(req.method, req.routeOptions.url, '/sns/jscode2session')
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs))
    if (fault?.status) return fail(reply, -1, 'system error')
    const { appid, secret, js_code: code, grant_type: grantType } = req.query
    if (!appid) return fail(reply, 41002, 'appid missing')
    if (!secret) return fail(reply, 41004, 'appsecret missing')
    if (!code) return fail(reply, 41008, 'missing code')
    if (grantType !== 'authorization_code') return fail(reply, 40002, 'invalid grant_type')
    const data = ctx.store.data
    const app = data.apps[appid]
    if (!app) return fail(reply, 40013, 'invalid appid')
    if (app.secret !== secret) return fail(reply, 40125, 'invalid appsecret')
    const issued = data.codes[code]
    if (!issued || issued.appId !== appid || issued.used || ctx.now() - issued.issuedAt > LOGIN_CODE_TTL_MS) {
      return fail(reply, 40029, 'invalid code')
    }
    issued.used = true
    const sessionKey = opaque(16)
    ;(data.users[appid] ??= {})[issued.openid] = sessionKey
    ctx.store.save()
    return send(reply, { session_key: sessionKey, openid: issued.openid })
  })
}
