/** GET /__emulator/orders?mchid=&sub_mchid=: every order the emulator holds, newest first (platform.md). */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { refresh } from '../../state/orders'

export const orderListRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: { mchid?: string; sub_mchid?: string } }>('/__emulator/orders', async (req) => {
    const { mchid, sub_mchid: subMchid } = req.query
    const orders = Object.values(ctx.store.data.orders)
      .filter((o) => (!mchid || o.mchid === mchid) && (!subMchid || o.subMchid === subMchid))
      .sort((a, b) => b.createdAt - a.createdAt || (a.key < b.key ? 1 : -1))
      .map((o) => {
        refresh(ctx, o)
        return {
          outTradeNo: o.outTradeNo,
          mchid: o.mchid,
          ...(o.subMchid ? { subMchid: o.subMchid } : {}),
          description: o.description,
          amount: o.totalFen,
          tradeState: o.state,
          createdAt: new Date(o.createdAt).toISOString(),
        }
      })
    return { orders }
  })
}
