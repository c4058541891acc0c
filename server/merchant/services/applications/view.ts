/** The `application` object of platform.md: states in words, rejections by field, personal data only masked. */
import type { Static } from '@sinclair/typebox'
import { APPLICATION_STATE_TEXT } from '../../../../src/contract/constants'
import { maskAccount, maskIdNumber, maskMobile, maskName } from '../../../../src/contract/application-rules'
import type { AccountValidationSchema, Application } from '../../../../src/contract/schemas'
import type { ApplicationRecord } from '../../storage'
import type { ApplicationInput } from './types'

export type ApplicationView = Application
/** What the applicant must remit, and where, to verify the settlement account (no ciphertext kept). */
export type AccountValidationView = Static<typeof AccountValidationSchema>

const iso = (ms: number) => new Date(ms).toISOString()

/** The contract's view of an application; `input` is its opened (decrypted) body, used only to mask (null: it cannot be opened). */
export function toApplicationView(a: ApplicationRecord, input: ApplicationInput | null): ApplicationView {
  const rejections = a.rejections ? (JSON.parse(a.rejections) as Array<{ field: string; reason: string }>) : undefined
  return {
    applicationNo: a.applicationNo,
    organizationType: a.organizationType as Application['organizationType'],
    merchantShortname: a.merchantShortname,
    state: a.state,
    stateText: APPLICATION_STATE_TEXT[a.state],
    ...(a.signUrl ? { signUrl: a.signUrl } : {}),
    ...(a.legalValidationUrl ? { legalValidationUrl: a.legalValidationUrl } : {}),
    ...(a.accountValidation ? { accountValidation: JSON.parse(a.accountValidation) as AccountValidationView } : {}),
    ...(rejections?.length ? { rejections } : {}),
    ...(a.shopId ? { shopId: a.shopId } : {}),
    ...(a.subMchid ? { subMchid: a.subMchid } : {}),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    masked: input
      ? {
          idCardName: maskName(input.idCard.name),
          idCardNumber: maskIdNumber(input.idCard.number),
          accountNumber: maskAccount(input.bankAccount.accountNumber),
          mobile: maskMobile(input.contact.mobile),
        }
      : { idCardName: '*', idCardNumber: '*', accountNumber: '*', mobile: '*' },
  }
}
