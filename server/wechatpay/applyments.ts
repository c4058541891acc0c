/**
 * E-commerce sub-merchant applyment (电商收付通 二级商户进件, wechatpay-service-provider.md §1):
 * wire types and calls over `WechatPayClient.call`. Sensitive fields must already be RSA-OAEP
 * ciphertext made with `client.encryptSensitive`; its serial goes out as `Wechatpay-Serial`.
 */
import type { WechatPayClient } from './client'

/** organization_type values of the e-commerce applyment. */
export type OrganizationTypeWire = '2401' | '2500' | '4' | '2' | '3' | '2502' | '1708'
export type ApplymentState = 'CHECKING' | 'ACCOUNT_NEED_VERIFY' | 'AUDITING' | 'REJECTED' | 'NEED_SIGN' | 'FINISH' | 'FROZEN' | 'CANCELED'
/** The e-commerce spelling (not applyment4sub's IDENTIFICATION_TYPE_IDCARD). */
export const MAINLAND_ID_CARD = 'IDENTIFICATION_TYPE_MAINLAND_IDCARD'

export interface EcommerceBusinessLicenseInfo {
  business_license_copy: string
  business_license_number: string
  merchant_name: string
  legal_person: string
}

export interface EcommerceIdCardInfo {
  id_card_copy: string
  id_card_national: string
  /** E */
  id_card_name: string
  /** E */
  id_card_number: string
  /** E, 企业 only. */
  id_card_address?: string
  id_card_valid_time_begin: string
  /** A date or 长期. */
  id_card_valid_time: string
}

export interface EcommerceAccountInfo {
  /** "74" 对公, "75" 对私. */
  bank_account_type: '74' | '75'
  account_bank: string
  /** E */
  account_name: string
  bank_address_code: string
  bank_branch_id?: string
  bank_name?: string
  /** E */
  account_number: string
}

export interface EcommerceContactInfo {
  /** "65" 经营者/法人, "66" 经办人. */
  contact_type: '65' | '66'
  /** E */
  contact_name: string
  contact_id_doc_type?: string
  /** E */
  contact_id_card_number?: string
  business_authorization_letter?: string
  /** E */
  mobile_phone: string
  /** E */
  contact_email?: string
}

export interface EcommerceSalesSceneInfo {
  store_name: string
  store_url?: string
  store_qr_code?: string
  mini_program_sub_appid?: string
}

/** Body of POST /v3/ecommerce/applyments/ (the fields this project sends). */
export interface EcommerceApplymentRequest {
  out_request_no: string
  organization_type: OrganizationTypeWire
  business_license_info?: EcommerceBusinessLicenseInfo
  id_doc_type?: string
  id_card_info?: EcommerceIdCardInfo
  /** 企业: the legal person is a beneficial owner. */
  owner?: boolean
  account_info: EcommerceAccountInfo
  contact_info: EcommerceContactInfo
  sales_scene_info: EcommerceSalesSceneInfo
  merchant_shortname: string
  business_addition_desc?: string
}

export interface ApplymentSubmitResponse {
  /** A uint64 number on the wire; kept as a string here when it does not fit a double exactly. */
  applyment_id: number | string
  out_request_no: string
}

export interface ApplymentAccountValidation {
  account_name?: string
  account_no?: string
  pay_amount?: number
  destination_account_number?: string
  destination_account_name?: string
  destination_account_bank?: string
  city?: string
  remark?: string
  deadline?: string
}

/** Answer of both applyment queries (§1.3); every field may be missing on a real answer. */
export interface ApplymentStatus {
  applyment_state?: ApplymentState | string
  applyment_state_desc?: string
  sign_state?: string
  sign_url?: string
  sub_mchid?: string
  account_validation?: ApplymentAccountValidation
  audit_detail?: Array<{ param_name?: string; reject_reason?: string }>
  legal_validation_url?: string
  out_request_no?: string
  applyment_id?: number | string
}

/** POST /v3/ecommerce/applyments/ with `Wechatpay-Serial` = the key the E fields were encrypted for. Idempotent by out_request_no. */
export async function submitEcommerceApplyment(client: WechatPayClient, body: EcommerceApplymentRequest, serial: string): Promise<ApplymentSubmitResponse> {
  return (await client.call<ApplymentSubmitResponse>('POST', '/v3/ecommerce/applyments/', { body, extraHeaders: { 'Wechatpay-Serial': serial } })).data
}

/** GET /v3/ecommerce/applyments/out-request-no/{out_request_no}. */
export async function queryApplymentByOutRequestNo(client: WechatPayClient, outRequestNo: string): Promise<ApplymentStatus> {
  return (await client.call<ApplymentStatus>('GET', `/v3/ecommerce/applyments/out-request-no/${encodeURIComponent(outRequestNo)}`, { retry: true })).data
}

/** GET /v3/ecommerce/applyments/{applyment_id}. */
export async function queryApplymentById(client: WechatPayClient, applymentId: string): Promise<ApplymentStatus> {
  return (await client.call<ApplymentStatus>('GET', `/v3/ecommerce/applyments/${encodeURIComponent(applymentId)}`, { retry: true })).data
}
