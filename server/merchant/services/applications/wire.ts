/**
 * The application body (camelCase, platform.md) ↔ WeChat Pay's e-commerce applyment
 * (wechatpay-service-provider.md §1): field mapping, RSA-OAEP of the E fields, and the way back
 * from `param_name` and `applyment_state` to the app's field paths and states.
 */
import { MAINLAND_ID_CARD, type ApplymentStatus, type EcommerceApplymentRequest, type OrganizationTypeWire } from '../../../wechatpay/applyments'
import type { ApplicationState } from '../../storage'
import type { ApplicationInput } from './types'

/** Encrypts one sensitive value; answers the ciphertext and the key id to send as Wechatpay-Serial. */
export type SensitiveEncrypter = (plaintext: string) => Promise<{ ciphertext: string; serial: string }>

/** Builds the applyment body, every E field encrypted for one key; answers it with that key's serial. */
export async function toApplymentRequest(outRequestNo: string, a: ApplicationInput, encrypt: SensitiveEncrypter): Promise<{ body: EcommerceApplymentRequest; serial: string }> {
  const serials = new Set<string>()
  const e = async (plaintext: string) => {
    const { ciphertext, serial } = await encrypt(plaintext)
    serials.add(serial)
    return ciphertext
  }
  const eOpt = async (plaintext: string | undefined) => (plaintext ? e(plaintext) : undefined)
  const licence = a.businessLicense
  const body: EcommerceApplymentRequest = {
    out_request_no: outRequestNo,
    organization_type: a.organizationType as OrganizationTypeWire,
    ...(licence
      ? {
          business_license_info: {
            business_license_copy: licence.copyMediaId,
            business_license_number: licence.number,
            merchant_name: licence.merchantName,
            legal_person: licence.legalPerson,
          },
        }
      : {}),
    id_doc_type: MAINLAND_ID_CARD,
    id_card_info: {
      id_card_copy: a.idCard.portraitMediaId,
      id_card_national: a.idCard.nationalMediaId,
      id_card_name: await e(a.idCard.name),
      id_card_number: await e(a.idCard.number),
      ...(a.idCard.address ? { id_card_address: await e(a.idCard.address) } : {}),
      id_card_valid_time_begin: a.idCard.validFrom,
      id_card_valid_time: a.idCard.validUntil,
    },
    // 企业: the legal person is declared the beneficial owner (no other UBO is collected).
    ...(a.organizationType === '2' ? { owner: true } : {}),
    account_info: {
      bank_account_type: a.bankAccount.type === 'corporate' ? '74' : '75',
      account_bank: a.bankAccount.bank,
      account_name: await e(a.bankAccount.accountName),
      bank_address_code: a.bankAccount.bankAddressCode,
      ...(a.bankAccount.bankBranchId ? { bank_branch_id: a.bankAccount.bankBranchId } : {}),
      ...(a.bankAccount.bankName ? { bank_name: a.bankAccount.bankName } : {}),
      account_number: await e(a.bankAccount.accountNumber),
    },
    contact_info: {
      contact_type: a.contact.type === 'agent' ? '66' : '65',
      contact_name: await e(a.contact.name),
      ...(a.contact.type === 'agent' && a.contact.idNumber
        ? { contact_id_doc_type: MAINLAND_ID_CARD, contact_id_card_number: await e(a.contact.idNumber) }
        : {}),
      ...(a.contact.type === 'agent' && a.contact.authorizationLetterMediaId ? { business_authorization_letter: a.contact.authorizationLetterMediaId } : {}),
      mobile_phone: await e(a.contact.mobile),
      ...(a.contact.email ? { contact_email: (await eOpt(a.contact.email)) as string } : {}),
    },
    sales_scene_info: {
      store_name: a.store.name,
      ...(a.store.url ? { store_url: a.store.url } : {}),
      ...(a.store.qrCodeMediaId ? { store_qr_code: a.store.qrCodeMediaId } : {}),
      ...(a.store.miniProgramSubAppid ? { mini_program_sub_appid: a.store.miniProgramSubAppid } : {}),
    },
    merchant_shortname: a.merchantShortname,
    ...(a.businessAdditionDesc ? { business_addition_desc: a.businessAdditionDesc } : {}),
  }
  if (serials.size !== 1) throw new Error('sensitive fields were encrypted for more than one WeChat Pay key; retry')
  return { body, serial: [...serials][0] }
}

/** WeChat Pay's param_name (last JSON-pointer segment) → the app's field path. */
export const PARAM_FIELDS: Record<string, string> = {
  organization_type: 'organizationType',
  merchant_shortname: 'merchantShortname',
  business_addition_desc: 'businessAdditionDesc',
  business_license_info: 'businessLicense',
  business_license_copy: 'businessLicense.copyMediaId',
  business_license_number: 'businessLicense.number',
  merchant_name: 'businessLicense.merchantName',
  legal_person: 'businessLicense.legalPerson',
  id_card_info: 'idCard',
  id_card_copy: 'idCard.portraitMediaId',
  id_card_national: 'idCard.nationalMediaId',
  id_card_name: 'idCard.name',
  id_card_number: 'idCard.number',
  id_card_address: 'idCard.address',
  id_card_valid_time_begin: 'idCard.validFrom',
  id_card_valid_time: 'idCard.validUntil',
  account_info: 'bankAccount',
  bank_account_type: 'bankAccount.type',
  account_bank: 'bankAccount.bank',
  account_name: 'bankAccount.accountName',
  bank_address_code: 'bankAccount.bankAddressCode',
  bank_branch_id: 'bankAccount.bankBranchId',
  bank_name: 'bankAccount.bankName',
  account_number: 'bankAccount.accountNumber',
  contact_info: 'contact',
  contact_type: 'contact.type',
  contact_name: 'contact.name',
  contact_id_card_number: 'contact.idNumber',
  contact_id_doc_type: 'contact.idNumber',
  business_authorization_letter: 'contact.authorizationLetterMediaId',
  mobile_phone: 'contact.mobile',
  contact_email: 'contact.email',
  sales_scene_info: 'store',
  store_name: 'store.name',
  store_url: 'store.url',
  store_qr_code: 'store.qrCodeMediaId',
  mini_program_sub_appid: 'store.miniProgramSubAppid',
}

/** The app's field path for a param_name or JSON pointer (`/id_card_info/id_card_copy`); unknown names pass through. */
export function fieldOf(paramName: string | undefined): string {
  if (!paramName) return ''
  const last = paramName.split('/').filter(Boolean).at(-1) ?? paramName
  return PARAM_FIELDS[last] ?? paramName
}

const STATES: Record<string, ApplicationState> = {
  CHECKING: 'checking',
  ACCOUNT_NEED_VERIFY: 'account_need_verify',
  AUDITING: 'auditing',
  REJECTED: 'rejected',
  NEED_SIGN: 'need_sign',
  FINISH: 'finished',
  FROZEN: 'frozen',
  CANCELED: 'canceled',
}

/** The application state for WeChat Pay's applyment_state, or null when it is missing or unknown. */
export const stateOf = (s: ApplymentStatus): ApplicationState | null => (s.applyment_state ? STATES[s.applyment_state] ?? null : null)
