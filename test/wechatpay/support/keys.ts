/** Keys from the vector fixture (see test/fixtures/README.md). */
import vectors from '../../fixtures/wechatpay-vectors.json'
import { loadApiV3Key, loadPrivateKey, loadPublicKey } from '../../../server/wechatpay'

const k = vectors.keys

export const merchant = {
  mchid: k.generated_merchant.mchid,
  serialNo: k.generated_merchant.serial_no,
  privateKey: loadPrivateKey(k.generated_merchant.private_key_pem),
  publicKey: loadPublicKey(k.generated_merchant.public_key_pem),
}

export const platform = {
  publicKeyId: k.generated_platform.public_key_id,
  privateKey: loadPrivateKey(k.generated_platform.private_key_pem),
  publicKey: loadPublicKey(k.generated_platform.public_key_pem),
}

export const apiV3Key = k.generated_apiv3_key.value
export const apiV3KeyBytes = loadApiV3Key(apiV3Key)

/** A JSAPI order of the vector merchant, as the client tests send it. */
export const jsapiOrder = {
  appid: 'wxd678efh567hg6787',
  mchid: merchant.mchid,
  description: '深圳腾大-QQ公仔',
  out_trade_no: 'ORDER_2026_0001',
  notify_url: 'https://shop.example.com/api/wechatpay/notify',
  amount: { total: 1, currency: 'CNY' as const },
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
}
