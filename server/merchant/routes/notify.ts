import type { FastifyPluginAsync } from 'fastify'
import type { NotifyAnswer } from '../services/notifications'
import type { HeaderSource } from '../../wechatpay'

export interface NotifyRoutesOptions {
  handle: (headers: HeaderSource, raw: Buffer) => Promise<NotifyAnswer>
}

/** WeChat Pay's notifications are a few KB; a bigger body is not one. */
const NOTIFY_BODY_LIMIT_BYTES = 64 * 1024

/** POST /api/wechatpay/notify: the body stays raw bytes in this plugin, for the signature check. */
export const notifyRoutes: FastifyPluginAsync<NotifyRoutesOptions> = async (app, { handle }) => {
  // Encapsulated: only this plugin's routes keep raw buffers; the rest of the API parses JSON.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NOTIFY_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body))

  app.post('/api/wechatpay/notify', async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const answer = await handle(req.headers, raw)
    return answer.body ? reply.code(answer.status).send(answer.body) : reply.code(answer.status).send()
  })
}
