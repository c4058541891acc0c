/** The merchant platform stand-in: register merchants, apps, and switch platform keys. */
import type { FastifyPluginAsync } from 'fastify'
import { loadApiV3Key, loadPublicKey } from '../../../wechatpay'
import type { EmulatorContext } from '../../context'
import { ControlError } from '../../errors'
import { publicView } from '../../platform'
import { controlBody, PlatformSwitchBody, RegisterAppBody, RegisterMerchantBody } from '../../schemas/control'
import { boundSubMchids } from '../../state/applyments'
import type { MerchantRecord } from '../../state/types'

export const merchantsRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.post('/__emulator/merchants', async (req) => {
    const b = controlBody(RegisterMerchantBody, req.body)
    try {
      loadPublicKey(b.publicKeyPem, 'publicKeyPem')
      loadApiV3Key(b.apiV3Key, 'apiV3Key')
    } catch (e) {
      throw new ControlError(400, 'BAD_REQUEST', (e as Error).message)
    }
    const data = ctx.store.data
    const previous = data.merchants[b.mchid]
    const subMchids: MerchantRecord['subMchids'] = {}
    for (const s of b.subMchids ?? []) {
      if (typeof s === 'string') subMchids[s] = { appIds: [] }
      else subMchids[s.mchid] = { appIds: s.appIds ?? [], ...(s.maxRatioBps !== undefined ? { maxRatioBps: s.maxRatioBps } : {}) }
    }
    for (const [id, sub] of Object.entries(boundSubMchids(ctx, b.mchid))) subMchids[id] ??= sub // finished applyments stay bound
    const merchant: MerchantRecord = {
      mchid: b.mchid,
      serialNo: b.serialNo.toUpperCase(),
      publicKeyPem: b.publicKeyPem,
      apiV3Key: b.apiV3Key,
      appIds: b.appIds,
      subMchids,
      // Registering again keeps the platform keys the merchant already holds.
      ...(previous?.platform ? { platform: previous.platform } : {}),
      ...(previous?.pendingPlatform ? { pendingPlatform: previous.pendingPlatform } : {}),
    }
    data.merchants[b.mchid] = merchant
    ctx.store.save()
    return { platform: publicView(ctx.responseKey(merchant, undefined)) }
  })

  app.post('/__emulator/apps', async (req) => {
    const b = controlBody(RegisterAppBody, req.body)
    ctx.store.data.apps[b.appId] = { appId: b.appId, secret: b.secret }
    ctx.store.save()
    return {}
  })

  // A platform-key switch (e.g. certificate → public key, wechatpay-v3.md §2.3): while it runs, a
  // request's Wechatpay-Serial decides which key signs the answer; `complete: true` ends it.
  app.post<{ Params: { mchid: string } }>('/__emulator/merchants/:mchid/platform-switch', async (req) => {
    const b = controlBody(PlatformSwitchBody, req.body ?? {})
    const merchant = ctx.store.data.merchants[req.params.mchid]
    if (!merchant) throw new ControlError(404, 'MERCHANT_NOT_FOUND', `no merchant ${req.params.mchid}`)
    const current = ctx.responseKey(merchant, undefined)
    if (b.complete) {
      if (!merchant.pendingPlatform) throw new ControlError(409, 'NO_SWITCH', 'no platform-key switch in progress')
      merchant.platform = merchant.pendingPlatform
      delete merchant.pendingPlatform
      ctx.store.save()
      return { platform: publicView(merchant.platform) }
    }
    merchant.pendingPlatform = ctx.newPlatformKey(b.mode ?? 'publicKey')
    ctx.store.save()
    return { platform: publicView(merchant.pendingPlatform), previous: publicView(current) }
  })
}
