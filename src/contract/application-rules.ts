// The onboarding form's rules (platform.md; wechatpay-service-provider.md §1.1), pure and shared:
// the app checks as the user types, the backend answers `400 INVALID_APPLICATION` with the same list.
import { LONG_TERM, MERCHANT_SHORTNAME_MAX_CHARS, ORGANIZATION_TYPES, type OrganizationType } from './constants'
import type { FieldError } from './schemas'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Why a mainland ID-card number is wrong, or null (18 characters with the GB 11643 check digit, or the old 15 digits). */
export function idCardNumberProblem(raw: string): string | null {
  const n = raw.trim().toUpperCase()
  if (n === '') return '请输入身份证号'
  if (/^\d{15}$/.test(n)) return null
  if (!/^\d{17}[\dX]$/.test(n)) return '身份证号应为 18 位（最后一位可以是 X）'
  if (!isDate(`${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`)) return '身份证号中的出生日期不正确'
  const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * Number(n[i]), 0)
  return ID_CHECK[sum % 11] === n[17] ? null : '身份证号校验位不正确，请核对'
}

/** A mainland mobile number: 11 digits starting with 1. */
export const isMobile = (s: string): boolean => /^1[3-9]\d{9}$/.test(s.trim())

/** A real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** `张三` → `张*`. */
export const maskName = (s: string): string => (s ? `${Array.from(s)[0]}${'*'.repeat(Math.max(1, Array.from(s).length - 1))}` : '')
/** `110101199003071234` → `1101**********1234`. */
export const maskIdNumber = (s: string): string => (s.length > 8 ? `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}` : '*'.repeat(s.length))
/** `6222020202020206789` → `****6789`. */
export const maskAccount = (s: string): string => `****${s.slice(-4)}`
/** `13800005678` → `138****5678`. */
export const maskMobile = (s: string): string => (s.length >= 7 ? `${s.slice(0, 3)}****${s.slice(-4)}` : '*'.repeat(s.length))

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const chars = (s: string) => Array.from(s).length

/**
 * Which organization types take a business licence, a corporate account, an agent as contact, an
 * e-mail, the ID-card address. An agent (经办人, "66") is allowed for none yet: WeChat Pay then needs
 * the agent's ID-card photos and validity, which this form does not collect — refused here rather
 * than failing at WeChat Pay.
 */
export const ORGANIZATION_RULES: Record<OrganizationType, { licence: boolean; accounts: Array<'corporate' | 'personal'>; agentAllowed: boolean; emailRequired: boolean; additionDescRequired: boolean; idCardAddressRequired: boolean }> = {
  '2401': { licence: false, accounts: ['personal'], agentAllowed: false, emailRequired: false, additionDescRequired: false, idCardAddressRequired: false },
  '2500': { licence: false, accounts: ['personal'], agentAllowed: false, emailRequired: false, additionDescRequired: true, idCardAddressRequired: false },
  '4': { licence: true, accounts: ['corporate', 'personal'], agentAllowed: false, emailRequired: true, additionDescRequired: false, idCardAddressRequired: false },
  '2': { licence: true, accounts: ['corporate'], agentAllowed: false, emailRequired: true, additionDescRequired: false, idCardAddressRequired: true },
}

/**
 * Every problem of an application body at once, as `{ field, message }` with dotted paths of the
 * request body (`idCard.number`) and Chinese messages fit to show under the field. `today`
 * (YYYY-MM-DD) enables the "already expired" check.
 */
