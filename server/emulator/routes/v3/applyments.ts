/**
 * E-commerce sub-merchant applyments (二级商户进件, wechatpay-service-provider.md §1): submit, the two
 * queries and the two revokes. Submission checks, in order: Wechatpay-Serial, the body's shape, the
 * rules of the organization type, decryption of every sensitive field, the decrypted values, media ids.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import { validateApplymentShape } from '../../schemas/applyment-errors'
import { checkApplymentRules, normalizeMediaLists } from '../../schemas/applyment-rules'
import { checkMedia, checkPlaintexts, decryptApplyment, platformKeyForSerial } from '../../state/applyment-crypto'
import { applymentQueryView, findApplyment, REVOCABLE, submitApplyment, transition } from '../../state/applyments'
import type { ApplymentRecord } from '../../state/types'
import { header, merchantOf } from './auth'
import { sendJson } from './send'

const BASE = '/v3/ecommerce/applyments'

export const applymentsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.post(`${BASE}/`, async (req, reply) => {
    const merchant = merchantOf(req)
    const key = platformKeyForSerial(ctx, merchant, header(req, 'wechatpay-serial'))
    validateApplymentShape(req.body)
    const request = req.body as Record<string, unknown>
    checkApplymentRules(request)
    const normalized = normalizeMediaLists(request)
    const decrypted = decryptApplyment(ctx, key, normalized)
    checkPlaintexts(normalized, decrypted)
    checkMedia(ctx, merchant, normalized)
    const a = submitApplyment(ctx, merchant, request, decrypted)
    return sendJson(reply, 200, { applyment_id: a.applymentId, out_request_no: a.outRequestNo })
  })

  app.get<{ Params: { applyment_id: string } }>(`${BASE}/:applyment_id`, async (req, reply) =>
    sendJson(reply, 200, applymentQueryView(ctx, findApplyment(ctx, merchantOf(req).mchid, { applymentId: req.params.applyment_id }))),
  )

  app.get<{ Params: { out_request_no: string } }>(`${BASE}/out-request-no/:out_request_no`, async (req, reply) =>
    sendJson(reply, 200, applymentQueryView(ctx, findApplyment(ctx, merchantOf(req).mchid, { outRequestNo: req.params.out_request_no }))),
  )

  const revoke = (a: ApplymentRecord) => {
    if (!REVOCABLE.includes(a.state)) {
      throw new ApiError('INVALID_REQUEST', `申请单状态为${a.state}，不允许撤销`, { issue: `revoke is allowed only from ${REVOCABLE.join(', ')}` })
    }
    transition(ctx, a, 'CANCELED')
    return { applyment_id: a.applymentId, out_request_no: a.outRequestNo }
  }

  app.post<{ Params: { applyment_id: string } }>(`${BASE}/:applyment_id/revoke`, async (req, reply) =>
    sendJson(reply, 200, revoke(findApplyment(ctx, merchantOf(req).mchid, { applymentId: req.params.applyment_id }))),
  )

  app.post<{ Params: { out_request_no: string } }>(`${BASE}/out-request-no/:out_request_no/revoke`, async (req, reply) =>
    sendJson(reply, 200, revoke(findApplyment(ctx, merchantOf(req).mchid, { outRequestNo: req.params.out_request_no }))),
  )
}
