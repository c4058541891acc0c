// How each onboarding field is asked: input kind, keyboard, placeholder, hint, choices.
import { LONG_TERM, ORGANIZATION_TYPE_LABELS } from '@/contract/constants'
import type { FieldPath } from '@/store/onboarding-fields'

export type FieldKind =
  | { kind: 'text'; type?: 'text' | 'number' | 'idcard' | 'digit'; placeholder: string; maxlength?: number }
  | { kind: 'choice'; options: Array<{ value: string; label: string; note?: string }> }
  | { kind: 'image'; note: string }
  | { kind: 'until' }

/** Hints under a field: what is asked for and why. */
export const HINTS: Partial<Record<FieldPath, string>> = {
  merchantShortname: '付款人在支付凭证上看到的名称，最多 21 个字',
  businessAdditionDesc: '个人卖家须说明：持续经营满 6 个月且收入累计超过 20 万元',
  'idCard.name': '与身份证上完全一致',
  'idCard.validFrom': '格式 YYYY-MM-DD，例如 2020-01-01',
  'idCard.address': '企业须填写法定代表人身份证上的住址',
  'bankAccount.bankAddressCode': '开户银行所在省市的 6 位编码，例如北京 110000',
  'bankAccount.bankBranchId': '非 17 家直连银行请填写，可向开户行查询',
  'bankAccount.accountName': '个人账户须与身份证姓名一致；对公账户须与营业执照名称一致',
  'store.url': '店铺链接和店铺二维码至少提供一项',
  'contact.name': '超级管理员负责签约并接收微信支付的通知；小微商户和个人卖家须为经营者本人',
  'contact.mobile': '用于接收微信支付的重要通知和签约短信',
  'contact.email': '个体工商户和企业必填，其他类型可不填',
}

const ORG_NOTES: Record<string, string> = {
  '2401': '无营业执照的个人经营者',
  '2500': '无营业执照、经营满 6 个月的个人',
  '4': '有个体工商户营业执照',
  '2': '有企业营业执照',
}

/** The input of each field. */
export const FIELD_KINDS: Record<FieldPath, FieldKind> = {
  organizationType: {
    kind: 'choice',
    options: (Object.keys(ORGANIZATION_TYPE_LABELS) as Array<keyof typeof ORGANIZATION_TYPE_LABELS>)
      .sort((a, b) => ['2401', '2500', '4', '2'].indexOf(a) - ['2401', '2500', '4', '2'].indexOf(b))
      .map((value) => ({ value, label: ORGANIZATION_TYPE_LABELS[value], note: ORG_NOTES[value] })),
  },
  merchantShortname: { kind: 'text', placeholder: '例如：张三小吃', maxlength: 30 },
  'businessLicense.copyMediaId': { kind: 'image', note: '营业执照正本或副本，四角完整、字迹清晰' },
  'businessLicense.number': { kind: 'text', placeholder: '18 位统一社会信用代码', maxlength: 18 },
  'businessLicense.merchantName': { kind: 'text', placeholder: '与营业执照上的名称一致', maxlength: 110 },
  'businessLicense.legalPerson': { kind: 'text', placeholder: '与营业执照一致', maxlength: 30 },
  businessAdditionDesc: { kind: 'text', placeholder: '经营情况说明', maxlength: 256 },
  'idCard.portraitMediaId': { kind: 'image', note: '有照片的一面' },
  'idCard.nationalMediaId': { kind: 'image', note: '有国徽的一面' },
  'idCard.name': { kind: 'text', placeholder: '身份证上的姓名', maxlength: 30 },
  'idCard.number': { kind: 'text', type: 'idcard', placeholder: '18 位身份证号', maxlength: 18 },
  'idCard.validFrom': { kind: 'text', placeholder: 'YYYY-MM-DD', maxlength: 10 },
  'idCard.validUntil': { kind: 'until' },
  'idCard.address': { kind: 'text', placeholder: '与身份证上的住址一致', maxlength: 128 },
  'bankAccount.type': { kind: 'choice', options: [{ value: 'corporate', label: '对公账户' }, { value: 'personal', label: '经营者个人银行卡' }] },
  'bankAccount.bank': { kind: 'text', placeholder: '例如：招商银行', maxlength: 64 },
  'bankAccount.bankAddressCode': { kind: 'text', type: 'number', placeholder: '例如：110000', maxlength: 12 },
  'bankAccount.bankBranchId': { kind: 'text', type: 'number', placeholder: '12 位联行号（选填）', maxlength: 20 },
  'bankAccount.bankName': { kind: 'text', placeholder: '例如：招商银行北京分行营业部（选填）', maxlength: 128 },
  'bankAccount.accountName': { kind: 'text', placeholder: '开户名称', maxlength: 128 },
  'bankAccount.accountNumber': { kind: 'text', type: 'number', placeholder: '银行卡号或对公账号', maxlength: 30 },
  'store.name': { kind: 'text', placeholder: '例如：张三小吃店', maxlength: 64 },
  'store.url': { kind: 'text', placeholder: 'https://', maxlength: 1024 },
  'store.qrCodeMediaId': { kind: 'image', note: '顾客扫码进入店铺的二维码' },
  'store.miniProgramSubAppid': { kind: 'text', placeholder: 'wx 开头的 18 位 AppID（选填）', maxlength: 18 },
  'contact.type': { kind: 'choice', options: [{ value: 'legal', label: '经营者/法定代表人本人' }, { value: 'agent', label: '经办人' }] },
  'contact.name': { kind: 'text', placeholder: '超级管理员姓名', maxlength: 30 },
  'contact.mobile': { kind: 'text', type: 'number', placeholder: '11 位手机号', maxlength: 11 },
  'contact.email': { kind: 'text', placeholder: 'name@example.com', maxlength: 128 },
  'contact.idNumber': { kind: 'text', type: 'idcard', placeholder: '经办人身份证号', maxlength: 18 },
  'contact.authorizationLetterMediaId': { kind: 'image', note: '加盖公章的业务办理授权函' },
}

export { LONG_TERM }

/** The id of a field's input in the page (stable selectors for tests): `idCard.number` → `f-idCard-number`. */
export const fieldId = (path: FieldPath, part = 'f'): string => `${part}-${path.replace(/\./g, '-')}`
