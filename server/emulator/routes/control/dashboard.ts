/**
 * The dashboard at GET /__emulator/ (plain HTML, CSS and a script from ../../dashboard/, no build
 * step) and the read-only merchant list it shows: key ids only, never a key.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import type { EmulatorContext } from '../../context'

const DIR = join(__dirname, '../../dashboard')
const FILES: Record<string, { file: string; type: string }> = {
  '/__emulator/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/__emulator/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/__emulator/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
}

export const dashboardRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    // Read on each request: editing the dashboard needs no restart.
    app.get(path, async (_req, reply) => reply.type(type).header('cache-control', 'no-store').send(readFileSync(join(DIR, file))))
  }
  app.get('/__emulator', async (_req, reply) => reply.redirect('/__emulator/'))

  app.get('/__emulator/merchants', async () => ({
    merchants: Object.values(ctx.store.data.merchants).map((m) => {
      const platform = ctx.responseKey(m, undefined)
      return {
        mchid: m.mchid,
        serialNo: m.serialNo,
        appIds: m.appIds,
        subMchids: Object.entries(m.subMchids).map(([mchid, s]) => ({ mchid, appIds: s.appIds })),
        platform: { mode: platform.mode, serialNo: platform.serialNo },
        ...(m.pendingPlatform ? { pendingPlatform: { mode: m.pendingPlatform.mode, serialNo: m.pendingPlatform.serialNo } } : {}),
      }
    }),
  }))
}
