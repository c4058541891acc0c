/** Steering refunds: settle a PROCESSING refund now (what `npm run trigger` calls). */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import type { Notifier } from '../../notifier'
import { controlBody, SettleRefundBody } from '../../schemas/control'
import { settleRefundNow } from '../../state/refunds'

export const refundControlRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier }> = async (app, { ctx, notifier }) => {
  app.post<{ Params: { outRefundNo: string } }>('/__emulator/refunds/:outRefundNo/settle', async (req) => {
    const b = controlBody(SettleRefundBody, req.body)
    return { refund: settleRefundNow(ctx, notifier, { outRefundNo: req.params.outRefundNo, mchid: b.mchid, status: b.status }) }
  })
}
