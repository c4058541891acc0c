/**
 * POST /v3/merchant/media/upload: multipart `meta` + `file`; the signed body is the meta JSON,
 * which must be byte-identical to the `meta` part (wechatpay-v3.md §11.1).
 */
import { createHash } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { opaque } from '../../context'
import { ApiError, paramError } from '../../errors'
import { MediaMeta } from '../../schemas/v3'
import { validateBody } from '../../schemas/validate'
import { authenticate } from './auth'
import { boundaryOf, parseMultipart } from './multipart'
import { sendJson } from './send'

const IMAGE_EXTENSIONS = /\.(jpg|jpeg|png|bmp)$/i
const MULTIPART_OVERHEAD = 64 * 1024

export const mediaRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  const MAX_MEDIA_BYTES = ctx.options.mediaMaxBytes // default 2 MB (wechatpay-v3.md §11.1)
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_MEDIA_BYTES + MULTIPART_OVERHEAD }, (_req, body, done) => done(null, body))

  app.post('/v3/merchant/media/upload', async (req, reply) => {
    const boundary = boundaryOf(req.headers['content-type'])
    const parts = boundary && Buffer.isBuffer(req.body) ? parseMultipart(req.body, boundary) : null
    if (!parts) throw new ApiError('INVALID_REQUEST', 'Http头Content-Type值必须为multipart/form-data，且请求体为合法的multipart格式', { location: 'header' })
    const metaPart = parts.find((p) => p.name === 'meta')
    const filePart = parts.find((p) => p.name === 'file')
    const meta = metaPart?.data.toString('utf8')
    const merchant = authenticate(ctx, req, meta ?? '')
    if (meta === undefined) throw paramError('meta', 'is required')
    let parsed: unknown
    try {
      parsed = JSON.parse(meta)
    } catch {
      throw paramError('meta', 'is not valid JSON', meta)
    }
    const m = validateBody(MediaMeta, parsed)
    if (!filePart || filePart.filename === undefined) throw paramError('file', 'is required')
    if (filePart.data.length > MAX_MEDIA_BYTES) throw paramError('file', `is larger than ${MAX_MEDIA_BYTES} bytes`)
    if (!IMAGE_EXTENSIONS.test(m.filename)) throw paramError('/filename', 'must end with .jpg, .jpeg, .png or .bmp', m.filename)
    if (filePart.filename !== m.filename) throw paramError('file', 'filename differs from meta.filename', filePart.filename)
    const sha256 = createHash('sha256').update(filePart.data).digest('hex')
    if (sha256 !== m.sha256.toLowerCase()) throw paramError('/sha256', 'does not match the file content', m.sha256)
    const mediaId = `V1_${opaque(48)}`
    ctx.store.data.media[mediaId] = { mchid: merchant.mchid, filename: m.filename, sha256, bytes: filePart.data.length }
    ctx.store.save()
    return sendJson(reply, 200, { media_id: mediaId })
  })
}
