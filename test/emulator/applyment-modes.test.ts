/**
 * Applyments across the emulator's modes: certificate platform mode, a platform-key switch (either key,
 * each for its own ciphertexts), automatic progress on the emulated clock, the state file across a
 * restart and re-registration, the media size option and the CLI options.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOptions } from '../../server/emulator/options'
import { encryptSensitive, loadPublicKey, type PartnerJsapiOrderRequest, type WechatPayClient } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type EmulatorOptions, type TestMerchant } from '../support/emulator'
import { advance, applymentBody, listApplyments, PLAIN, query, submit, upload } from './applyment-fixtures'
import { call, clientFor, tradeNo } from './helpers'

const order = (sp: TestMerchant, subMchid: string): PartnerJsapiOrderRequest => ({
  sp_appid: sp.appId,
  sp_mchid: sp.mchid,
  sub_mchid: subMchid,
  description: '店铺商品',
  out_trade_no: tradeNo('M'),
  notify_url: 'https://platform.example.com/notify',
  amount: { total: 100, currency: 'CNY' },
  payer: { sp_openid: 'o-modes-user' },
})

/** Runs `use` against an emulator started with `options` and a partner service provider's client; closes the emulator after. */
async function withPartner(options: EmulatorOptions, use: (w: { emu: EmulatorHandle; sp: TestMerchant; client: WechatPayClient }) => Promise<void>) {
  const emu = await startEmulator(options)
  try {
    const sp = await registerMerchant(emu, { mode: 'partner' })
    await use({ emu, sp, client: clientFor(emu, sp) })
  } finally {
    await emu.close()
  }
}

test('certificate mode: fields encrypted for the platform certificate, its serial as Wechatpay-Serial', () => withPartner({ platformMode: 'certificate' }, async ({ emu, sp, client }) => {
  const { body, serial } = await applymentBody(client, '2')
  expect(serial).toBe(sp.platform.serialNo)
  expect(serial).toMatch(/^[0-9A-F]+$/)
  const { applyment_id } = await submit(client, body, serial)
  expect((await query(client, { id: applyment_id })).applyment_state).toBe('CHECKING')
  const again = await applymentBody(client, '2')
  const res = await call(emu, sp, '/v3/ecommerce/applyments/', { body: again.body, headers: { 'Wechatpay-Serial': `PUB_KEY_ID_${'0'.repeat(28)}` } })
  expect(res.json).toEqual({ code: 'PARAM_ERROR', message: '平台证书序列号Wechatpay-Serial错误' })
}))

