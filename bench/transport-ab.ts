/**
 * A/B of the client's transport (`npx tsx bench/transport-ab.ts`, N=600 by default): CPU per call of
 * this process and calls/s, global fetch vs the default keep-alive node:http transport, against one
 * emulator process, 8 concurrent callers, four interleaved rounds each (medians), so a busy shared
 * machine affects both alike. Not part of `npm run bench`.
 */
import { loadPublicKey, WechatPayClient } from '../server/wechatpay'
import { startEmulatorProcess } from './emulator'
import { registerMerchant, type EmulatorHandle } from '../test/support/emulator'

async function main() {
  const { child, url } = await startEmulatorProcess()
  try {
    const emu = { url } as EmulatorHandle
    const m = await registerMerchant(emu)
    const make = (f?: typeof fetch) => new WechatPayClient({ mchid: m.mchid, serialNo: m.serialNo, privateKey: m.privateKey, apiV3Key: m.apiV3Key, baseUrl: url, maxRetries: 0,
      platform: { mode: 'publicKey', publicKeyId: m.platform.serialNo, publicKey: loadPublicKey(m.platform.publicKeyPem) }, ...(f ? { fetch: f } : {}) })
    const viaFetch = make(fetch)
    const viaAgent = make()
    await fetch(`${url}/__emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: m.appId, openid: 'o-ab' }) })
    const outTradeNo = `AB${Date.now()}`
    await viaAgent.createJsapiOrder({ appid: m.appId, mchid: m.mchid, description: 'ab', out_trade_no: outTradeNo, notify_url: 'https://example.com/n', amount: { total: 1 }, payer: { openid: 'o-ab' } })
    const N = Number(process.env.N ?? 600), C = 8
    const run = async (c: WechatPayClient) => {
      let next = 0
      const cpu0 = process.cpuUsage(); const t0 = performance.now()
      await Promise.all(Array.from({ length: C }, async () => { while (next++ < N) await c.queryOrderByOutTradeNo(outTradeNo) }))
      const d = process.cpuUsage(cpu0); const wall = performance.now() - t0
      return { cpuMsPerCall: (d.user + d.system) / 1000 / N, callsPerSec: N / (wall / 1000) }
    }
    await run(viaFetch); await run(viaAgent) // warm-up
    const res: Record<string, Array<{ cpuMsPerCall: number; callsPerSec: number }>> = { fetch: [], keepAlive: [] }
    for (let r = 0; r < 4; r++) { res.fetch.push(await run(viaFetch)); res.keepAlive.push(await run(viaAgent)) }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    for (const [k, v] of Object.entries(res)) console.log(k, 'cpu ms/call median', med(v.map((x) => x.cpuMsPerCall)).toFixed(3), 'all', v.map((x) => x.cpuMsPerCall.toFixed(3)).join(' '), 'calls/s median', med(v.map((x) => x.callsPerSec)).toFixed(0))
    viaAgent.close()
  } finally {
    child.kill()
  }
}
main().catch((e) => { console.error(e); process.exit(1) })
