/** The merchant Authorization check WeChat Pay runs before any v3 route (wechatpay-v3.md §1.3). */
import type { FastifyRequest } from 'fastify'
import { AUTH_SCHEME, AUTHORIZATION_FAILURE_MESSAGES, checkAuthorization } from '../../../wechatpay'
import type { EmulatorContext } from '../../context'
import { ApiError } from '../../errors'
import type { MerchantRecord } from '../../state/types'
import { requestState } from '../request-state'

/** One request header value. */
export const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** Checks the Authorization of a request whose signed body is `body`; returns the merchant or throws 401. */
export function authenticate(ctx: EmulatorContext, req: FastifyRequest, body: string): MerchantRecord {
  const auth = header(req, 'authorization')
  const data = ctx.store.data
  const result = checkAuthorization({
    header: auth,
    method: req.method,
    pathWithQuery: req.raw.url ?? req.url,
    body,
    now: Math.floor(ctx.now() / 1000),
    merchant: (mchid) => {
      const m = data.merchants[mchid]
      return m && { serialNo: m.serialNo, publicKey: ctx.keys.publicKey(m.publicKeyPem) }
    },
  })
  if (!result.ok) {
    const wrongScheme = result.reason === 'MALFORMED' && typeof auth === 'string' && auth.length > 0 && !auth.startsWith(`${AUTH_SCHEME} `)
    const message = wrongScheme ? 'Http头Authorization认证类型不正确' : AUTHORIZATION_FAILURE_MESSAGES[result.reason]
    const field = { MALFORMED: 'authorization', UNKNOWN_MERCHANT: 'mchid', WRONG_SERIAL: 'serial_no', STALE_TIMESTAMP: 'timestamp', BAD_SIGNATURE: 'signature' }[result.reason]
    const issue = { MALFORMED: 'malformed', UNKNOWN_MERCHANT: 'merchant not found', WRONG_SERIAL: 'serial_no not match', STALE_TIMESTAMP: 'timestamp expired', BAD_SIGNATURE: 'sign not match' }[result.reason]
    const signed = result.message
    throw new ApiError('SIGN_ERROR', message, {
      field,
      issue,
      location: 'authorization',
      ...(signed !== undefined
        ? {
            sign_information: {
              method: req.method,
              url: req.raw.url ?? req.url,
              truncated_sign_message: signed.length > 256 ? `${signed.slice(0, 256)}` : signed,
              sign_message_length: Buffer.byteLength(signed, 'utf8'),
            },
          }
        : {}),
    })
  }
  const merchant = data.merchants[result.fields.mchid]
  // Remember which platform key this merchant announced: its notifications are signed with it.
  const announced = header(req, 'wechatpay-serial')
  if (announced && announced !== merchant.announcedSerial && ctx.merchantPlatforms(merchant).some((k) => k.serialNo === announced)) {
    merchant.announcedSerial = announced
    ctx.store.save()
  }
  requestState(req).merchant = merchant
  return merchant
}

/** The merchant authenticated for this request (set by the preValidation hook). */
export const merchantOf = (req: FastifyRequest): MerchantRecord => requestState(req).merchant as MerchantRecord
