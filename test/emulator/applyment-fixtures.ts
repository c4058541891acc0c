/** Applyment bodies for the emulator tests: real media uploads and real RSA-OAEP through WechatPayClient. */
import type { WechatPayClient } from '../../server/wechatpay'
import type { EmulatorHandle } from '../support/emulator'
import { idNumber } from '../support/id-number'

export type OrgType = '2401' | '2500' | '4' | '2' | '3'
type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export { idNumber }

export const PLAIN = {
  name: '张三',
  idNumber: idNumber('11010519900307123'),
  address: '北京市朝阳区建国路1号',
  accountPersonal: '6214830000001234',
  accountCorporate: '110923456710201',
  mobile: '13800138000',
  email: 'shop@example.com',
  agentName: '李四',
  agentId: idNumber('31010419851111456'),
  companyName: '北京小店科技有限公司',
}

let seq = 0
/** A fresh out_request_no. */
export const requestNo = (prefix = 'APPLY') => `${prefix}${Date.now()}${String(seq++).padStart(4, '0')}`

/** Uploads a small PNG-named image and answers its media_id. */
export async function upload(client: WechatPayClient, name = 'photo.png'): Promise<string> {
  const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(`${name}:${Date.now()}:${seq++}`)])
  return (await client.uploadMedia(name, bytes)).media_id
}

/** A complete, valid applyment body for the organization type (encrypted with the client's platform key). */
export async function applymentBody(
  client: WechatPayClient,
  type: OrgType,
  opts: { outRequestNo?: string; subAppId?: string; encrypt?: (plaintext: string) => Promise<{ ciphertext: string; serial: string }> } = {},
): Promise<{ body: Json; serial: string }> {
  let serial = ''
  const enc = async (s: string) => {
    const r = await (opts.encrypt ?? ((p: string) => client.encryptSensitive(p)))(s)
    serial = r.serial
    return r.ciphertext
  }
  const [portrait, national] = await Promise.all([upload(client, 'id-front.png'), upload(client, 'id-back.jpg')])
  const licensed = type === '4' || type === '2' || type === '3'
  const corporate = type === '2' || type === '3'
  const body: Json = {
    out_request_no: opts.outRequestNo ?? requestNo(),
    organization_type: type,
    id_card_info: {
      id_card_copy: portrait,
      id_card_national: national,
      id_card_name: await enc(PLAIN.name),
      id_card_number: await enc(PLAIN.idNumber),
      ...(type === '2' ? { id_card_address: await enc(PLAIN.address) } : {}),
      id_card_valid_time_begin: '2019-06-06',
      id_card_valid_time: type === '2401' ? '长期' : '2039-06-06',
    },
    account_info: {
      bank_account_type: corporate ? '74' : '75',
      account_bank: '工商银行',
      account_name: await enc(corporate ? PLAIN.companyName : PLAIN.name),
      bank_address_code: '110000',
      account_number: await enc(corporate ? PLAIN.accountCorporate : PLAIN.accountPersonal),
    },
    contact_info: {
      contact_type: '65',
      contact_name: await enc(PLAIN.name),
      mobile_phone: await enc(PLAIN.mobile),
      ...(licensed ? { contact_email: await enc(PLAIN.email) } : {}),
    },
    sales_scene_info: { store_name: '张三的小店', store_url: 'https://shop.example.com/s/1', ...(opts.subAppId ? { mini_program_sub_appid: opts.subAppId } : {}) },
    merchant_shortname: '张三小店',
  }
  if (licensed) {
    body.business_license_info = {
      business_license_copy: await upload(client, 'licence.jpg'),
      business_license_number: '91110105MA01ABCD1X',
      merchant_name: type === '4' ? '个体户张三' : PLAIN.companyName,
      legal_person: PLAIN.name,
    }
  }
  if (type === '3') {
    Object.assign(body.business_license_info, { cert_type: 'CERTIFICATE_TYPE_2388', company_address: '北京市东城区1号', business_time: '["2014-01-01","长期"]', business_license_number: '12100000400000624D' })
  }
  if (type === '2') body.owner = true
  if (type === '2500') body.business_addition_desc = '该商户已持续从事电子商务经营活动满6个月，且期间经营收入累计超过20万元。'
  return { body, serial }
}

/** Makes the super administrator an agent (经办人, "66"), with the given spelling of the validity dates. */
export async function asAgent(client: WechatPayClient, body: Json, spelling: 'contact_id_doc_period' | 'contact_period' = 'contact_id_doc_period'): Promise<void> {
  const [front, back, letter] = await Promise.all([upload(client, 'agent-front.png'), upload(client, 'agent-back.png'), upload(client, 'letter.png')])
  Object.assign(body.contact_info, {
    contact_type: '66',
    contact_name: (await client.encryptSensitive(PLAIN.agentName)).ciphertext,
    contact_id_doc_type: 'IDENTIFICATION_TYPE_MAINLAND_IDCARD',
    contact_id_card_number: (await client.encryptSensitive(PLAIN.agentId)).ciphertext,
    contact_id_doc_copy: front,
    contact_id_doc_copy_back: back,
    [`${spelling}_begin`]: '2020-01-01',
    [`${spelling}_end`]: '长期',
    business_authorization_letter: letter,
  })
}

/** POST /v3/ecommerce/applyments/ through the library client (signed, answer verified). */
export async function submit(client: WechatPayClient, body: Json, serial: string): Promise<{ applyment_id: number; out_request_no: string }> {
  return (await client.call<{ applyment_id: number; out_request_no: string }>('POST', '/v3/ecommerce/applyments/', { body, extraHeaders: { 'Wechatpay-Serial': serial } })).data
}

/** GET one applyment by applyment_id or out_request_no. */
export async function query(client: WechatPayClient, by: { id?: number; outRequestNo?: string }): Promise<Json> {
  const path = by.id !== undefined ? `/v3/ecommerce/applyments/${by.id}` : `/v3/ecommerce/applyments/out-request-no/${encodeURIComponent(by.outRequestNo as string)}`
  return (await client.call<Json>('GET', path)).data
}

async function control<T>(emu: EmulatorHandle, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(emu.url + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as T }
}

/** GET /__emulator/applyments. */
export const listApplyments = async (emu: EmulatorHandle, mchid?: string) => (await control<{ applyments: Json[] }>(emu, `/__emulator/applyments${mchid ? `?mchid=${mchid}` : ''}`)).json.applyments

/** POST /__emulator/applyments/:id/advance (status and body, not thrown). */
export const advance = (emu: EmulatorHandle, id: number, to: string, auditDetail?: Array<{ param_name: string; reject_reason: string }>) =>
  control<Json>(emu, `/__emulator/applyments/${id}/advance`, auditDetail ? { to, auditDetail } : { to })
