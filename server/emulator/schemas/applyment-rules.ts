/**
 * What the applyment body must hold for each organization type (wechatpay-service-provider.md §1.1,
 * "Per-organization-type requirements"), as one table plus the conditions common to all types.
 * Runs after the shape check (applyment-errors.ts) and before decryption.
 */
import { ApiError } from '../errors'
import { fieldError, requiredError } from './applyment-errors'

export interface OrganizationRule {
  name: string
  /** `none`: no business_license_info; `licence`: 营业执照; `certificate`: 登记证书 (cert_type, address, business_time). */
  license: 'none' | 'licence' | 'certificate'
  bankAccountTypes: string[]
  contactTypes: string[]
  /** Only the mainland ID card as the legal person's document. */
  idCardOnly: boolean
  emailRequired: boolean
  /** May send id_holder_type (SUPER needs authorize_letter_copy). */
  idHolderType: boolean
  /** 企业: id_card_address, owner, ubo_info_list. */
  enterprise: boolean
  /** Further fields this type must send (JSON pointers). */
  require: string[]
}

const CERTIFICATE_FIELDS = ['/business_license_info/cert_type', '/business_license_info/company_address', '/business_license_info/business_time']

export const ORGANIZATION_RULES: Record<string, OrganizationRule> = {
  '2401': { name: '小微商户', license: 'none', bankAccountTypes: ['75'], contactTypes: ['65'], idCardOnly: true, emailRequired: false, idHolderType: false, enterprise: false, require: [] },
  '2500': { name: '个人卖家', license: 'none', bankAccountTypes: ['75'], contactTypes: ['65'], idCardOnly: true, emailRequired: false, idHolderType: false, enterprise: false, require: ['/business_addition_desc'] },
  '4': { name: '个体工商户', license: 'licence', bankAccountTypes: ['74', '75'], contactTypes: ['65', '66'], idCardOnly: false, emailRequired: true, idHolderType: false, enterprise: false, require: [] },
  '2': { name: '企业', license: 'licence', bankAccountTypes: ['74'], contactTypes: ['65', '66'], idCardOnly: false, emailRequired: true, idHolderType: false, enterprise: true, require: ['/owner'] },
  '3': { name: '事业单位', license: 'certificate', bankAccountTypes: ['74'], contactTypes: ['65', '66'], idCardOnly: false, emailRequired: true, idHolderType: true, enterprise: false, require: CERTIFICATE_FIELDS },
  '2502': { name: '政府机关', license: 'certificate', bankAccountTypes: ['74'], contactTypes: ['65', '66'], idCardOnly: true, emailRequired: true, idHolderType: true, enterprise: false, require: CERTIFICATE_FIELDS },
  '1708': { name: '社会组织', license: 'certificate', bankAccountTypes: ['74'], contactTypes: ['65', '66'], idCardOnly: false, emailRequired: true, idHolderType: false, enterprise: false, require: CERTIFICATE_FIELDS },
}

/** The bank aliases of the classic account_bank list; any other bank is `其他银行` with bank_name or bank_branch_id. */
export const BANK_ALIASES = ['工商银行', '交通银行', '招商银行', '民生银行', '中信银行', '浦发银行', '兴业银行', '光大银行', '广发银行', '平安银行', '北京银行', '华夏银行', '农业银行', '建设银行', '邮政储蓄银行', '中国银行', '宁波银行', '其他银行']

export const MAINLAND_IDCARD = 'IDENTIFICATION_TYPE_MAINLAND_IDCARD'
const PASSPORT = 'IDENTIFICATION_TYPE_OVERSEA_PASSPORT'

type Body = Record<string, unknown>

