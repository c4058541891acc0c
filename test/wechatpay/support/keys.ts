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
