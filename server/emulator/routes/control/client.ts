/** What the WeChat client does: wx.login (a code) and wx.requestPayment (the pay sheet). */
import { createHash } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ControlError } from '../../errors'
import type { Notifier } from '../../notifier'
import { controlBody, LoginBody, PayBody } from '../../schemas/control'
import { payOrder } from '../../state/payments'

/** The openid a user gets when the caller does not name one: stable per appid, 28 characters like WeChat's. */
export const defaultOpenid = (appId: string) => `o${createHash('sha256').update(`${appId}:default-user`).digest('base64url').slice(0, 27)}`

export const clientRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier }> = async (app, { ctx, notifier }) => {
  app.post('/__emulator/login', async (req) => {
    const b = controlBody(LoginBody, req.body)
    const data = ctx.store.data
    if (!data.apps[b.appId]) throw new ControlError(404, 'APP_NOT_FOUND', `appId ${b.appId} is not registered (POST /__emulator/apps)`)
    const openid = b.openid ?? defaultOpenid(b.appId)
    const code = ctx.nonce(32)
    data.codes[code] = { appId: b.appId, openid, issuedAt: ctx.now(), used: false }
    // The user exists under this appid from now on: an order may name this openid.
    ;(data.users[b.appId] ??= {})[openid] ??= ''
    ctx.store.save()
    return { code }
  })

  app.post('/__emulator/pay', async (req) => {
    const b = controlBody(PayBody, req.body)
    const input = req.body as Record<string, unknown>
    return { errMsg: payOrder(ctx, notifier, { ...input, appId: b.appId, openid: b.openid, outcome: b.outcome ?? 'success', couponFen: b.couponFen }) }
  })
}
