/**
 * The open-platform component API (wechatpay-service-provider.md §6): `POST
 * /cgi-bin/component/api_component_token` and `GET /sns/component/jscode2session`. Like the rest of
 * the WeChat API they answer HTTP 200 with `errcode`/`errmsg` on failure.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { EmulatorContext } from '../context'
import type { Faults } from '../faults'
import { componentSession, componentToken } from '../state/components'

const JSON_TYPE = 'application/json; encoding=utf-8'
const send = (reply: FastifyReply, type: string, body: Record<string, unknown>) => reply.code(200).type(type).send(JSON.stringify(body))

export const snsComponentRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; faults: Faults }> = async (app, { ctx, faults }) => {
  const withRid = (body: Record<string, unknown>) =>
    typeof body.errcode === 'number' ? { ...body, errmsg: `${body.errmsg as string}, rid: ${ctx.nonce(8).toLowerCase()}-${ctx.nonce(8).toLowerCase()}` } : body
  const faulted = async (method: string, url: string | undefined, path: string) => {
    const fault = faults.take(method, url, path)
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs))
    return fault?.status !== undefined
  }

  app.post('/cgi-bin/component/api_component_token', async (req, reply) => {
    if (await faulted(req.method, req.routeOptions.url, '/cgi-bin/component/api_component_token')) return send(reply, JSON_TYPE, withRid({ errcode: -1, errmsg: 'system error' }))
    // A body that is not a JSON object is WeChat's 47001.
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return send(reply, JSON_TYPE, withRid({ errcode: 47001, errmsg: 'data format error' }))
    return send(reply, JSON_TYPE, withRid({ ...componentToken(ctx, req.body as Record<string, unknown>) }))
  })

  app.get<{ Querystring: Record<string, string | undefined> }>('/sns/component/jscode2session', async (req, reply) => {
    if (await faulted(req.method, req.routeOptions.url, '/sns/component/jscode2session')) return send(reply, 'text/plain', withRid({ errcode: -1, errmsg: 'system error' }))
    return send(reply, 'text/plain', withRid({ ...componentSession(ctx, req.query) }))
  })
}
