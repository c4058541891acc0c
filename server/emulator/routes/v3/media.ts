/**
 * POST /v3/merchant/media/upload: multipart `meta` + `file`; the signed body is the meta JSON,
 * which must be byte-identical to the `meta` part (wechatpay-v3.md §11.1).
 */
import { createHash } from 'node:crypto'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { opaque } from '../../context'
import { ApiError, paramError } from '../../errors'
import { MediaMeta } from '../../schemas/v3'
import { validateBody } from '../../schemas/validate'
import { authenticate } from './auth'
import { sendJson } from './send'

/** Images up to 2 MB (wechatpay-v3.md §11.1). */
export const MAX_MEDIA_BYTES = 2 * 1024 * 1024
const IMAGE_EXTENSIONS = /\.(jpg|jpeg|png|bmp)$/i

export const mediaRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  await app.register(multipart, { limits: { fileSize: MAX_MEDIA_BYTES, files: 1, fields: 2, parts: 2 } })

  app.post('/v3/merchant/media/upload', async (req, reply) => {
    if (!req.isMultipart()) throw new ApiError('INVALID_REQUEST', 'Http头Content-Type值必须为multipart/form-data', { location: 'header' })
    let meta: string | undefined
    let file: { filename: string; bytes: Buffer; truncated: boolean } | undefined
    for await (const part of req.parts()) {
      if (part.type === 'field' && part.fieldname === 'meta') meta = String(part.value)
      else if (part.type === 'file' && part.fieldname === 'file') {
        const bytes = await part.toBuffer().catch(() => null)
        file = { filename: part.filename, bytes: bytes ?? Buffer.alloc(0), truncated: bytes === null || part.file.truncated }
      } else if (part.type === 'file') {
        part.file.resume()
      }
    }
    if (meta === undefined) {
      authenticate(ctx, req, '')
      throw paramError('meta', 'is required', undefined, 'body')
    }
    const merchant = authenticate(ctx, req, meta)
    let parsed: unknown
    try {
      parsed = JSON.parse(meta)
    } catch {
      throw paramError('meta', 'is not valid JSON', meta)
    }
    const m = validateBody(MediaMeta, parsed)
    if (!file) throw paramError('file', 'is required')
    if (file.truncated) throw paramError('file', `is larger than ${MAX_MEDIA_BYTES} bytes`)
    if (!IMAGE_EXTENSIONS.test(m.filename)) throw paramError('/filename', 'must end with .jpg, .jpeg, .png or .bmp', m.filename)
    if (file.filename !== m.filename) throw paramError('file', 'filename differs from meta.filename', file.filename)
    const sha256 = createHash('sha256').update(file.bytes).digest('hex')
    if (sha256 !== m.sha256.toLowerCase()) throw paramError('/sha256', 'does not match the file content', m.sha256)
    const mediaId = `V1_${opaque(48)}`
    ctx.store.data.media[mediaId] = { mchid: merchant.mchid, filename: m.filename, sha256, bytes: file.bytes.length }
    ctx.store.save()
    return sendJson(reply, 200, { media_id: mediaId })
  })
}
