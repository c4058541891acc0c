/** The notifier never spins on its own failure: a broken attempt is recorded and waits for its retry. */
import type { AddressInfo } from 'node:net'
import { buildEmulator } from '../../server/emulator/app'
import { RETRY_INTERVALS_S } from '../../server/emulator/notifier'
import { pooledPlatformKey, registerMerchant, type EmulatorHandle } from '../support/emulator'
import { clientFor, directOrder } from './helpers'

test('an attempt that throws inside the emulator is recorded with its error and retried on the schedule, not at once', async () => {
  const app = buildEmulator({ generateKey: pooledPlatformKey, signtestRate: 0 })
  await app.listen({ host: '127.0.0.1', port: 0 })
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const control = (path: string, body: unknown) => fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, string>>)
    const m = await registerMerchant({ url } as EmulatorHandle)
    await control('/__emulator/login', { appId: m.appId, openid: 'o-notifier-user' })
    const client = clientFor({ url } as EmulatorHandle, m)
    const { prepay_id } = await client.createJsapiOrder(directOrder(m, 'o-notifier-user', 'http://127.0.0.1:9/notify'))
    // The notification cannot be encrypted: the stored APIv3 key is broken.
    app.emulator.ctx.store.data.merchants[m.mchid].apiV3Key = 'too-short'
    expect((await control('/__emulator/pay', { ...client.requestPayment(m.appId, prepay_id), appId: m.appId })).errMsg).toBe('requestPayment:ok')
    await app.emulator.notifier.idle()

    const deliveries = app.emulator.ctx.store.data.deliveries
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0]).toMatchObject({ kind: 'attempt', attempt: 1, status: 0, delivered: false, error: expect.stringMatching(/^emulator error: .*32/) })
    const [job] = Object.values(app.emulator.ctx.store.data.notifications)
    expect(job).toMatchObject({ attempts: 1, done: false })
    expect(job.nextAt - app.emulator.ctx.now()).toBeGreaterThan(RETRY_INTERVALS_S[0] * 1000 - 1000)
  } finally {
    await app.close()
  }
})
