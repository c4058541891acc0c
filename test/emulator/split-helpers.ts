/** Shared set-up of the profit-sharing tests: an emulator whose clock the test moves, a provider with two shops, paid orders. */
import { publicKeyPem, type WechatPayClient } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { call, clientFor, notifyEndpoint, tradeNo, type RawAnswer } from './helpers'

export interface SplitWorld {
  emu: EmulatorHandle
  sp: TestMerchant
  /** Another registered merchant: a receiver that must be added first. */
  partner: TestMerchant
  /** A second shop of sp whose max_ratio is 2000 (20 %). */
  narrowShop: string
  client: WechatPayClient
  /** Moves the emulated clock (and the signing clock with it). */
  advance(ms: number): Promise<void>
  /** A signed raw call at the emulated time. */
  raw(path: string, body?: unknown, headers?: Record<string, string>): Promise<RawAnswer>
  /** The library call (throws WechatPayError on refusal). */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Places and pays a partner order; `profitSharing` sets settle_info.profit_sharing. */
  paidOrder(o?: { total?: number; profitSharing?: boolean; subMchid?: string }): Promise<{ outTradeNo: string; transactionId: string }>
  close(): Promise<void>
}

export const USER = 'o-split-user'

/** Starts the world; orders are paid at emulated `now`, so splits wait for the 60 s window unless the test advances. */
export async function splitWorld(): Promise<SplitWorld> {
  const emu = await startEmulator({ retryScale: 1, refundSettleMs: 1000 })
  const sp = await registerMerchant(emu, { mode: 'partner' })
  const partner = await registerMerchant(emu, { mode: 'partner' })
  const notify = await notifyEndpoint([204])
  const narrowShop = `19${Date.now() % 100_000_000}`.padEnd(10, '7')
  // Register sp again with a second shop that authorised only 20 % (the platform keys are kept).
  await fetch(`${emu.url}/__emulator/merchants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mchid: sp.mchid, serialNo: sp.serialNo, publicKeyPem: publicKeyPem(sp.privateKey), apiV3Key: sp.apiV3Key, appIds: [sp.appId], subMchids: [{ mchid: sp.subMchid, appIds: [sp.subAppId] }, { mchid: narrowShop, maxRatioBps: 2000 }] }),
  })
  await emu.login(sp.appId, USER)
  let offset = 0
  const clock = () => Date.now() + offset
  const client = clientFor(emu, sp, { clock })
  const world: SplitWorld = {
    emu,
    sp,
    partner,
    narrowShop,
    client,
    async advance(ms) {
      offset += ms
      await emu.advanceClock(ms)
    },
    raw: (path, body, headers) => call(emu, sp, path, { body, clock, headers }),
    api: async (method, path, body) => (await client.call(method, path, { body })).data as never,
    async paidOrder(o = {}) {
      const outTradeNo = tradeNo('PS')
      const subMchid = o.subMchid ?? (sp.subMchid as string)
      const body = {
        sp_appid: sp.appId,
        sp_mchid: sp.mchid,
        sub_mchid: subMchid,
        description: '分账测试',
        out_trade_no: outTradeNo,
        notify_url: notify.url,
        amount: { total: o.total ?? 1000, currency: 'CNY' },
        payer: { sp_openid: USER },
        ...(o.profitSharing === false ? {} : { settle_info: { profit_sharing: true } }),
      }
      const { prepay_id } = await client.createPartnerJsapiOrder(body as never)
      const errMsg = await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId })
      if (errMsg !== 'requestPayment:ok') throw new Error(errMsg)
      const q = await client.queryOrderByOutTradeNo(outTradeNo, subMchid)
      return { outTradeNo, transactionId: q.transaction_id as string }
    },
    async close() {
      await emu.close()
      await notify.close()
    },
  }
  return world
}

/** The emulator's control view of an order. */
export async function controlOrder(emu: EmulatorHandle, outTradeNo: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (await fetch(`${emu.url}/__emulator/orders/${outTradeNo}`)).json()
}
