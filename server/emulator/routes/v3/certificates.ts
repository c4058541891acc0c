/** GET /v3/certificates: the platform certificates, encrypted with the APIv3 key (wechatpay-v3.md §2.4). */
import type { FastifyPluginAsync } from 'fastify'
import { type CertificatesResponse, encryptResource, rfc3339 } from '../../../wechatpay'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import { merchantOf } from './auth'
import { sendJson } from './send'

/** The answer a public-key-only merchant gets (real response, wechatpay-v3.md §2.3). */
export const NO_CERTIFICATE_MESSAGE = '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/doc/v3/merchant/4012153196'

export const certificatesRoutes: FastifyPluginAsync<{ ctx: EmulatorContext }> = async (app, { ctx }) => {
  app.get('/v3/certificates', async (req, reply) => {
    const merchant = merchantOf(req)
    const certs = ctx.merchantPlatforms(merchant).filter((k) => k.certificatePem)
    if (certs.length === 0) throw new ApiError('RESOURCE_NOT_EXISTS', NO_CERTIFICATE_MESSAGE)
    const answer: CertificatesResponse = {
      data: certs.map((k) => {
        const r = encryptResource(k.certificatePem as string, merchant.apiV3Key, 'certificate', 'certificate', ctx.nonce(12))
        return {
          serial_no: k.serialNo,
          effective_time: rfc3339(Date.parse(k.effectiveTime as string)),
          expire_time: rfc3339(Date.parse(k.expireTime as string)),
          encrypt_certificate: { algorithm: r.algorithm, nonce: r.nonce, associated_data: r.associated_data, ciphertext: r.ciphertext },
        }
      }),
    }
    return sendJson(reply, 200, answer)
  })
}
