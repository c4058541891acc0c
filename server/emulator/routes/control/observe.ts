/** Observing and steering the emulator: deliveries, orders, the clock, faults. */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ControlError } from '../../errors'
import type { Faults } from '../../faults'
import type { Notifier } from '../../notifier'
import { ClockBody, controlBody } from '../../schemas/control'
import { PREPAY_VALIDITY_MS } from '../../../wechatpay'
import { refresh, transactionView } from '../../state/orders'
import { refundView, settleRefund } from '../../state/refunds'
import { profitSharingView } from '../../state/split-returns'

export const observeRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier; faults: Faults }> = async (app, { ctx, notifier, faults }) => {
  app.get('/__emulator/notifications', async () => ({ deliveries: ctx.store.data.deliveries }))

  app.get<{ Params: { outTradeNo: string }; Querystring: { mchid?: string } }>('/__emulator/orders/:outTradeNo', async (req) => {
    const data = ctx.store.data
    const order = Object.values(data.orders).find((o) => o.outTradeNo === req.params.outTradeNo && (!req.query.mchid || o.mchid === req.query.mchid))
    if (!order) throw new ControlError(404, 'ORDER_NOT_FOUND', `no order ${req.params.outTradeNo}`)
    refresh(ctx, order)
    const refunds = Object.values(data.refunds)
      .filter((r) => r.orderKey === order.key)
      .map((r) => refundView(settleRefund(ctx, r), order))
    const { fingerprint: _fingerprint, state, ...view } = order
    return {
      ...view,
      tradeState: state,
      createdAt: new Date(order.createdAt).toISOString(),
      expiresAt: new Date(order.expiresAt).toISOString(),
      prepayExpiresAt: new Date(order.prepayCreatedAt + PREPAY_VALIDITY_MS).toISOString(),
      transaction: transactionView(order),
      refunds,
      profitSharing: profitSharingView(ctx, order),
    }
  })

  app.get('/__emulator/clock', async () => ({ now: new Date(ctx.now()).toISOString(), offsetMs: ctx.store.data.clockOffsetMs }))

  app.post('/__emulator/clock', async (req) => {
    const b = controlBody(ClockBody, req.body)
    ctx.store.data.clockOffsetMs += b.advanceMs
    ctx.store.save()
    notifier.kick()
    return { now: new Date(ctx.now()).toISOString(), offsetMs: ctx.store.data.clockOffsetMs }
  })

  app.get('/__emulator/faults', async () => faults.snapshot())

  app.post('/__emulator/faults', async (req) => {
    faults.apply(req.body ?? {})
    return {}
  })
}
