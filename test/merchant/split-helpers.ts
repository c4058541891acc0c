/** Profit-sharing test helpers: a shop with its own max_ratio at the emulator. */
import { createPublicKey } from 'node:crypto'
import type { EmulatorHandle, TestMerchant } from '../support/emulator'

/** Registers a partner merchant again with `maxRatioBps` for its sub-merchant (what merchant-configs answers as max_ratio). */
export async function capShop(emu: EmulatorHandle, m: TestMerchant, maxRatioBps: number): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/merchants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      mchid: m.mchid,
      serialNo: m.serialNo,
      publicKeyPem: createPublicKey(m.privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      apiV3Key: m.apiV3Key,
      appIds: [m.appId],
      subMchids: [{ mchid: m.subMchid, appIds: [m.subAppId], maxRatioBps }],
    }),
  })
  if (res.status !== 200) throw new Error(`registering the shop's cap failed: ${res.status} ${await res.text()}`)
}