test('during a platform-key switch either key is accepted, each decrypting only its own ciphertexts', () => withPartner({}, async ({ emu, sp, client }) => {
  const res = await fetch(`${emu.url}/__emulator/merchants/${sp.mchid}/platform-switch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'publicKey' }) })
  const next = ((await res.json()) as { platform: TestMerchant['platform'] }).platform
  expect(next.serialNo).not.toBe(sp.platform.serialNo)

  const old = await applymentBody(client, '2401') // encrypted for the current key
  expect((await call(emu, sp, '/v3/ecommerce/applyments/', { body: old.body, headers: { 'Wechatpay-Serial': old.serial } })).status).toBe(200)

  const nextKey = loadPublicKey(next.publicKeyPem)
  const fresh = await applymentBody(client, '2401', { encrypt: async (p) => ({ ciphertext: encryptSensitive(p, nextKey), serial: next.serialNo }) })
  expect(fresh.serial).toBe(next.serialNo)
  const mismatched = await call(emu, sp, '/v3/ecommerce/applyments/', { body: fresh.body, headers: { 'Wechatpay-Serial': old.serial } })
  expect(mismatched.json).toMatchObject({ code: 'PARAM_ERROR', message: '平台私钥解密失败', detail: { field: '/id_card_info/id_card_name' } })
  const accepted = await call(emu, sp, '/v3/ecommerce/applyments/', { body: fresh.body, headers: { 'Wechatpay-Serial': next.serialNo } })
  expect(accepted.status).toBe(200)
  const [listed] = (await listApplyments(emu, sp.mchid)).filter((a) => a.applymentId === accepted.json.applyment_id)
  expect(listed.decrypted['/id_card_info/id_card_number']).toBe(PLAIN.idNumber)
}))

test('--applyment-auto-ms: CHECKING → AUDITING → NEED_SIGN → FINISH on the emulated clock, then the shop takes orders', () => withPartner({ applymentAutoMs: 10_000 }, async ({ emu, sp, client }) => {
  await emu.login(sp.appId, 'o-modes-user')
  const { body, serial } = await applymentBody(client, '2401')
  const { applyment_id } = await submit(client, body, serial)
  expect((await query(client, { id: applyment_id })).applyment_state).toBe('CHECKING')
  await emu.advanceClock(10_000)
  expect((await query(client, { id: applyment_id })).applyment_state).toBe('AUDITING')
  await emu.advanceClock(10_000)
  const signing = await query(client, { id: applyment_id })
  expect(signing).toMatchObject({ applyment_state: 'NEED_SIGN', sub_mchid: expect.any(String) })
  await expect(client.createPartnerJsapiOrder(order(sp, signing.sub_mchid))).rejects.toMatchObject({ message: '受理关系不存在' })
  await emu.advanceClock(10_000)
  expect((await listApplyments(emu, sp.mchid))[0]).toMatchObject({ state: 'FINISH', subMchid: signing.sub_mchid })
  expect((await client.createPartnerJsapiOrder(order(sp, signing.sub_mchid))).prepay_id).toMatch(/^wx/)
  // A rejection stops the automatic path.
  const b = await applymentBody(client, '2401')
  const second = await submit(client, b.body, b.serial)
  await advance(emu, second.applyment_id, 'REJECTED')
  await emu.advanceClock(60_000)
  expect((await query(client, { id: second.applyment_id })).applyment_state).toBe('REJECTED')
}))

test('the state file keeps applyments, and a finished shop stays bound when the provider registers again', async () => {
  const statePath = join(mkdtempSync(join(tmpdir(), 'emulator-applyments-')), 'state.json')
  const first = await startEmulator({ statePath })
  const sp = await registerMerchant(first, { mode: 'partner' })
  const client = clientFor(first, sp)
  const { body, serial } = await applymentBody(client, '2401')
  const { applyment_id } = await submit(client, body, serial)
  for (const to of ['AUDITING', 'NEED_SIGN', 'FINISH']) await advance(first, applyment_id, to)
  const subMchid = (await listApplyments(first))[0].subMchid as string
  await first.close()

  const second = await startEmulator({ statePath })
  try {
    expect(await query(clientFor(second, sp), { outRequestNo: body.out_request_no })).toMatchObject({ applyment_id, applyment_state: 'FINISH', sub_mchid: subMchid })
    const again = await registerMerchant(second, { mode: 'partner', mchid: sp.mchid, appId: sp.appId }) // what `npm run stack` does at start
    await second.login(again.appId, 'o-modes-user')
    expect((await clientFor(second, again).createPartnerJsapiOrder(order(again, subMchid))).prepay_id).toMatch(/^wx/)
  } finally {
    await second.close()
  }
})

test('--media-max-bytes limits uploads', () => withPartner({ mediaMaxBytes: 1000 }, async ({ client }) => {
  expect(await upload(client)).toMatch(/^V1_/)
  await expect(client.uploadMedia('big.png', Buffer.alloc(1001))).rejects.toMatchObject({ status: 400, code: 'PARAM_ERROR' })
}))

test('CLI: --applyment-auto-ms and --media-max-bytes, with their environment variables', () => {
  expect(parseOptions(['--applyment-auto-ms', '5000', '--media-max-bytes=5242880'], {}).options).toMatchObject({ applymentAutoMs: 5000, mediaMaxBytes: 5242880 })
  expect(parseOptions([], { EMULATOR_APPLYMENT_AUTO_MS: '0', EMULATOR_MEDIA_MAX_BYTES: '1024' }).options).toMatchObject({ applymentAutoMs: 0, mediaMaxBytes: 1024 })
  expect(() => parseOptions(['--applyment-auto-ms', '-1'], {})).toThrow('--applyment-auto-ms: expected a non-negative integer (milliseconds, 0 = off), got "-1"')
  expect(() => parseOptions([], { EMULATOR_MEDIA_MAX_BYTES: 'big' })).toThrow('EMULATOR_MEDIA_MAX_BYTES: expected a positive integer (bytes), got "big"')
})
