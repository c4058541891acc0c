/** --state <file>: merchants, platform keys, orders and pending notifications survive a restart. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildEmulator } from '../../server/emulator/app'
import { pooledPlatformKey, registerMerchant, startEmulator } from '../support/emulator'
import { clientFor, directOrder, withNotifyEndpoint } from './helpers'

test('a restarted emulator knows the merchant, signs with the same platform key, keeps orders and delivers what it owed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-state-'))
  const statePath = join(dir, 'state.json')
  await withNotifyEndpoint([500, 204], async (notify) => {
    const first = await startEmulator({ statePath, retryScale: 0.05 }) // first retry after 750 ms
    const m = await registerMerchant(first)
    await first.login(m.appId, 'o-state-user')
    const paidBody = directOrder(m, 'o-state-user', notify.url)
    const unpaidBody = directOrder(m, 'o-state-user')
    const client1 = clientFor(first, m)
    const { prepay_id } = await client1.createJsapiOrder(paidBody)
    await client1.createJsapiOrder(unpaidBody)
    expect(await first.pay(client1.requestPayment(m.appId, prepay_id), { appId: m.appId })).toBe('requestPayment:ok')
    await notify.waitFor(1) // the first attempt failed (500): a retry is owed
    await first.close()

    const saved = JSON.parse(readFileSync(statePath, 'utf8'))
    expect(Object.keys(saved.merchants)).toEqual([m.mchid])
    expect(readdirSync(dir)).toEqual(['state.json']) // written atomically: no temp file left behind

    const second = await startEmulator({ statePath, retryScale: 0.05 })
    try {
      // The same client (same platform public key) verifies the new process's answers.
      const client2 = clientFor(second, m)
      expect((await client2.queryOrderByOutTradeNo(paidBody.out_trade_no)).trade_state).toBe('SUCCESS')
      expect((await client2.queryOrderByOutTradeNo(unpaidBody.out_trade_no)).trade_state).toBe('NOTPAY')
      // The same out_trade_no and parameters still give the same prepay_id.
      expect((await client2.createJsapiOrder(paidBody).catch((e) => e)).code).toBe('OUT_TRADE_NO_USED')
      // The owed retry is delivered by the new process.
      const received = await notify.waitFor(2)
      expect(JSON.parse(received[1].body).id).toBe(JSON.parse(received[0].body).id)
      expect((await client2.parseNotification(received[1].headers as Record<string, string>, received[1].body)).ok).toBe(true)
      // Apps registered before the restart still log users in.
      const code = await second.login(m.appId, 'o-state-user')
      const session = await fetch(`${second.url}/sns/jscode2session?appid=${m.appId}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`)
      expect(JSON.parse(await session.text()).openid).toBe('o-state-user')
    } finally {
      await second.close()
    }
  })
})

test('an unreadable state file stops start-up with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-state-'))
  const statePath = join(dir, 'state.json')
  writeFileSync(statePath, '{not json')
  expect(() => buildEmulator({ statePath, generateKey: pooledPlatformKey })).toThrow(/cannot read emulator state .*state\.json/)
})
