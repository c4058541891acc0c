/** POST /__emulator/components: an open-platform component, the mini-programs that authorised it, and a verify ticket. */
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'
import { ComponentBody, controlBody } from '../../schemas/control'
import { registerComponent } from '../../state/components'

export const componentsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  // What WeChat pushes every 10 minutes (component_verify_ticket); each call pushes a new one.
  app.post('/__emulator/components', async (req) => ({ verifyTicket: registerComponent(ctx, controlBody(ComponentBody, req.body)) }))
}
