import type { FastifyError, FastifyPluginAsync } from 'fastify'
import type { NotifyAnswer } from '../services/notifications'
import type { HeaderSource } from '../../wechatpay'
import { isDatabaseAway, type OutageLog } from '../plugins/outage'

/** WeChat Pay's notifications are a few KiB; anything near this is not one. */
export const NOTIFY_BODY_LIMIT_BYTES = 64 * 1024

export interface NotifyRoutesOptions {
  handle: (headers: HeaderSource, raw: Buffer, source: string) => Promise<NotifyAnswer>
  /** The app's outage log (plugins/errors.ts): a database outage is logged once per burst, here too. */
  outage?: OutageLog
}

/** POST /api/wechatpay/notify: the body stays raw bytes in this plugin, for the signature check. */
export const notifyRoutes: FastifyPluginAsync<NotifyRoutesOptions> = async (app, { handle, outage }) => {
  // Encapsulated: only this plugin's routes keep raw buffers; the rest of the API parses JSON.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NOTIFY_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body))
  // WeChat Pay reads `{ code: "FAIL", message }` from a notify answer (architecture.md), also when the body never parsed.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (isDatabaseAway(err)) {
      // Its transaction rolled back: WeChat Pay redelivers on a 5xx, and the database may be back by then.
      if (outage) outage.failed(req.log, err)
      else req.log.error({ err: err.message }, 'database unavailable; WeChat Pay will retry')
      return reply.code(503).send({ code: 'FAIL', message: 'database unavailable, retry later' })
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) req.log.error({ err }, 'notification handling failed; WeChat Pay will retry')
    return reply.code(status).send({ code: 'FAIL', message: status === 500 ? 'internal error, retry later' : err.message })
  })

  app.post('/api/wechatpay/notify', async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const answer = await handle(req.headers, raw, req.ip)
    return answer.body ? reply.code(answer.status).send(answer.body) : reply.code(answer.status).send()
  })
}
