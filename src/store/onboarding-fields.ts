// The onboarding form's fields (platform.md §Onboarding request body) as flat dotted paths, the
// steps they belong to, which of them an organization type shows, and the request body they make.
// Pure: the rules themselves are the contract's (src/contract/application-rules.ts).
import { ORGANIZATION_RULES } from '@/contract/application-rules'
import type { OrganizationType } from '@/contract/constants'
import type { ApplicationRequest } from '@/services/types'

/** The title of each step (step indicator, page heading), in the form's order; `review` lists everything before 提交. */
export const STEP_TITLES = {
  type: '主体信息',
  identity: '身份证件',
  bank: '结算账户',
  store: '店铺与联系人',
  review: '确认提交',
}
export type Step = keyof typeof STEP_TITLES
/** The form's steps in order. */
export const STEPS = Object.keys(STEP_TITLES) as Step[]

interface FieldInfo {
  step: Exclude<Step, 'review'>
  label: string
  /** An uploaded photo: the value is its mediaId. */
  image?: boolean
  /** Personal data: shown masked on the review step. */
  mask?: 'name' | 'id' | 'account' | 'mobile'
  optional?: boolean
}

/** Marks each of one step's fields with that step. */
function inStep<S extends FieldInfo['step'], F extends Record<string, Omit<FieldInfo, 'step'>>>(step: S, fields: F): { [P in keyof F]: F[P] & { step: S } } {
  const marked: Record<string, FieldInfo> = {}
  for (const [path, info] of Object.entries(fields)) marked[path] = { ...info, step }
  return marked as { [P in keyof F]: F[P] & { step: S } }
}

/** Every field of the form, by step, in display order. */
export const FIELDS = {
  ...inStep('type', {
    organizationType: { label: '主体类型' },
    merchantShortname: { label: '商户简称' },
    'businessLicense.copyMediaId': { label: '营业执照照片', image: true },
    'businessLicense.number': { label: '统一社会信用代码' },
    'businessLicense.merchantName': { label: '营业执照名称' },
    'businessLicense.legalPerson': { label: '经营者/法定代表人' },
    businessAdditionDesc: { label: '补充说明' },
  }),
  ...inStep('identity', {
    'idCard.portraitMediaId': { label: '身份证人像面', image: true },
    'idCard.nationalMediaId': { label: '身份证国徽面', image: true },
    'idCard.name': { label: '身份证姓名', mask: 'name' },
    'idCard.number': { label: '身份证号码', mask: 'id' },
    'idCard.validFrom': { label: '有效期开始' },
    'idCard.validUntil': { label: '有效期结束' },
    'idCard.address': { label: '身份证居住地址' },
  }),
  ...inStep('bank', {
    'bankAccount.type': { label: '账户类型' },
    'bankAccount.bank': { label: '开户银行' },
    'bankAccount.bankAddressCode': { label: '开户地区编码' },
    'bankAccount.bankBranchId': { label: '开户支行联行号', optional: true },
    'bankAccount.bankName': { label: '开户支行全称', optional: true },
    'bankAccount.accountName': { label: '开户名称', mask: 'name' },
    'bankAccount.accountNumber': { label: '银行账号', mask: 'account' },
  }),
  ...inStep('store', {
    'store.name': { label: '店铺名称' },
    'store.url': { label: '店铺链接' },
    'store.qrCodeMediaId': { label: '店铺二维码', image: true, optional: true },
    'store.miniProgramSubAppid': { label: '小程序 AppID', optional: true },
    'contact.type': { label: '超级管理员' },
    'contact.name': { label: '超级管理员姓名', mask: 'name' },
    'contact.mobile': { label: '手机号码', mask: 'mobile' },
    'contact.email': { label: '邮箱' },
    'contact.idNumber': { label: '经办人身份证号', mask: 'id' },
    'contact.authorizationLetterMediaId': { label: '业务办理授权函', image: true },
  }),
} satisfies Record<string, FieldInfo>

export type FieldPath = keyof typeof FIELDS
export type Values = Record<FieldPath, string>
/** Every field path, in display order. */
export const FIELD_PATHS = Object.keys(FIELDS) as FieldPath[]
/** The photo fields (their value is a mediaId). */
export const IMAGE_FIELDS = FIELD_PATHS.filter((p) => (FIELDS[p] as FieldInfo).image)
export type ImageField = (typeof IMAGE_FIELDS)[number]

/** A field's facts. */
export const fieldInfo = (path: FieldPath): FieldInfo => FIELDS[path]

/** Whether `path` is one of the form's fields (a server's `field` may be anything). */
export const isFieldPath = (path: string): path is FieldPath => Object.prototype.hasOwnProperty.call(FIELDS, path)

