/**
 * Steering by hand (the dashboard, `npm run trigger`): list orders, pay an order as the phone would,
 * send a notification again.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ControlError } from '../../errors'
import type { Notifier } from '../../notifier'
import { refresh } from '../../state/orders'
import { markPaid } from '../../state/payments'
import type { OrderRecord } from '../../state/types'

/** The one order with this out_trade_no (of `mchid` when given); 404, or 409 when two merchants share it. */
function oneOrder(ctx: EmulatorContext, outTradeNo: string, mchid: string | undefined): OrderRecord {
  const found = Object.values(ctx.store.data.orders).filter((o) => o.outTradeNo === outTradeNo && (!mchid || o.mchid === mchid))
  if (!found.length) throw new ControlError(404, 'ORDER_NOT_FOUND', `no order ${outTradeNo}`)
  if (found.length > 1) throw new ControlError(409, 'AMBIGUOUS', `${found.length} merchants have an order ${outTradeNo}: add ?mchid=`)
  return found[0]
}

export const triggerRoutes: FastifyPluginAsync<{ ctx: EmulatorContext; notifier: Notifier }> = async (app, { ctx, notifier }) => {
  // What a successful /__emulator/pay does, without the pay sheet: no paySign, it is the control plane.
  app.post<{ Params: { outTradeNo: string }; Querystring: { mchid?: string } }>('/__emulator/orders/:outTradeNo/pay', async (req) => {
    const order = refresh(ctx, oneOrder(ctx, req.params.outTradeNo, req.query.mchid))
    if (order.state === 'SUCCESS' || order.state === 'REFUND') throw new ControlError(409, 'ORDER_PAID', `order ${order.outTradeNo} is already paid`)
    if (order.state === 'CLOSED') throw new ControlError(409, 'ORDER_CLOSED', `order ${order.outTradeNo} is closed`)
    markPaid(ctx, notifier, order)
    return { outTradeNo: order.outTradeNo, tradeState: order.state, transactionId: order.transactionId }
  })

  // :id is a notification id, or the id of one of its deliveries.
  app.post<{ Params: { id: string } }>('/__emulator/notifications/:id/redeliver', async (req) => {
    const data = ctx.store.data
    const id = data.notifications[req.params.id] ? req.params.id : data.deliveries.find((d) => d.id === req.params.id)?.notificationId
    const job = id ? data.notifications[id] : undefined
    if (!job) throw new ControlError(404, 'NOTIFICATION_NOT_FOUND', `no notification or delivery ${req.params.id}`)
    if (!job.body || !data.merchants[job.mchid]) throw new ControlError(409, 'NOT_SENT_YET', `notification ${job.id} has not been sent yet (it is due ${new Date(job.nextAt).toISOString()}; advance the clock)`)
    return { delivery: await notifier.redeliver(job) }
  })
}
