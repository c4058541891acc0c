/**
 * Sections 1 and 2 of the benchmark: the library's signer and paySign against raw
 * crypto.sign with a cached key (the limit) and against the seed approach merchants copy
 * (jsrsasign, key file read per call); parseNotification against raw verify + AES-GCM.
 */
import { createDecipheriv, createVerify, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import vectors from '../test/fixtures/wechatpay-vectors.json'
import {
  buildNotification,
  buildRequestPayment,
  loadPrivateKey,
  loadPublicKey,
  parseNotification,
  PlatformKeys,
  signRequest,
} from '../server/wechatpay'
import { round, sideBySide } from './measure'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { KJUR, KEYUTIL, hextob64 } = require('jsrsasign')

const keys = vectors.keys
const merchantKey = loadPrivateKey(keys.generated_merchant.private_key_pem)
const platformPrivate = loadPrivateKey(keys.generated_platform.private_key_pem)
const platformPublic = loadPublicKey(keys.generated_platform.public_key_pem)
const serial = keys.generated_platform.public_key_id
const apiV3Key = keys.generated_apiv3_key.value

const body = JSON.stringify({
  appid: 'wxd678efh567hg6787',
  mchid: keys.generated_merchant.mchid,
  description: '收银台-订单 20260101',
  out_trade_no: 'N2026010100000001A1',
  notify_url: 'https://shop.example.com/api/wechatpay/notify',
  amount: { total: 1230, currency: 'CNY' },
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
})
const message = `POST\n/v3/pay/transactions/jsapi\n1767225600\n593BEC0C930BF1AFEB40B4A08C8FB242\n${body}\n`

/** The blog snippet: read apiclient_key.pem, parse it with jsrsasign, sign, base64 — every call. */
function seedSigner(keyPath: string) {
  return (msg: string) => {
    const pem = readFileSync(keyPath, 'utf8')
    const key = KEYUTIL.getKey(pem)
    const sig = new KJUR.crypto.Signature({ alg: 'SHA256withRSA' })
    sig.init(key)
    sig.updateString(msg)
    return hextob64(sig.sign())
  }
}

export function benchSigning() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-keys-'))
  const keyPath = join(dir, 'apiclient_key.pem')
  writeFileSync(keyPath, keys.generated_merchant.private_key_pem, { mode: 0o600 })
  const seed = seedSigner(keyPath)
  const signer = { mchid: keys.generated_merchant.mchid, serialNo: keys.generated_merchant.serial_no, privateKey: merchantKey }
  const results = sideBySide(
    [
      { name: 'raw crypto.sign (cached KeyObject)', op: () => sign('sha256', Buffer.from(message, 'utf8'), merchantKey).toString('base64') },
      { name: 'library signRequest (Authorization)', op: () => signRequest(signer, 'POST', '/v3/pay/transactions/jsapi', body) },
      { name: 'library buildRequestPayment (paySign)', op: () => buildRequestPayment({ appId: 'wxd678efh567hg6787', prepayId: 'wx201410272009395522657a690389285100', privateKey: merchantKey }) },
      { name: 'seed: jsrsasign + key file per call', op: () => seed(message) },
    ],
    { rounds: 6, sliceMs: 250 },
  )
  const [raw, lib, pay, seedR] = results
  return {
    results,
    ratios: {
      signerVsRaw: round(lib.opsPerSec / raw.opsPerSec, 3),
      paySignVsRaw: round(pay.opsPerSec / raw.opsPerSec, 3),
      signerVsSeed: round(lib.opsPerSec / seedR.opsPerSec, 1),
    },
  }
}

export function benchNotificationParsing() {
  const now = Math.floor(Date.now() / 1000)
  const plaintext = JSON.stringify({
    appid: 'wxd678efh567hg6787', mchid: keys.generated_merchant.mchid, out_trade_no: 'N2026010100000001A1', transaction_id: '4200001234202601010000000001',
    trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', success_time: '2026-01-01T08:00:00+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, amount: { total: 1230, payer_total: 1230, currency: 'CNY', payer_currency: 'CNY' },
  })
  const n = buildNotification(
    { id: 'EV-1', createTime: '2026-01-01T08:00:01+08:00', eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext },
    apiV3Key,
    { serial, privateKey: platformPrivate },
  )
  const raw = Buffer.from(n.body)
  const trust = new PlatformKeys([[serial, platformPublic]])
  const key = Buffer.from(apiV3Key)
  const results = sideBySide(
    [
      {
        name: 'raw verify + AES-GCM decrypt + JSON.parse',
        op: () => {
          const h = n.headers
          const v = createVerify('RSA-SHA256')
          v.update(`${h['Wechatpay-Timestamp']}\n${h['Wechatpay-Nonce']}\n`)
          v.update(raw)
          v.update('\n')
          if (!v.verify(platformPublic, h['Wechatpay-Signature'], 'base64')) throw new Error('verify')
          const r = JSON.parse(raw.toString()).resource
          const buf = Buffer.from(r.ciphertext, 'base64')
          const d = createDecipheriv('aes-256-gcm', key, Buffer.from(r.nonce))
          d.setAAD(Buffer.from(r.associated_data))
          d.setAuthTag(buf.subarray(buf.length - 16))
          return JSON.parse(Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString())
        },
      },
      {
        name: 'library parseNotification',
        op: () => {
          const p = parseNotification(n.headers, raw, { keys: trust, apiV3Key: key, now })
          if (!p.ok) throw new Error(p.reason)
          return p
        },
      },
    ],
    { rounds: 6, sliceMs: 200 },
  )
  return { results, ratios: { parseVsRaw: round(results[1].opsPerSec / results[0].opsPerSec, 3) } }
}