/** The value at a JSON pointer, or undefined. */
export function valueAt(body: unknown, pointer: string): unknown {
  let v = body
  for (const key of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

const need = (body: Body, pointer: string, issue?: string) => {
  if (valueAt(body, pointer) === undefined) throw requiredError(pointer, issue)
}
const needOneOf = (body: Body, pointers: string[]) => {
  if (pointers.every((p) => valueAt(body, p) === undefined)) throw requiredError(pointers[0], `one of ${pointers.join(', ')} is required`)
}
const notFor = (body: Body, pointer: string, type: string, rule: OrganizationRule) => {
  if (valueAt(body, pointer) !== undefined) throw fieldError(pointer, `与主体类型不符：${rule.name}（${type}）无需填写`, `must be omitted for organization_type ${type}`)
}
const oneOf = (body: Body, pointer: string, allowed: string[], type: string, rule: OrganizationRule) => {
  const v = valueAt(body, pointer)
  if (v !== undefined && !allowed.includes(v as string)) throw fieldError(pointer, `与主体类型不符：${rule.name}（${type}）只能填写 ${allowed.join(' / ')}`, `must be one of ${allowed.join(', ')} for organization_type ${type}`, v)
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)

/** A validity period: real dates, the end `长期` or after the beginning. */
function period(body: Body, beginPointer: string, endPointer: string) {
  const begin = valueAt(body, beginPointer) as string | undefined
  const end = valueAt(body, endPointer) as string | undefined
  if (begin !== undefined && !isDate(begin)) throw fieldError(beginPointer, '格式校验失败', 'must be a date YYYY-MM-DD', begin)
  if (end !== undefined && end !== '长期' && !isDate(end)) throw fieldError(endPointer, '格式校验失败', 'must be a date YYYY-MM-DD or 长期', end)
  if (begin !== undefined && end !== undefined && end !== '长期' && end <= begin) throw fieldError(endPointer, '必须晚于开始时间', 'must be after the beginning', end)
}

/** Media lists may come as a JSON-array string (WXJ) or an array (IM/OA): both become arrays. */
export function normalizeMediaLists(body: Body): Body {
  const out = { ...body }
  for (const key of ['qualifications', 'business_addition_pics']) {
    const v = out[key]
    if (typeof v !== 'string') continue
    let parsed: unknown
    try {
      parsed = JSON.parse(v)
    } catch {
      parsed = undefined
    }
    if (!Array.isArray(parsed) || parsed.length > 5 || parsed.some((x) => typeof x !== 'string' || x === '')) {
      throw fieldError(`/${key}`, '格式校验失败', 'must be a JSON array of at most 5 media_id strings', v)
    }
    out[key] = parsed
  }
  return out
}

/** Throws WeChat Pay's PARAM_ERROR for the first rule of the organization type the body breaks. */
export function checkApplymentRules(body: Body): void {
  const type = body.organization_type as string
  const rule = ORGANIZATION_RULES[type]
  if (!rule) throw fieldError('/organization_type', '枚举值校验失败', 'unknown organization_type', type)

  if (rule.license === 'none') notFor(body, '/business_license_info', type, rule)
  else need(body, '/business_license_info')
  if (rule.license === 'licence') {
    const number = valueAt(body, '/business_license_info/business_license_number') as string
    if (!/^[0-9A-Z]{18}$/.test(number)) throw fieldError('/business_license_info/business_license_number', '格式校验失败', 'must be the 18-character unified social credit code (digits and upper-case letters)', number)
  }
  if (rule.license === 'certificate') {
    for (const p of rule.require) need(body, p)
    const time = valueAt(body, '/business_license_info/business_time') as string
    let range: unknown
    try {
      range = JSON.parse(time)
    } catch {
      range = undefined
    }
    if (!Array.isArray(range) || range.length !== 2 || !isDate(String(range[0])) || !(range[1] === '长期' || isDate(String(range[1])))) {
      throw fieldError('/business_license_info/business_time', '格式校验失败', 'must be a JSON array string like ["2014-01-01","长期"]', time)
    }
  } else for (const p of rule.require) need(body, p)

  if (body.finance_institution === true) need(body, '/finance_institution_info')

  if (!rule.idHolderType) notFor(body, '/id_holder_type', type, rule)
  if (body.id_holder_type === 'SUPER') need(body, '/authorize_letter_copy')

  const idDocType = (body.id_doc_type as string | undefined) ?? MAINLAND_IDCARD
  if (rule.idCardOnly) oneOf(body, '/id_doc_type', [MAINLAND_IDCARD], type, rule)
  if (idDocType === MAINLAND_IDCARD) {
    need(body, '/id_card_info')
    period(body, '/id_card_info/id_card_valid_time_begin', '/id_card_info/id_card_valid_time')
    if (rule.enterprise) need(body, '/id_card_info/id_card_address')
  } else {
    need(body, '/id_doc_info')
    if (idDocType !== PASSPORT) need(body, '/id_doc_info/id_doc_copy_back')
    period(body, '/id_doc_info/doc_period_begin', '/id_doc_info/doc_period_end')
    if (rule.enterprise) need(body, '/id_doc_info/id_doc_address')
  }

  if (rule.enterprise) {
    const ubos = (body.ubo_info_list as Body[] | undefined) ?? []
    if (body.owner === false && ubos.length === 0) throw requiredError('/ubo_info_list', 'is required when owner is false')
    if (body.owner === true && ubos.length > 3) throw fieldError('/ubo_info_list', '长度校验失败', 'at most 3 when owner is true', ubos.length)
    ubos.forEach((u, i) => {
      const at = `/ubo_info_list/${i}`
      if (u.ubo_id_doc_type !== PASSPORT) need(body, `${at}/ubo_id_doc_copy_back`)
      needOneOf(body, [`${at}/ubo_id_doc_period_begin`, `${at}/ubo_period_begin`])
      needOneOf(body, [`${at}/ubo_id_doc_period_end`, `${at}/ubo_period_end`])
      period(body, `${at}/ubo_id_doc_period_begin`, `${at}/ubo_id_doc_period_end`)
      period(body, `${at}/ubo_period_begin`, `${at}/ubo_period_end`)
    })
  }

  oneOf(body, '/account_info/bank_account_type', rule.bankAccountTypes, type, rule)
  const bank = valueAt(body, '/account_info/account_bank') as string
  if (!BANK_ALIASES.includes(bank)) {
    throw new ApiError('PARAM_ERROR', '开户银行取值有误，不在微信支付提供的银行对照表中，请检查后再试', { field: '/account_info/account_bank', value: bank, location: 'body', issue: `must be one of ${BANK_ALIASES.join(', ')}` })
  }
  if (bank === '其他银行') needOneOf(body, ['/account_info/bank_branch_id', '/account_info/bank_name'])
  oneOf(body, '/contact_info/contact_type', rule.contactTypes, type, rule)
  if (valueAt(body, '/contact_info/contact_type') === '66') {
    const c = '/contact_info'
    need(body, `${c}/contact_id_doc_type`)
    need(body, `${c}/contact_id_card_number`)
    need(body, `${c}/contact_id_doc_copy`)
    if (valueAt(body, `${c}/contact_id_doc_type`) !== PASSPORT) need(body, `${c}/contact_id_doc_copy_back`)
    needOneOf(body, [`${c}/contact_id_doc_period_begin`, `${c}/contact_period_begin`])
    needOneOf(body, [`${c}/contact_id_doc_period_end`, `${c}/contact_period_end`])
    period(body, `${c}/contact_id_doc_period_begin`, `${c}/contact_id_doc_period_end`)
    period(body, `${c}/contact_period_begin`, `${c}/contact_period_end`)
    if (valueAt(body, `${c}/business_authorization_letter`) === undefined) {
      throw new ApiError('PARAM_ERROR', '请填写业务办理授权函', { field: `${c}/business_authorization_letter`, location: 'body', issue: 'is required when contact_type is 66' })
    }
  }
  if (rule.emailRequired) need(body, '/contact_info/contact_email')
  needOneOf(body, ['/sales_scene_info/store_url', '/sales_scene_info/store_qr_code'])
}
