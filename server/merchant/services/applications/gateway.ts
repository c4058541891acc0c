/**
 * What onboarding needs from WeChat Pay (media upload, applyment submit and query), over the
 * shared WechatPayClient; the interface lets unit tests script WeChat Pay's answers.
 */
import type { WechatPayClient } from '../../../wechatpay'
import { queryApplymentByOutRequestNo, submitEcommerceApplyment, type ApplymentStatus } from '../../../wechatpay/applyments'
import type { ApplicationInput } from './types'
import { toApplymentRequest } from './wire'

export interface OnboardingGateway {
  /** POST /v3/merchant/media/upload; answers the media_id. */
  uploadMedia(filename: string, bytes: Buffer, contentType: string): Promise<string>
  /** POST /v3/ecommerce/applyments/ (E fields encrypted, Wechatpay-Serial set); answers the applyment_id. */
  submit(outRequestNo: string, input: ApplicationInput): Promise<{ applymentId: string }>
  /** GET /v3/ecommerce/applyments/out-request-no/{out_request_no}. */
  query(outRequestNo: string): Promise<ApplymentStatus>
}

/** The onboarding gateway over a WechatPayClient (either platform-key mode). */
export function createOnboardingGateway(client: WechatPayClient): OnboardingGateway {
  return {
    async uploadMedia(filename, bytes, contentType) {
      return (await client.uploadMedia(filename, bytes, contentType)).media_id
    },
    async submit(outRequestNo, input) {
      const { body, serial } = await toApplymentRequest(outRequestNo, input, (plaintext) => client.encryptSensitive(plaintext))
      const res = await submitEcommerceApplyment(client, body, serial)
      return { applymentId: String(res.applyment_id) }
    },
    query: (outRequestNo) => queryApplymentByOutRequestNo(client, outRequestNo),
  }
}