export function validateApplication(input: unknown, today?: string): FieldError[] {
  const errors: FieldError[] = []
  const add = (field: string, message: string) => {
    if (!errors.some((e) => e.field === field)) errors.push({ field, message })
  }
  const body = isObj(input) ? input : {}
  const group = (name: string): Obj => (isObj(body[name]) ? (body[name] as Obj) : {})
  const str = (o: Obj, key: string): string => (typeof o[key] === 'string' ? (o[key] as string).trim() : '')
  const need = (o: Obj, prefix: string, key: string, message: string) => {
    const v = str(o, key)
    if (!v) add(`${prefix}.${key}`, message)
    return v
  }

  const type = body.organizationType as OrganizationType
  if (!ORGANIZATION_TYPES.includes(type)) {
    add('organizationType', '请选择主体类型')
    return errors
  }
  const rules = ORGANIZATION_RULES[type]

  const shortname = str(body, 'merchantShortname')
  if (!shortname) add('merchantShortname', '请输入商户简称')
  else if (chars(shortname) > MERCHANT_SHORTNAME_MAX_CHARS) add('merchantShortname', `商户简称最多 ${MERCHANT_SHORTNAME_MAX_CHARS} 个字`)

  const licence = group('businessLicense')
  if (rules.licence) {
    need(licence, 'businessLicense', 'copyMediaId', '请上传营业执照照片')
    const number = need(licence, 'businessLicense', 'number', '请输入统一社会信用代码')
    if (number && !/^([0-9A-Z]{18}|\d{15})$/.test(number)) add('businessLicense.number', '统一社会信用代码应为 18 位数字或大写字母')
    const name = need(licence, 'businessLicense', 'merchantName', '请输入营业执照上的名称')
    if (name && (chars(name) < 2 || chars(name) > 110)) add('businessLicense.merchantName', '名称应为 2–110 个字')
    need(licence, 'businessLicense', 'legalPerson', '请输入经营者/法定代表人姓名')
  }

  const id = group('idCard')
  need(id, 'idCard', 'portraitMediaId', '请上传身份证人像面照片')
  need(id, 'idCard', 'nationalMediaId', '请上传身份证国徽面照片')
  const idName = need(id, 'idCard', 'name', '请输入身份证上的姓名')
  if (idName && (chars(idName) < 2 || chars(idName) > 30)) add('idCard.name', '姓名应为 2–30 个字')
  const idNumberProblem = idCardNumberProblem(str(id, 'number'))
  if (idNumberProblem) add('idCard.number', idNumberProblem)
  const from = need(id, 'idCard', 'validFrom', '请选择身份证有效期开始日期')
  if (from && !isDate(from)) add('idCard.validFrom', '日期格式应为 YYYY-MM-DD')
  const until = need(id, 'idCard', 'validUntil', `请选择身份证有效期结束日期或“${LONG_TERM}”`)
  if (until && until !== LONG_TERM) {
    if (!isDate(until)) add('idCard.validUntil', `日期格式应为 YYYY-MM-DD，或选择“${LONG_TERM}”`)
    else if (isDate(from) && until <= from) add('idCard.validUntil', '结束日期应晚于开始日期')
    else if (today && until < today) add('idCard.validUntil', '身份证已过期，请使用有效证件')
  }
  const address = str(id, 'address')
  if (rules.idCardAddressRequired && !address) add('idCard.address', '企业须填写法定代表人身份证上的居住地址')
  else if (chars(address) > 128) add('idCard.address', '身份证居住地址最多 128 个字')
  if (rules.licence && idName && str(licence, 'legalPerson') && str(licence, 'legalPerson') !== idName) {
    add('businessLicense.legalPerson', '经营者/法定代表人须与身份证姓名一致')
  }

  const bank = group('bankAccount')
  const accountType = str(bank, 'type')
  if (!accountType) add('bankAccount.type', '请选择账户类型')
  else if (!rules.accounts.includes(accountType as 'corporate')) {
    add('bankAccount.type', rules.accounts.length === 1 && rules.accounts[0] === 'corporate' ? '企业须使用对公账户' : '该主体类型只能使用个人银行账户')
  }
  need(bank, 'bankAccount', 'bank', '请选择开户银行')
  const addressCode = need(bank, 'bankAccount', 'bankAddressCode', '请选择开户地区')
  if (addressCode && !/^\d{6,12}$/.test(addressCode)) add('bankAccount.bankAddressCode', '开户地区编码应为 6–12 位数字')
  const accountName = need(bank, 'bankAccount', 'accountName', '请输入开户名称')
  if (accountName && accountType === 'personal' && idName && accountName !== idName) add('bankAccount.accountName', '个人账户的户名须与身份证姓名一致')
  if (accountName && accountType === 'corporate' && str(licence, 'merchantName') && accountName !== str(licence, 'merchantName')) {
    add('bankAccount.accountName', '对公账户的户名须与营业执照上的名称一致')
  }
  const accountNumber = need(bank, 'bankAccount', 'accountNumber', '请输入银行账号')
  if (accountNumber && !/^\d{8,30}$/.test(accountNumber)) add('bankAccount.accountNumber', '银行账号应为 8–30 位数字')

  const contact = group('contact')
  const contactType = str(contact, 'type')
  if (contactType !== 'legal' && contactType !== 'agent') add('contact.type', '请选择超级管理员类型')
  else if (contactType === 'agent' && !rules.agentAllowed) add('contact.type', '暂不支持经办人作为超级管理员，请由经营者/法定代表人本人作为超级管理员')
  const contactName = need(contact, 'contact', 'name', '请输入超级管理员姓名')
  if (contactType === 'legal' && contactName && idName && contactName !== idName) add('contact.name', '经营者本人作为超级管理员时，姓名须与身份证一致')
  const mobile = need(contact, 'contact', 'mobile', '请输入手机号')
  if (mobile && !isMobile(mobile)) add('contact.mobile', '请输入 11 位手机号')
  const email = str(contact, 'email')
  if (!email && rules.emailRequired) add('contact.email', '请输入邮箱')
  else if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) add('contact.email', '邮箱格式不正确')
  if (contactType === 'agent' && rules.agentAllowed) {
    const problem = idCardNumberProblem(str(contact, 'idNumber'))
    if (problem) add('contact.idNumber', problem === '请输入身份证号' ? '请输入经办人身份证号' : problem)
    need(contact, 'contact', 'authorizationLetterMediaId', '经办人作为超级管理员时，请上传业务办理授权函')
  }

  const store = group('store')
  need(store, 'store', 'name', '请输入店铺名称')
  const url = str(store, 'url')
  if (!url && !str(store, 'qrCodeMediaId')) add('store.url', '请填写店铺链接或上传店铺二维码')
  else if (url && !/^https?:\/\/\S+$/.test(url)) add('store.url', '店铺链接应以 http:// 或 https:// 开头')
  const subAppid = str(store, 'miniProgramSubAppid')
  if (subAppid && !/^wx[0-9a-zA-Z]{16}$/.test(subAppid)) add('store.miniProgramSubAppid', '小程序 AppID 应为 wx 加 16 位字母或数字')

  if (rules.additionDescRequired && !str(body, 'businessAdditionDesc')) add('businessAdditionDesc', '个人卖家须填写补充说明（持续经营满 6 个月且收入累计超过 20 万元）')
  return errors
}
