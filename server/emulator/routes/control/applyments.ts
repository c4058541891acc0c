/** Control API for applyments (platform.md "Emulator control API additions"): list them, and move one along §1.4. */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ControlError } from '../../errors'
import { controlBody } from '../../schemas/control'
import { applymentControlView, refreshApplyment, transition, TransitionError } from '../../state/applyments'

const AdvanceBody = Type.Object({
  to: Type.Union(['ACCOUNT_NEED_VERIFY', 'AUDITING', 'NEED_SIGN', 'FINISH', 'REJECTED', 'FROZEN', 'CANCELED'].map((s) => Type.Literal(s))),
  auditDetail: Type.Optional(Type.Array(Type.Object({ param_name: Type.String({ minLength: 1, maxLength: 128 }), reject_reason: Type.String({ minLength: 1, maxLength: 512 }) }))),
})

export const applymentsControlRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: { mchid?: string } }>('/__emulator/applyments', async (req) => {
    const list = Object.values(ctx.store.data.applyments)
      .filter((a) => !req.query.mchid || a.mchid === req.query.mchid)
      .map((a) => refreshApplyment(ctx, a))
      .sort((x, y) => y.createdAt - x.createdAt || y.applymentId - x.applymentId)
    return { applyments: list.map(applymentControlView) }
  })

  app.post<{ Params: { applymentId: string } }>('/__emulator/applyments/:applymentId/advance', async (req) => {
    const b = controlBody(AdvanceBody, req.body)
    const a = Object.values(ctx.store.data.applyments).find((x) => String(x.applymentId) === req.params.applymentId)
    if (!a) throw new ControlError(404, 'APPLYMENT_NOT_FOUND', `no applyment ${req.params.applymentId}`)
    refreshApplyment(ctx, a)
    try {
      transition(ctx, a, b.to as Parameters<typeof transition>[2], { auditDetail: b.auditDetail })
    } catch (e) {
      if (e instanceof TransitionError) throw new ControlError(409, 'ILLEGAL_TRANSITION', e.message)
      throw e
    }
    return { applyment: applymentControlView(a) }
  })
}
