import multipart from '@fastify/multipart'
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { WechatPayError } from '../../wechatpay'
import { ErrorBodySchema } from '../../../src/contract/schemas'
import { AppError } from '../errors'
import { bearerAuth } from '../plugins/auth'
import type { OnboardingGateway } from '../services/applications/gateway'
import { imageProblem, mimeOf } from '../services/applications/media'
import type { SessionService } from '../services/session'
import type { Limiter } from '../storage'

export interface MediaRoutesOptions {
  sessions: SessionService
  gateway: OnboardingGateway
  mediaMaxBytes: number
  /** Uploads per user (MEDIA_UPLOADS_PER_USER_PER_MIN a minute): the storage's 'media' limiter. */
  limiter: Limiter
}

/** Uploads per user per minute: a whole form is five images with retries; WeChat Pay allows 10/s per merchant. */
export const MEDIA_UPLOADS_PER_USER_PER_MIN = 30

/** POST /api/media: one onboarding image (jpg / png / bmp by content, ≤ MEDIA_MAX_BYTES) → WeChat Pay media_id. */
export const mediaRoutes: FastifyPluginAsyncTypebox<MediaRoutesOptions> = async (app, { sessions, gateway, mediaMaxBytes, limiter }) => {
  app.addHook('onRequest', bearerAuth(sessions))
  await app.register(multipart, { limits: { fileSize: mediaMaxBytes, files: 1, fields: 4, parts: 5 } })

  app.post('/api/media', {
    schema: { response: { 201: Type.Object({ mediaId: Type.String() }), '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } },
  }, async (req, reply) => {
    if (!(await limiter.take(req.user.id))) throw new AppError('RATE_LIMITED', 'too many uploads, try again in a minute')
    if (!req.isMultipart()) throw new AppError('INVALID_IMAGE', 'send the image as multipart/form-data with one "file" part')
    let part
    try {
      part = await req.file()
    } catch (e) {
      throw new AppError('INVALID_IMAGE', `the upload is not valid multipart/form-data: ${(e as Error).message}`)
    }
    if (!part || part.fieldname !== 'file') throw new AppError('INVALID_IMAGE', 'the image must be the part named "file"')
    let bytes: Buffer
    try {
      bytes = await part.toBuffer()
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('IMAGE_TOO_LARGE', `the image is larger than ${mediaMaxBytes} bytes`)
      throw new AppError('INVALID_IMAGE', 'the upload was cut off')
    }
    const checked = imageProblem(bytes, { filename: part.filename, mimetype: part.mimetype })
    if (checked.problem !== null) throw new AppError('INVALID_IMAGE', checked.problem)
    try {
      const mediaId = await gateway.uploadMedia(`image.${checked.kind}`, bytes, mimeOf(checked.kind))
      return reply.code(201).send({ mediaId })
    } catch (e) {
      if (e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401) {
        throw new AppError('INVALID_IMAGE', `WeChat Pay refused the image: ${e.message}`)
      }
      throw new AppError('UPSTREAM_ERROR', `WeChat Pay media upload failed: ${e instanceof WechatPayError ? e.code : 'error'}`)
    }
  })
}