/** The step that shows a field; unknown paths (a server's) go to the first step. */
export const stepOfField = (path: string): Exclude<Step, 'review'> => (isFieldPath(path) ? FIELDS[path].step : 'type')

/** A blank form: every field empty but the contact type (the applicant themself by default). */
export function emptyValues(): Values {
  const values = Object.fromEntries(FIELD_PATHS.map((p) => [p, ''])) as Values
  values['contact.type'] = 'legal'
  return values
}

/** The organization type's rules, or null before one is chosen. */
export function rulesOf(values: Values) {
  const type = values.organizationType as OrganizationType
  return Object.prototype.hasOwnProperty.call(ORGANIZATION_RULES, type) ? ORGANIZATION_RULES[type] : null
}

/** Whether the form shows `path` for the values so far (licence only for 个体户/企业, agent fields only for an agent, …). */
export function isVisible(values: Values, path: FieldPath): boolean {
  const rules = rulesOf(values)
  if (path === 'organizationType') return true
  if (!rules) return false
  if (path.startsWith('businessLicense.')) return rules.licence
  if (path === 'businessAdditionDesc') return rules.additionDescRequired
  if (path === 'idCard.address') return rules.idCardAddressRequired
  if (path === 'bankAccount.type') return rules.accounts.length > 1
  if (path === 'contact.type') return rules.agentAllowed
  if (path === 'contact.email') return true
  if (path === 'contact.idNumber' || path === 'contact.authorizationLetterMediaId') return rules.agentAllowed && values['contact.type'] === 'agent'
  return true
}

/** The visible fields of one step (all steps for `review`), in display order. */
export const visibleFields = (values: Values, step: Step): FieldPath[] =>
  FIELD_PATHS.filter((p) => (step === 'review' || FIELDS[p].step === step) && isVisible(values, p))

/** Values after a change of `path`: choosing an organization type sets what it allows no choice about. */
export function withField(values: Values, path: FieldPath, value: string): Values {
  const next = { ...values, [path]: value }
  if (path === 'organizationType') {
    const rules = rulesOf(next)
    if (rules && !rules.accounts.includes(next['bankAccount.type'] as 'personal')) next['bankAccount.type'] = rules.accounts[0]
    if (rules && !rules.agentAllowed) next['contact.type'] = 'legal'
  }
  return next
}

const trimmed = (values: Values, path: FieldPath) => values[path].trim()

/** The request body for the values: hidden fields left out, empty optional ones too. */
export function toRequest(values: Values, requestId: string): ApplicationRequest {
  const opt = (path: FieldPath) => (isVisible(values, path) && trimmed(values, path) ? trimmed(values, path) : undefined)
  const v = (path: FieldPath) => trimmed(values, path)
  const rules = rulesOf(values)
  const body = {
    requestId,
    organizationType: values.organizationType as OrganizationType,
    merchantShortname: v('merchantShortname'),
    businessLicense: rules?.licence
      ? { copyMediaId: v('businessLicense.copyMediaId'), number: v('businessLicense.number').toUpperCase(), merchantName: v('businessLicense.merchantName'), legalPerson: v('businessLicense.legalPerson') }
      : undefined,
    idCard: {
      portraitMediaId: v('idCard.portraitMediaId'),
      nationalMediaId: v('idCard.nationalMediaId'),
      name: v('idCard.name'),
      number: v('idCard.number').toUpperCase(),
      validFrom: v('idCard.validFrom'),
      validUntil: v('idCard.validUntil'),
      address: opt('idCard.address'),
    },
    bankAccount: {
      type: values['bankAccount.type'] as 'corporate' | 'personal',
      bank: v('bankAccount.bank'),
      bankAddressCode: v('bankAccount.bankAddressCode'),
      bankBranchId: opt('bankAccount.bankBranchId'),
      bankName: opt('bankAccount.bankName'),
      accountName: v('bankAccount.accountName'),
      accountNumber: v('bankAccount.accountNumber').replace(/\s+/g, ''),
    },
    contact: {
      type: values['contact.type'] as 'legal' | 'agent',
      name: v('contact.name'),
      mobile: v('contact.mobile'),
      email: opt('contact.email'),
      idNumber: opt('contact.idNumber')?.toUpperCase(),
      authorizationLetterMediaId: opt('contact.authorizationLetterMediaId'),
    },
    store: {
      name: v('store.name'),
      url: opt('store.url'),
      qrCodeMediaId: opt('store.qrCodeMediaId'),
      miniProgramSubAppid: opt('store.miniProgramSubAppid'),
    },
    businessAdditionDesc: opt('businessAdditionDesc'),
  }
  return JSON.parse(JSON.stringify(body)) as ApplicationRequest
}
